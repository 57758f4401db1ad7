"""The expression language's front end: a hand-written scanner and a recursive-descent parser.

Both are iterative where input can be long (the scanner is one loop; operator chains
become n-ary nodes), and recursive only through nesting, which is bounded by
[MAX_DEPTH][stool.policy.MAX_DEPTH]; so no input can exhaust the Python stack.
No regular expression ever sees the input, so nothing can backtrack.
"""

from __future__ import annotations

from typing import Final, Literal

from stool.policy._errors import PolicyDefinitionError, line_and_column

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_INTEGER",
    "MAX_LENGTH",
    "MAX_NUMBER_LENGTH",
    "Arith",
    "Call",
    "Compare",
    "Const",
    "FieldRef",
    "ListConst",
    "Logic",
    "Member",
    "Negate",
    "Node",
    "Not",
    "parse",
]

MAX_LENGTH: Final = 10_000
"""The longest expression accepted, in characters."""

MAX_DEPTH: Final = 32
"""The deepest nesting accepted: levels of the expression tree (parentheses, `not`,
unary minus, function calls and operators each add one)."""

MAX_NUMBER_LENGTH: Final = 40
"""The longest number literal accepted, in characters."""

MAX_INTEGER: Final = 2**53
"""The largest magnitude of an integer the language holds (9,007,199,254,740,992).

Every integer up to it is exact as a float64, so one expression computes the same
number row by row and over columns. An integer literal or context value beyond it is an
error; an integer result beyond it becomes the nearest float, exactly as float64
arithmetic rounds it, so integers never grow without bound (a float that overflows is an
error)."""

Kind = Literal["number", "string", "boolean", "list", "any"]

FUNCTIONS: Final[dict[str, tuple[int, int, Kind, Kind]]] = {
    # name: (fewest arguments, most arguments (-1: any number), argument kind, result kind)
    "abs": (1, 1, "number", "number"),
    "min": (1, -1, "number", "number"),
    "max": (1, -1, "number", "number"),
    "floor": (1, 1, "number", "number"),
    "ceil": (1, 1, "number", "number"),
    "len": (1, 1, "any", "number"),
    "lower": (1, 1, "string", "string"),
    "upper": (1, 1, "string", "string"),
    "startswith": (2, 2, "string", "boolean"),
    "endswith": (2, 2, "string", "boolean"),
}
"""The functions an expression may call; nothing else is callable."""

KEYWORDS: Final = frozenset({"and", "or", "not", "in", "true", "false"})

# Words with a meaning elsewhere (Python, JSON) that a policy author may reach for:
# they get a pointed error instead of being read as a field name.
_RESERVED: Final[dict[str, str]] = {
    "True": "write `true`",
    "False": "write `false`",
    "None": "there is no null value; a field is either present or missing",
    "null": "there is no null value; a field is either present or missing",
    "is": "compare with `==` or `!=`",
    "lambda": "functions cannot be defined",
    "import": "nothing can be imported",
    "from": "nothing can be imported",
    "if": "write a condition with `and`/`or`",
    "else": "write a condition with `and`/`or`",
    "for": "there are no loops or comprehensions",
    "while": "there are no loops",
    "def": "functions cannot be defined",
    "class": "classes cannot be defined",
    "return": "an expression is its value",
    "yield": "an expression is its value",
    "await": "an expression is its value",
    "async": "an expression is its value",
    "del": "an expression cannot change anything",
    "global": "an expression cannot change anything",
    "nonlocal": "an expression cannot change anything",
    "assert": "an expression cannot raise",
    "raise": "an expression cannot raise",
    "try": "an expression cannot catch errors",
    "except": "an expression cannot catch errors",
    "finally": "an expression cannot catch errors",
    "with": "an expression cannot open anything",
    "as": "an expression cannot name anything",
    "pass": "an expression is its value",
    "break": "there are no loops",
    "continue": "there are no loops",
    "elif": "write a condition with `and`/`or`",
    "exec": "nothing outside the expression language runs",
    "eval": "nothing outside the expression language runs",
}

_OPERATOR_HINTS: Final[dict[str, str]] = {
    "=": "compare with `==`; nothing can be assigned",
    "&": "write `and`",
    "|": "write `or`",
    "!": "write `not` (or `!=` to compare)",
    "~": "write `not`",
    "^": "there are no bitwise operators",
    "@": "there is no matrix multiplication or decorator",
    ";": "an expression is a single expression",
    ":": "there are no slices, lambdas or dictionaries",
    "{": "there are no dictionaries or sets; write a list `[...]`",
    "}": "there are no dictionaries or sets; write a list `[...]`",
    "`": "quote strings with ' or \"",
    "\\": "backslashes appear only inside strings",
    "#": "there are no comments inside expressions",
    "$": "fields are plain names",
}

_ESCAPES: Final[dict[str, str]] = {
    "\\": "\\",
    "'": "'",
    '"': '"',
    "n": "\n",
    "t": "\t",
    "r": "\r",
}

_TWO_CHAR: Final = frozenset({"==", "!=", "<=", ">="})
_ONE_CHAR: Final = frozenset("<>+-*/%()[],.")
_WHITESPACE: Final = frozenset(" \t\r\n")


def _is_name_start(ch: str) -> bool:
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z") or ch == "_"


def _is_name_char(ch: str) -> bool:
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z") or ("0" <= ch <= "9") or ch == "_"


def _is_digit(ch: str) -> bool:
    return "0" <= ch <= "9"


class Token:
    """One token: its type (`name`, `number`, `string`, `op`, `end`), value and offset."""

    __slots__ = ("end", "start", "type", "value")

    def __init__(self, type_: str, value: object, start: int, end: int) -> None:
        self.type = type_
        self.value = value
        self.start = start
        self.end = end


def definition_error(
    text: str, offset: int, message: str, *, suggestion: str | None = None
) -> PolicyDefinitionError:
    """Return a definition error at `offset` of expression `text`."""
    line, column = line_and_column(text, offset)
    return PolicyDefinitionError(
        message,
        line=line,
        column=column,
        expression=text,
        offset=offset,
        suggestion=suggestion,
    )


def tokenize(text: str) -> list[Token]:  # noqa: C901, PLR0912, PLR0915 - one branch per case, kept in one place
    """Split `text` into tokens, ending with an `end` token."""
    tokens: list[Token] = []
    n = len(text)
    i = 0
    while i < n:
        ch = text[i]
        if ch in _WHITESPACE:
            i += 1
            continue
        if _is_name_start(ch):
            j = i + 1
            while j < n and _is_name_char(text[j]):
                j += 1
            tokens.append(Token("name", text[i:j], i, j))
            i = j
            continue
        if _is_digit(ch) or (ch == "." and i + 1 < n and _is_digit(text[i + 1])):
            j = i
            while j < n and _is_digit(text[j]):
                j += 1
            is_float = False
            if j < n and text[j] == "." and j + 1 < n and _is_digit(text[j + 1]):
                is_float = True
                j += 1
                while j < n and _is_digit(text[j]):
                    j += 1
            if j < n and text[j] in "eE":
                k = j + 1
                if k < n and text[k] in "+-":
                    k += 1
                if k < n and _is_digit(text[k]):
                    is_float = True
                    j = k
                    while j < n and _is_digit(text[j]):
                        j += 1
            if j < n and (_is_name_char(text[j]) or text[j] == "."):
                raise definition_error(text, j, f"a number cannot be followed by {text[j]!r}")
            if j - i > MAX_NUMBER_LENGTH:
                raise definition_error(
                    text, i, f"number literal longer than {MAX_NUMBER_LENGTH} characters"
                )
            literal = text[i:j]
            value: float | int
            if is_float or literal.startswith("."):
                value = float(literal)
                if value - value != 0.0:
                    raise definition_error(text, i, f"{literal} is not a finite number")
            else:
                value = int(literal)
                if value > MAX_INTEGER:
                    raise definition_error(
                        text,
                        i,
                        f"integer literal beyond {MAX_INTEGER} (2**53), the largest exact in "
                        f"float64; write it as a float such as {float(value):.6g}",
                    )
            tokens.append(Token("number", value, i, j))
            i = j
            continue
        if ch in "'\"":
            quote = ch
            j = i + 1
            parts: list[str] = []
            run = j
            while True:
                if j >= n:
                    raise definition_error(text, i, "string is never closed")
                c = text[j]
                if c == quote:
                    parts.append(text[run:j])
                    j += 1
                    break
                if c == "\\":
                    parts.append(text[run:j])
                    if j + 1 >= n:
                        raise definition_error(text, i, "string is never closed")
                    escaped = _ESCAPES.get(text[j + 1])
                    if escaped is None:
                        raise definition_error(
                            text,
                            j,
                            f"unknown escape \\{text[j + 1]}; allowed: \\\\ \\' \\\" \\n \\t \\r",
                        )
                    parts.append(escaped)
                    j += 2
                    run = j
                    continue
                j += 1
            tokens.append(Token("string", "".join(parts), i, j))
            i = j
            continue
        pair = text[i : i + 2]
        if pair in _TWO_CHAR:
            tokens.append(Token("op", pair, i, i + 2))
            i += 2
            continue
        if pair == "**":
            raise definition_error(text, i, "there is no power operator")
        if pair == "//":
            raise definition_error(text, i, "there is no floor division; write floor(a / b)")
        if pair in ("&&", "||"):
            word = "and" if pair == "&&" else "or"
            raise definition_error(text, i, f"unexpected {pair!r}; write `{word}`")
        if ch in _ONE_CHAR:
            tokens.append(Token("op", ch, i, i + 1))
            i += 1
            continue
        hint = _OPERATOR_HINTS.get(ch)
        shown = repr(ch) if ch.isprintable() else f"U+{ord(ch):04X}"
        message = f"unexpected character {shown}"
        if hint is not None:
            message += f"; {hint}"
        elif not ch.isascii():
            message += "; names are ASCII letters, digits and underscores"
        raise definition_error(text, i, message)
    tokens.append(Token("end", None, n, n))
    return tokens


# ------------------------------------------------------------------------------ the tree


class Node:
    """A node of the expression tree: its source span and its depth."""

    __slots__ = ("depth", "end", "start")

    def __init__(self, start: int, end: int, depth: int) -> None:
        self.start = start
        self.end = end
        self.depth = depth

    def children(self) -> tuple[Node, ...]:
        """Return the child nodes, left to right."""
        return ()


class Const(Node):
    """A literal number, string or boolean."""

    __slots__ = ("kind", "value")

    def __init__(self, value: object, kind: Kind, start: int, end: int) -> None:
        super().__init__(start, end, 1)
        self.value = value
        self.kind: Kind = kind


class FieldRef(Node):
    """A (dotted) field of the context: `customer.tier` reads `context["customer"]["tier"]`."""

    __slots__ = ("name", "path")

    def __init__(self, path: tuple[str, ...], start: int, end: int) -> None:
        super().__init__(start, end, 1)
        self.path = path
        self.name = ".".join(path)


class ListConst(Node):
    """A list (or tuple) of literals, the right side of `in`."""

    __slots__ = ("kind", "values")

    def __init__(self, values: tuple[object, ...], kind: Kind, start: int, end: int) -> None:
        super().__init__(start, end, 2)
        self.values = values
        self.kind: Kind = kind  # the kind of the elements; "any" when empty


class Negate(Node):
    """Unary minus (`negative=True`) or plus."""

    __slots__ = ("negative", "operand")

    def __init__(self, operand: Node, *, negative: bool, start: int) -> None:
        super().__init__(start, operand.end, operand.depth + 1)
        self.operand = operand
        self.negative = negative

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


class Not(Node):
    """Logical negation."""

    __slots__ = ("operand",)

    def __init__(self, operand: Node, start: int) -> None:
        super().__init__(start, operand.end, operand.depth + 1)
        self.operand = operand

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


def _depth(nodes: tuple[Node, ...]) -> int:
    return 1 + max(node.depth for node in nodes)


class Logic(Node):
    """`and` or `or` over two or more operands, short-circuiting left to right."""

    __slots__ = ("op", "operands")

    def __init__(self, op: str, operands: tuple[Node, ...]) -> None:
        super().__init__(operands[0].start, operands[-1].end, _depth(operands))
        self.op = op
        self.operands = operands

    def children(self) -> tuple[Node, ...]:
        return self.operands


class Compare(Node):
    """A chain of comparisons: `a < b <= c` means `a < b and b <= c`."""

    __slots__ = ("operands", "ops")

    def __init__(self, operands: tuple[Node, ...], ops: tuple[str, ...]) -> None:
        super().__init__(operands[0].start, operands[-1].end, _depth(operands))
        self.operands = operands
        self.ops = ops

    def children(self) -> tuple[Node, ...]:
        return self.operands


class Member(Node):
    """`left in right` or `left not in right`."""

    __slots__ = ("left", "negated", "right")

    def __init__(self, left: Node, right: Node, *, negated: bool) -> None:
        super().__init__(left.start, right.end, _depth((left, right)))
        self.left = left
        self.right = right
        self.negated = negated

    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)


class Arith(Node):
    """A left-to-right chain of `+ -` or of `* / %`: `first (op operand)*`."""

    __slots__ = ("first", "rest")

    def __init__(self, first: Node, rest: tuple[tuple[str, Node], ...]) -> None:
        nodes = (first, *(node for _, node in rest))
        super().__init__(first.start, rest[-1][1].end, _depth(nodes))
        self.first = first
        self.rest = rest

    def children(self) -> tuple[Node, ...]:
        return (self.first, *(node for _, node in self.rest))


class Call(Node):
    """A call of one of the documented [FUNCTIONS][]."""

    __slots__ = ("args", "name")

    def __init__(self, name: str, args: tuple[Node, ...], start: int, end: int) -> None:
        super().__init__(start, end, _depth(args) if args else 1)
        self.name = name
        self.args = args

    def children(self) -> tuple[Node, ...]:
        return self.args


# ---------------------------------------------------------------------------- the parser

_COMPARISONS: Final = frozenset({"==", "!=", "<", "<=", ">", ">="})


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.nesting = 0

    # -- helpers
    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def is_op(self, value: str) -> bool:
        token = self.tokens[self.index]
        return token.type == "op" and token.value == value

    def is_word(self, value: str) -> bool:
        token = self.tokens[self.index]
        return token.type == "name" and token.value == value

    def error(self, offset: int, message: str) -> PolicyDefinitionError:
        return definition_error(self.text, offset, message)

    def check(self, node: Node) -> Node:
        if node.depth > MAX_DEPTH:
            raise self.error(node.start, f"nested more than {MAX_DEPTH} levels deep")
        return node

    def enter(self, offset: int) -> None:
        self.nesting += 1
        if self.nesting > MAX_DEPTH:
            raise self.error(offset, f"nested more than {MAX_DEPTH} levels deep")

    def leave(self) -> None:
        self.nesting -= 1

    def describe(self, token: Token) -> str:
        if token.type == "end":
            return "the end of the expression"
        return repr(self.text[token.start : token.end])

    # -- grammar
    def parse(self) -> Node:
        if self.token.type == "end":
            raise self.error(0, "the expression is empty")
        node = self.parse_or()
        if self.token.type != "end":
            token = self.token
            raise self.error(token.start, f"unexpected {self.describe(token)}")
        return node

    def parse_or(self) -> Node:
        node = self.parse_and()
        if not self.is_word("or"):
            return node
        operands = [node]
        while self.is_word("or"):
            self.advance()
            operands.append(self.parse_and())
        return self.check(Logic("or", tuple(operands)))

    def parse_and(self) -> Node:
        node = self.parse_not()
        if not self.is_word("and"):
            return node
        operands = [node]
        while self.is_word("and"):
            self.advance()
            operands.append(self.parse_not())
        return self.check(Logic("and", tuple(operands)))

    def parse_not(self) -> Node:
        if self.is_word("not"):
            token = self.advance()
            self.enter(token.start)
            operand = self.parse_not()
            self.leave()
            return self.check(Not(operand, token.start))
        return self.parse_comparison()

    def comparison_op(self) -> str | None:
        token = self.token
        if token.type == "op" and token.value in _COMPARISONS:
            return str(token.value)
        if token.type == "name" and token.value == "in":
            return "in"
        if token.type == "name" and token.value == "not":
            following = self.tokens[self.index + 1]
            if following.type == "name" and following.value == "in":
                return "not in"
        return None

    def parse_comparison(self) -> Node:
        left = self.parse_sum()
        op = self.comparison_op()
        if op is None:
            return left
        if op in ("in", "not in"):
            self.advance()
            if op == "not in":
                self.advance()
            right = self.parse_sum()
            node = self.check(Member(left, right, negated=op == "not in"))
            following = self.comparison_op()
            if following is not None:
                raise self.error(
                    self.token.start,
                    f"`{op}` cannot be chained with {following!r}; add parentheses",
                )
            return node
        operands = [left]
        ops: list[str] = []
        while op is not None:
            if op in ("in", "not in"):
                raise self.error(
                    self.token.start, f"`{op}` cannot be chained with comparisons; add parentheses"
                )
            self.advance()
            ops.append(op)
            operands.append(self.parse_sum())
            op = self.comparison_op()
        return self.check(Compare(tuple(operands), tuple(ops)))

    def parse_sum(self) -> Node:
        first = self.parse_product()
        rest: list[tuple[str, Node]] = []
        while self.is_op("+") or self.is_op("-"):
            op = str(self.advance().value)
            rest.append((op, self.parse_product()))
        if not rest:
            return first
        return self.check(Arith(first, tuple(rest)))

    def parse_product(self) -> Node:
        first = self.parse_unary()
        rest: list[tuple[str, Node]] = []
        while self.is_op("*") or self.is_op("/") or self.is_op("%"):
            op = str(self.advance().value)
            rest.append((op, self.parse_unary()))
        if not rest:
            return first
        return self.check(Arith(first, tuple(rest)))

    def parse_unary(self) -> Node:
        if self.is_op("-") or self.is_op("+"):
            token = self.advance()
            self.enter(token.start)
            operand = self.parse_unary()
            self.leave()
            if token.value == "-" and isinstance(operand, Const) and operand.kind == "number":
                # Fold negative literals so that `-5` is a constant, as a reader expects.
                value = operand.value
                assert isinstance(value, (int, float))  # noqa: S101 - narrows a type the code already guarantees
                return Const(-value, "number", token.start, operand.end)
            return self.check(Negate(operand, negative=token.value == "-", start=token.start))
        return self.parse_primary()

    def parse_primary(self) -> Node:  # noqa: C901, PLR0911 - one branch per case, kept in one place
        token = self.token
        if token.type == "number":
            self.advance()
            return Const(token.value, "number", token.start, token.end)
        if token.type == "string":
            self.advance()
            return Const(token.value, "string", token.start, token.end)
        if token.type == "op" and token.value == "(":
            return self.parse_parenthesis()
        if token.type == "op" and token.value == "[":
            self.advance()
            return self.parse_list(token.start, "]")
        if token.type == "name":
            word = str(token.value)
            if word in ("true", "false"):
                self.advance()
                return Const(word == "true", "boolean", token.start, token.end)
            if word in KEYWORDS:
                raise self.error(token.start, f"unexpected keyword {word!r}")
            hint = _RESERVED.get(word)
            if hint is not None:
                raise self.error(token.start, f"{word!r} is not part of the language; {hint}")
            following = self.tokens[self.index + 1]
            if following.type == "op" and following.value == "(":
                return self.parse_call()
            return self.parse_field()
        if token.type == "end":
            raise self.error(token.start, "the expression ends too early")
        raise self.error(token.start, f"unexpected {self.describe(token)}")

    def parse_parenthesis(self) -> Node:
        opening = self.advance()
        self.enter(opening.start)
        if self.is_op(")"):
            raise self.error(opening.start, "empty parentheses")
        node = self.parse_or()
        if self.is_op(","):
            # A tuple of literals, as in `x in ('a', 'b')`.
            self.leave()
            return self.parse_list(opening.start, ")", first=node)
        if not self.is_op(")"):
            raise self.error(
                self.token.start,
                f"expected ')' to close the '(' at column {opening.start + 1}, "
                f"found {self.describe(self.token)}",
            )
        self.advance()
        self.leave()
        return node

    def parse_list(self, start: int, closing: str, first: Node | None = None) -> Node:
        self.enter(start)
        items: list[Node] = []
        if first is not None:
            items.append(first)
            self.advance()  # the comma after the first item
        while not self.is_op(closing):
            items.append(self.parse_or())
            if self.is_op(","):
                self.advance()
                continue
            if not self.is_op(closing):
                raise self.error(
                    self.token.start,
                    f"expected ',' or {closing!r}, found {self.describe(self.token)}",
                )
        end = self.advance().end
        self.leave()
        values: list[object] = []
        kinds: set[str] = set()
        for item in items:
            if not isinstance(item, Const):
                raise self.error(
                    item.start, "list items must be literal numbers, strings or booleans"
                )
            values.append(item.value)
            kinds.add(item.kind)
        if len(kinds) > 1:
            raise self.error(
                start,
                "list items must all be of one kind (all numbers, all strings or all booleans)",
            )
        kind: Kind = items[0].kind if items else "any"  # type: ignore[attr-defined]
        return self.check(ListConst(tuple(values), kind, start, end))

    def parse_call(self) -> Node:
        name_token = self.advance()
        name = str(name_token.value)
        opening = self.advance()  # "("
        self.enter(opening.start)
        spec = FUNCTIONS.get(name)
        if spec is None:
            known = ", ".join(sorted(FUNCTIONS))
            raise self.error(
                name_token.start, f"unknown function {name!r}; the functions are: {known}"
            )
        args: list[Node] = []
        while not self.is_op(")"):
            args.append(self.parse_or())
            if self.is_op(","):
                self.advance()
                if self.is_op(")"):
                    break
                continue
            if not self.is_op(")"):
                raise self.error(
                    self.token.start, f"expected ',' or ')', found {self.describe(self.token)}"
                )
        end = self.advance().end
        self.leave()
        fewest, most, _, _ = spec
        if len(args) < fewest or (most != -1 and len(args) > most):
            wanted = (
                f"{fewest}"
                if fewest == most
                else f"at least {fewest}"
                if most == -1
                else f"{fewest} to {most}"
            )
            raise self.error(
                name_token.start, f"{name}() takes {wanted} argument(s), got {len(args)}"
            )
        return self.check(Call(name, tuple(args), name_token.start, end))

    def parse_field(self) -> Node:
        token = self.advance()
        parts = [self.name_part(token)]
        end = token.end
        while self.is_op("."):
            dot = self.advance()
            nxt = self.token
            if nxt.type != "name":
                raise self.error(dot.start, "a '.' must be followed by a field name")
            self.advance()
            if self.is_op("("):
                raise self.error(
                    nxt.start, "methods cannot be called; only the documented functions"
                )
            parts.append(self.name_part(nxt))
            end = nxt.end
        if self.is_op("["):
            raise self.error(self.token.start, "fields cannot be indexed; read keys with '.'")
        return FieldRef(tuple(parts), token.start, end)

    def name_part(self, token: Token) -> str:
        word = str(token.value)
        if word.startswith("_"):
            raise self.error(token.start, f"field names start with a letter, not {word!r}")
        if word in KEYWORDS or word in _RESERVED:
            raise self.error(token.start, f"{word!r} is a reserved word, not a field name")
        return word


def parse(text: str) -> Node:
    """Parse `text` into an expression tree.

    Raises:
        PolicyDefinitionError: If `text` is not an expression of the language, is longer
            than [MAX_LENGTH][] characters or nested deeper than [MAX_DEPTH][] levels.
    """
    if not isinstance(text, str):
        raise PolicyDefinitionError(f"an expression is text (a str), not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise PolicyDefinitionError(
            f"the expression is {len(text)} characters long; the limit is {MAX_LENGTH}",
            line=1,
            column=MAX_LENGTH + 1,
        )
    try:
        return _Parser(text).parse()
    except RecursionError:  # pragma: no cover - only when the caller's stack is nearly full
        raise PolicyDefinitionError(
            "the expression is nested too deeply for the remaining stack"
        ) from None
