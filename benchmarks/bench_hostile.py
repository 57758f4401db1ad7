"""Benchmark stool against hostile input: every input under 1 MB is accepted or refused fast.

Run it with:

    .venv/bin/python benchmarks/bench_hostile.py

For each hostile input (policy files built to make error reporting, locating or parsing
slow, unbounded reads, expressions that grow integers, contexts that cannot be
recorded), it prints:

- its size;
- the CPU time stool takes to accept or refuse it (target: under 2 s);
- that time as a ratio of a floor measured in the same run: parsing the same bytes with
  the format's own parser alone (`tomllib`, `json`, PyYAML's C loader), where there is one;
- the length of the error message (target: at most 64 KB).

Times are CPU time of this process (`time.process_time`), the best of three runs.
"""

from __future__ import annotations

import json
import platform
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomllib
import yaml

import stool
from stool.modelfile import model_from_toml
from stool.policy import PolicyBook, compile_expression, load_example

if TYPE_CHECKING:
    from collections.abc import Callable

LIMIT_BYTES = 1_000_000
TARGET_SECONDS = 2.0
TARGET_MESSAGE = 64 * 1024


def fill(make: Callable[[int], str], limit: int = LIMIT_BYTES) -> str:
    """Return make(n) for the largest n (by doubling, then bisection) that stays under `limit`."""
    low, high = 1, 2
    while len(make(high).encode()) < limit:
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        if len(make(middle).encode()) < limit:
            low = middle
        else:
            high = middle
    return make(low)


def rule_toml(index: int, quantity: str) -> str:
    """One limit rule in TOML."""
    return (
        f'[[rule]]\nid = "r{index}"\nkind = "limit"\nquantity = "{quantity}"\nmax = 30\n'
        f'bend = {{ agent = 5 }}\nrationale = "r"\n'
    )


def unknown_fields_toml(n: int) -> str:
    """Many declared fields, and as many rules each reading an undeclared one."""
    fields = "".join(f"field_number_{i} = 'number'\n" for i in range(n))
    rules = "".join(rule_toml(i, f"undeclared_{i}") for i in range(n))
    return f'name = "hostile"\n[context]\n{fields}{rules}'


def unknown_rules_toml(n: int) -> str:
    """Many rules, and as many tests naming a rule that does not exist."""
    rules = "".join(rule_toml(i, "days") for i in range(n))
    tests = "".join(
        f'[[test]]\nname = "t{i}"\ncontext = {{ days = 1 }}\nexpect = "compliant"\n'
        f'findings = {{ missing_{i} = "bent" }}\n'
        for i in range(n)
    )
    return f'name = "hostile"\n{rules}{tests}'


def unknown_keys_toml(n: int) -> str:
    """One rule with a great many unknown keys."""
    keys = "".join(f"unknown_key_{i} = 1\n" for i in range(n))
    return f'name = "hostile"\n{rule_toml(0, "days")}{keys}'


def unknown_keys_data(n: int) -> dict[str, Any]:
    """The same book as data."""
    rule: dict[str, Any] = {
        "id": "r0",
        "kind": "limit",
        "quantity": "days",
        "max": 30,
        "bend": {"agent": 5},
        "rationale": "r",
    }
    rule |= {f"unknown_key_{i}": 1 for i in range(n)}
    return {"name": "hostile", "rule": [rule]}


def unknown_keys_json(n: int) -> str:
    """One rule with a great many unknown keys, in JSON (one key per line)."""
    return json.dumps(unknown_keys_data(n), indent=1)


def unknown_keys_yaml(n: int) -> str:
    """One rule with a great many unknown keys, in YAML."""
    return yaml.safe_dump(unknown_keys_data(n), sort_keys=False)


def many_problems_json(n: int) -> str:
    """Many rules, each with several problems."""
    rules = [
        {"id": f"r{i}", "kind": "limit", "quantity": "days $", "max": "x", "bend": {"boss": -1}}
        for i in range(n)
    ]
    return json.dumps({"name": "hostile", "rule": rules})


def valid_yaml(n: int) -> str:
    """A valid book of many rules, in YAML."""
    rules = [
        {
            "id": f"r{i}",
            "kind": "limit",
            "applies": f"action == 'refund' and days_since_purchase > {i % 7}",
            "quantity": "refund_amount",
            "max": "purchase_price",
            "bend": {"agent": "10%", "supervisor": "25%"},
            "rationale": "A refund never exceeds the price paid.",
        }
        for i in range(n)
    ]
    return yaml.safe_dump({"name": "big", "rule": rules}, sort_keys=False)


def deep_json(n: int) -> str:
    """Brackets nested as deep as the size allows."""
    return "[" * n + "]" * n


def long_keys_json(n: int) -> str:
    """A rule whose unknown key is a very long string."""
    return json.dumps({"name": "hostile", "rule": [{"id": "r", "k" * n: 1}]})


Case = tuple[str, str, str | None, "Callable[[str], Any] | None"]


def hostile_files() -> list[Case]:
    """(name, text, format, floor parser) for each hostile policy source."""
    return [
        ("TOML: 1 rule, unknown keys", fill(unknown_keys_toml), "toml", tomllib.loads),
        ("TOML: undeclared fields", fill(unknown_fields_toml), "toml", tomllib.loads),
        ("TOML: tests naming unknown rules", fill(unknown_rules_toml), "toml", tomllib.loads),
        ("JSON: 1 rule, unknown keys", fill(unknown_keys_json), "json", json.loads),
        ("JSON: many rules, many problems", fill(many_problems_json), "json", json.loads),
        ("JSON: a 1 MB key", fill(long_keys_json), "json", json.loads),
        ("JSON: deep nesting", fill(deep_json), "json", None),
        ("YAML: 1 rule, unknown keys", fill(unknown_keys_yaml), "yaml", yaml_floor),
        ("YAML: a valid book", fill(valid_yaml), "yaml", yaml_floor),
    ]


def yaml_floor(text: str) -> Any:
    """PyYAML's C-accelerated safe loader alone."""
    return yaml.load(text, Loader=yaml.CSafeLoader)


def cpu(function: Callable[[], Any], repeat: int = 3) -> tuple[float, str]:
    """Return the best CPU time of `function` and the error message it raised, if any."""
    best = float("inf")
    message = ""
    for _ in range(repeat):
        start = time.process_time()
        try:
            function()
        except stool.StoolError as error:
            message = str(error)
        best = min(best, time.process_time() - start)
    return best, message


def load(text: str, fmt: str) -> Any:
    """Load a book from text in a format."""
    return getattr(PolicyBook, f"from_{fmt}")(text)


def other_cases() -> list[tuple[str, int, Callable[[], Any]]]:
    """(name, size, function) for hostile inputs that are not policy sources."""
    product = " * ".join(["x"] * 2400)
    growing = compile_expression(product)
    book = load_example("conduct")
    plain = {
        "deceives_customer": False,
        "insults_customer": False,
        "changes_account": False,
        "identity_verified": True,
    }
    cyclic: dict[str, Any] = dict(plain)
    cyclic["self"] = cyclic
    wide: list[Any] = []
    for _ in range(20):
        wide = [wide, wide]
    keys = "".join(f"unknown_{i} = 1\n" for i in range(40_000))
    model = f'format = "stool.model"\nversion = 1\n[customer]\n{keys}'
    cases: list[tuple[str, int, Callable[[], Any]]] = [
        ("model file: 40,000 unknown keys (TOML)", len(model), lambda: model_from_toml(model)),
        ("expression: product of 2,400 x, x = 2**52", len(product), lambda: growing({"x": 2**52})),
        (
            "expression: product of 2,400 x, x = 10**4000",
            len(product),
            lambda: growing({"x": 10**4000}),
        ),
        ("evaluate: a context holding itself", 0, lambda: book.evaluate(cyclic)),
        (
            "evaluate: a context sharing lists 2**20 ways",
            0,
            lambda: book.evaluate(plain | {"w": wide}),
        ),
    ]
    if Path("/dev/zero").exists():
        cases.append(
            ("read: /dev/zero as a policy file", 0, lambda: PolicyBook.from_toml(Path("/dev/zero")))
        )
    return cases


def main() -> None:
    """Print every figure, and whether each target is met."""
    print(f"Python {platform.python_version()}, PyYAML {yaml.__version__}, {platform.machine()}")
    print(f"{'input':46} {'bytes':>9} {'stool s':>8} {'floor s':>8} {'ratio':>7} {'message':>9}")
    worst_time = 0.0
    worst_message = 0
    for name, text, fmt, floor in hostile_files():
        assert fmt is not None
        seconds, message = cpu(lambda text=text, fmt=fmt: load(text, fmt))
        floor_seconds = cpu(lambda text=text, floor=floor: floor(text))[0] if floor else None
        ratio = f"{seconds / floor_seconds:6.1f}x" if floor_seconds else "      -"
        floor_text = f"{floor_seconds:8.3f}" if floor_seconds is not None else "       -"
        print(
            f"{name:46} {len(text.encode()):9,} {seconds:8.3f} {floor_text} {ratio} "
            f"{len(message):9,}"
        )
        worst_time = max(worst_time, seconds)
        worst_message = max(worst_message, len(message))
    for name, size, function in other_cases():
        seconds, message = cpu(function)
        print(f"{name:46} {size:9,} {seconds:8.3f} {'-':>8} {'-':>7} {len(message):9,}")
        worst_time = max(worst_time, seconds)
        worst_message = max(worst_message, len(message))
    print()
    print(
        f"slowest: {worst_time:.3f} s (target < {TARGET_SECONDS} s): "
        + ("met" if worst_time < TARGET_SECONDS else "NOT MET")
    )
    print(
        f"longest message: {worst_message:,} characters (target <= {TARGET_MESSAGE:,}): "
        + ("met" if worst_message <= TARGET_MESSAGE else "NOT MET")
    )
    sys.exit(0 if worst_time < TARGET_SECONDS and worst_message <= TARGET_MESSAGE else 1)


if __name__ == "__main__":
    main()
