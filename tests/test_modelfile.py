"""Tests for stool.modelfile: models saved as TOML or JSON and loaded back exactly.

The model's field names are read from the model itself (or drawn by its strategies), never
listed here, so these tests keep working as fields are added to StoolModel.
"""

from __future__ import annotations

import copy
import json
import math
import pickle
import subprocess
import sys
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import stool
from stool import Channel, StoolError, ValidationError
from stool import modelfile as mf
from stool._fields import Spec, spec_of
from stool.modelfile import _comments, _parsing, _reading, _writing
from stool.models import StoolModel
from stool.strategies import stool_models

HEADER = 'format = "stool.model"\nversion = 1\n'

tomllib = _parsing._toml_module()  # the standard library's tomllib, or tomli on Python 3.10


# ------------------------------------------------------------------- the model's own names


def tables() -> list[str]:
    """The top-level fields of StoolModel that are tables (nested attrs values)."""
    model = StoolModel()
    return [
        a.name
        for a in attrs.fields(StoolModel)
        if a.init and attrs.has(type(getattr(model, a.name)))
    ]


def numbers(table: str) -> list[tuple[str, Spec]]:
    """The required real-number fields of a table, with their specs, in field order."""
    cls = type(getattr(StoolModel(), table))
    found = []
    for a in attrs.fields(cls):
        spec = spec_of(a)
        if a.init and spec is not None and spec.kind == "real" and not spec.optional:
            found.append((a.name, spec))
    return found


def first_number() -> tuple[str, str, Spec]:
    """The first table of the model and its first required number field."""
    for table in tables():
        fields = numbers(table)
        if fields:
            return table, fields[0][0], fields[0][1]
    raise AssertionError("StoolModel has no table with a number")  # pragma: no cover


def drop_none(data: Any) -> Any:
    """Unstructured data without the keys whose value is None (as TOML writes it)."""
    if isinstance(data, dict):
        return {k: drop_none(v) for k, v in data.items() if v is not None}
    return data


def problems_of(info: pytest.ExceptionInfo[mf.ModelFileError]) -> list[str]:
    """The dotted keys the problems of a ModelFileError name, in order."""
    return [problem.field for problem in info.value.problems]


# --------------------------------------------------------- a model shaped like future ones


@attrs.frozen(kw_only=True)
class Curve:
    """A calibration-like part: a tuple of numbers, a float, a string and an enum."""

    cutpoints: tuple[float, float, float, float] = attrs.field(
        default=(-1.0, 0.0, 1.0, 2.0), converter=tuple
    )
    slope: float = 1.0
    label: str = "fitted"
    channel: Channel = Channel.CALL


@attrs.frozen(kw_only=True)
class Deep:
    """A part holding a part, and a number."""

    curve: Curve = attrs.Factory(Curve)
    weight: float = 0.5


@attrs.frozen(kw_only=True)
class Outer:
    """A root with a scalar, an optional part, nested parts and an init=False field."""

    scale: float = 1.0
    calibration: Curve | None = None
    deep: Deep = attrs.Factory(Deep)
    maybe: float | None = None
    count: int = 3
    _hidden: float = attrs.field(default=0.0, alias="hidden")
    derived: float = attrs.field(init=False, default=0.0, eq=False)

    def __attrs_post_init__(self) -> None:
        if self.scale > 100.0:
            raise ValidationError("Outer.scale", self.scale, "a number <= 100")


@attrs.frozen(kw_only=True)
class Stubborn:
    """A root whose optional number has a default that is not None."""

    level: float | None = 0.5


FLOATS = st.floats(allow_nan=False, allow_infinity=False)
CURVES = st.builds(
    Curve,
    cutpoints=st.tuples(FLOATS, FLOATS, FLOATS, FLOATS),
    slope=FLOATS,
    label=st.text(st.characters(exclude_categories=["Cs"])),
    channel=st.sampled_from(Channel),
)
OUTERS = st.builds(
    Outer,
    scale=st.floats(max_value=100.0, allow_nan=False, allow_infinity=False),
    calibration=st.none() | CURVES,
    deep=st.builds(Deep, curve=CURVES, weight=FLOATS),
    maybe=st.none() | FLOATS,
    count=st.integers(-(2**63), 2**63 - 1),
    hidden=FLOATS,
)


# ----------------------------------------------------------------------------------- tests


class TestRoundTrip:
    """A saved model loads back equal to the one saved, bit for bit."""

    @given(model=stool_models())
    def test_toml(self, model):
        """model_from_toml(model_to_toml(m)) equals m, float reprs included."""
        loaded = mf.model_from_toml(mf.model_to_toml(model))
        assert loaded == model
        assert repr(loaded) == repr(model)

    @given(model=stool_models())
    def test_json(self, model):
        """model_from_json(model_to_json(m)) equals m, float reprs included."""
        loaded = mf.model_from_json(mf.model_to_json(model))
        assert loaded == model
        assert repr(loaded) == repr(model)

    @given(model=stool_models())
    def test_toml_without_comments(self, model):
        """The compact TOML (no key comments) round-trips too."""
        assert mf.model_from_toml(mf.model_to_toml(model, comments=False)) == model

    @given(model=stool_models())
    def test_writing_is_stable(self, model):
        """Writing a loaded model gives the very same text (deterministic, diff-friendly)."""
        text = mf.model_to_toml(model)
        assert mf.model_to_toml(mf.model_from_toml(text)) == text
        data = mf.model_to_json(model)
        assert mf.model_to_json(mf.model_from_json(data)) == data

    @given(model=stool_models())
    def test_toml_is_the_unstructured_model(self, model):
        """The TOML holds exactly the model's unstructured data (None left out)."""
        data = tomllib.loads(mf.model_to_toml(model))
        assert data.pop("format") == mf.FORMAT
        assert data.pop("version") == mf.FORMAT_VERSION
        assert data == drop_none(stool.unstructure(model))

    @given(model=stool_models())
    def test_json_is_the_unstructured_model(self, model):
        """The JSON holds the model's unstructured data (None left out) and the header."""
        data = json.loads(mf.model_to_json(model))
        assert (data.pop("format"), data.pop("version")) == (mf.FORMAT, mf.FORMAT_VERSION)
        assert isinstance(data.pop("comment"), str)
        assert data == drop_none(stool.unstructure(model))

    @given(
        value=st.floats(min_value=0.0, exclude_min=True, allow_infinity=False),
        data=st.data(),
    )
    def test_awkward_floats(self, value, data):
        """Subnormals, huge values and long fractions survive the file exactly."""
        table, name, spec = first_number()
        value = min(value, spec.high)
        model = StoolModel()
        part = attrs.evolve(getattr(model, table), **{name: value})
        model = attrs.evolve(model, **{table: part})
        fmt = data.draw(st.sampled_from(["toml", "json"]))
        text = mf.model_to_toml(model) if fmt == "toml" else mf.model_to_json(model)
        loaded = mf.model_from_toml(text) if fmt == "toml" else mf.model_from_json(text)
        assert getattr(getattr(loaded, table), name).hex() == value.hex()

    @given(model=stool_models(), suffix=st.sampled_from([".toml", ".json", ".TOML", ".Json"]))
    def test_save_and_load_files(self, tmp_path_factory, model, suffix):
        """save_model then load_model on a real file gives the model back."""
        path = tmp_path_factory.mktemp("models") / f"model{suffix}"
        mf.save_model(model, path)
        assert mf.load_model(path) == model
        assert mf.load_model(str(path)) == model

    def test_suffix_picks_the_format(self, tmp_path):
        """A .toml file holds TOML and a .json file holds JSON."""
        mf.save_model(StoolModel(), tmp_path / "m.toml")
        mf.save_model(StoolModel(), tmp_path / "m.json")
        assert tomllib.loads((tmp_path / "m.toml").read_text(encoding="utf-8"))["version"] == 1
        assert json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))["version"] == 1

    @pytest.mark.parametrize("fmt", ["toml", "json"])
    def test_other_suffixes_are_sniffed(self, tmp_path, fmt):
        """A file with another suffix is read as JSON if it starts with '{', else TOML."""
        model = attrs.evolve(StoolModel(), thresholds=stool.Thresholds(at_risk=0.7))
        text = mf.model_to_toml(model) if fmt == "toml" else mf.model_to_json(model)
        path = tmp_path / "shared.model"
        path.write_text(text, encoding="utf-8")
        assert mf.load_model(path) == model

    def test_byte_order_mark(self, tmp_path):
        """A file saved with a UTF-8 byte order mark (as some editors do) still loads."""
        path = tmp_path / "bom.toml"
        path.write_bytes(b"\xef\xbb\xbf" + mf.model_to_toml(StoolModel()).encode())
        assert mf.load_model(path) == StoolModel()

    def test_top_level_api(self, tmp_path):
        """stool.load_model and stool.save_model are the modelfile functions."""
        assert stool.load_model is mf.load_model
        assert stool.save_model is mf.save_model
        stool.save_model(StoolModel(), tmp_path / "m.toml")
        assert stool.load_model(tmp_path / "m.toml") == StoolModel()

    def test_import_stool_does_not_load_it(self):
        """`import stool` leaves stool.modelfile unloaded until load_model is touched."""
        code = (
            "import sys, stool\n"
            "print('stool.modelfile' in sys.modules)\n"
            "stool.load_model\n"
            "print('stool.modelfile' in sys.modules)\n"
        )
        result = subprocess.run(  # noqa: S603 - runs this interpreter on our own code
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert result.stdout.split() == ["False", "True"]


class TestGenericWalk:
    """The file follows any attrs model: nested, optional and future parts included."""

    @given(value=OUTERS)
    def test_toml_round_trip(self, value):
        """Scalars at the top, optional and nested-in-nested tables, tuples, strings and
        enums all round-trip through TOML."""
        text = _writing._dump_toml(value, comments=True)
        loaded = _reading._load(text, "toml", "<string>", Outer)
        assert loaded == value
        assert repr(loaded) == repr(value)

    @given(value=OUTERS)
    def test_json_round_trip(self, value):
        """The same values round-trip through JSON."""
        loaded = _reading._load(_writing._dump_json(value), "json", "<string>", Outer)
        assert loaded == value
        assert repr(loaded) == repr(value)

    def test_layout(self):
        """Top-level scalars come before the tables; nested parts get dotted headers."""
        value = Outer(calibration=Curve(cutpoints=(0.5, 1.0, 1.5, 2.0)))
        text = _writing._dump_toml(value, comments=False)
        lines = text.splitlines()
        assert lines.index("scale = 1.0") < lines.index("[calibration]")
        assert "cutpoints = [0.5, 1.0, 1.5, 2.0]" in lines
        assert lines.index("[deep]") < lines.index("[deep.curve]")
        assert 'channel = "CALL"' in lines
        assert "_hidden = 0.0" in lines
        assert not any(line.startswith(("derived", "maybe")) for line in lines)

    def test_absent_optional_table(self):
        """An optional table that is None is left out (shown commented) and reads as None."""
        text = _writing._dump_toml(Outer(), comments=True)
        assert "# [calibration] (not set)" in text.splitlines()
        assert _reading._load(text, "toml", "<string>", Outer).calibration is None

    def test_none_with_other_default_in_toml(self):
        """TOML cannot leave out a None whose default is not None: an error names the key."""
        with pytest.raises(ValidationError, match="TOML has no null") as info:
            _writing._dump_toml(Stubborn(level=None), comments=False)
        assert info.value.field == "level"

    def test_none_with_other_default_in_json(self):
        """JSON writes that None as null, and reads it back as None."""
        text = _writing._dump_json(Stubborn(level=None))
        assert json.loads(text)["level"] is None
        assert _reading._load(text, "json", "<string>", Stubborn) == Stubborn(level=None)

    def test_cross_field_error_is_repathed(self):
        """A check in __attrs_post_init__ names the dotted key, not the class."""
        with pytest.raises(mf.ModelFileError) as info:
            _reading._load(HEADER + "scale = 200.0\n", "toml", "<string>", Outer)
        assert problems_of(info) == ["scale"]

    def test_wrong_tuple_length(self):
        """A tuple of four numbers given three is an error naming the key."""
        text = HEADER + "[deep.curve]\ncutpoints = [1.0, 2.0, 3.0]\n"
        with pytest.raises(mf.ModelFileError, match="a list of 4 items") as info:
            _reading._load(text, "toml", "<string>", Outer)
        assert problems_of(info) == ["deep.curve.cutpoints"]

    def test_unknown_enum_name(self):
        """An enum is written by member name; an unknown name is an error naming the key."""
        text = HEADER + '[deep.curve]\nchannel = "FAX"\n'
        with pytest.raises(mf.ModelFileError, match="CALL") as info:
            _reading._load(text, "toml", "<string>", Outer)
        assert problems_of(info) == ["deep.curve.channel"]

    def test_strings_are_escaped(self):
        """Quotes, backslashes, control characters and non-ASCII text survive TOML."""
        value = Outer(calibration=Curve(label='a "b" \\ c\n\t\x00\x7f é ☕'))
        text = _writing._dump_toml(value, comments=False)
        assert _reading._load(text, "toml", "<string>", Outer) == value

    def test_lone_surrogate_refused(self):
        """Text TOML cannot hold (a lone surrogate) is refused when writing, naming the key."""
        with pytest.raises(ValidationError) as info:
            _writing._dump_toml(Outer(calibration=Curve(label="\ud800")), comments=False)
        assert info.value.field == "calibration.label"

    def test_reserved_names_refused(self):
        """A model class with a field named like a header key cannot be written or read."""

        @attrs.frozen(kw_only=True)
        class Clash:
            version: int = 1

        with pytest.raises(TypeError, match="reserve"):
            _writing._dump_json(Clash())
        with pytest.raises(TypeError, match="reserve"):
            _reading._load(HEADER, "toml", "<string>", Clash)

    def test_stool_model_has_no_reserved_names(self):
        """StoolModel itself has no field named format, version or comment."""
        names = {a.name for a in attrs.fields(StoolModel)}
        assert names.isdisjoint({"format", "version", "comment"})


class TestHandWritten:
    """A short hand-written file of overrides is a whole model."""

    def test_only_the_header(self):
        """A file with just the header is the default model."""
        assert mf.model_from_toml(HEADER) == StoolModel()
        assert mf.model_from_json('{"format": "stool.model", "version": 1}') == StoolModel()

    def test_overrides(self):
        """Keys given are set; every key left out takes the model's default."""
        table, name, spec = first_number()
        value = 0.5 if spec.high >= 1 else spec.high / 2
        text = f"{HEADER}\n# only what differs\n[{table}]\n{name} = {value!r}  # reviewed\n"
        default = StoolModel()
        expected = attrs.evolve(
            default, **{table: attrs.evolve(getattr(default, table), **{name: value})}
        )
        assert mf.model_from_toml(text) == expected

    @given(model=stool_models(), data=st.data())
    def test_absent_tables_take_defaults(self, model, data):
        """Leaving any set of tables out of a file gives those parts their defaults."""
        dropped = data.draw(st.sets(st.sampled_from(tables())))
        written = json.loads(mf.model_to_json(model))
        for table in dropped:
            del written[table]
        loaded = mf.model_from_json(json.dumps(written))
        default = StoolModel()
        for table in tables():
            source = default if table in dropped else model
            assert getattr(loaded, table) == getattr(source, table)

    def test_whole_numbers_for_floats(self):
        """A whole number where a float belongs (600 for 600.0) is accepted as that number."""
        table, name, _ = first_number()
        text = f"{HEADER}[{table}]\n{name} = 1\n"
        assert getattr(getattr(mf.model_from_toml(text), table), name) == 1.0

    def test_comment_key(self):
        """A top-level comment string is allowed and ignored."""
        text = HEADER + 'comment = "fitted on the March export"\n'
        assert mf.model_from_toml(text) == StoolModel()

    def test_empty_table(self):
        """An empty table is that part's default."""
        text = HEADER + "".join(f"[{table}]\n" for table in tables())
        assert mf.model_from_toml(text) == StoolModel()


class TestComments:
    """The TOML explains itself to a reviewer."""

    def test_header(self):
        """The file starts by saying what it is and which stool wrote it."""
        lines = mf.model_to_toml(StoolModel(), comments=False).splitlines()
        assert lines[0].startswith("# A stool model")
        assert stool.__version__ in lines[1]
        assert lines[3:5] == ['format = "stool.model"', "version = 1"]

    def test_every_key_documented(self):
        """Every key with a spec has its allowed values in the comment just above it."""
        model = StoolModel()
        lines = mf.model_to_toml(model).splitlines()
        for table in tables():
            for name, spec in numbers(table):
                index = lines.index(f"[{table}]")
                index = next(i for i in range(index, len(lines)) if lines[i].startswith(name + " "))
                above = []
                for line in reversed(lines[:index]):
                    if not line.startswith("#"):
                        break
                    above.append(line)
                comment = " ".join(line[2:] for line in reversed(above))
                assert f"Allowed: {spec.allowed}." in comment

    def test_docstrings_become_comments(self):
        """A field's docstring, read from the source, is written above its key."""
        table, name, _ = first_number()
        doc = _comments._field_docs(type(getattr(StoolModel(), table)))[name]
        first_words = " ".join(doc.split()[:4])
        text = " ".join(mf.model_to_toml(StoolModel()).split())
        assert first_words in text

    def test_changed_values_are_marked(self):
        """A value that differs from its default says so; defaults do not."""
        table, name, spec = first_number()
        default = getattr(getattr(StoolModel(), table), name)
        value = default / 2 if default > spec.low else min(spec.high, default + 1)
        model = attrs.evolve(
            StoolModel(),
            **{table: attrs.evolve(getattr(StoolModel(), table), **{name: value})},
        )
        assert mf.model_to_toml(model).count("this file changes it") == 1
        assert "this file changes it" not in mf.model_to_toml(StoolModel())


class TestErrors:
    """Bad files raise ModelFileError naming the dotted key, the value and what is allowed."""

    def test_unknown_key_suggests(self):
        """A misspelt key names itself and the key meant."""
        table, name, _ = first_number()
        with pytest.raises(mf.ModelFileError, match="did you mean") as info:
            mf.model_from_toml(f"{HEADER}[{table}]\n{name[:-1]} = 1.0\n")
        assert problems_of(info) == [f"{table}.{name[:-1]}"]
        assert repr(f"{table}.{name}") in info.value.allowed

    def test_unknown_table_suggests(self):
        """A misspelt table names itself and the table meant."""
        table = tables()[0]
        with pytest.raises(mf.ModelFileError) as info:
            mf.model_from_toml(f"{HEADER}[{table}s]\n")
        assert problems_of(info) == [f"{table}s"]
        assert f"did you mean {table!r}?" in str(info.value)

    def test_key_in_the_wrong_table(self):
        """A key put in another table, or at the top, points to the table it belongs in."""
        first, name, _ = first_number()
        other = next(t for t in tables() if t != first and name not in dict(numbers(t)))
        with pytest.raises(mf.ModelFileError) as info:
            mf.model_from_toml(f"{HEADER}{name} = 1.0\n[{other}]\n{name} = 1.0\n")
        assert problems_of(info) == [name, f"{other}.{name}"]
        assert str(info.value).count(f"It belongs in [{first}]") == 2

    def test_unknown_key_without_a_near_name(self):
        """A key like nothing in the model lists the keys allowed there."""
        table = tables()[0]
        with pytest.raises(mf.ModelFileError, match="keys: ") as info:
            mf.model_from_toml(f"{HEADER}[{table}]\nqqqqqqqqqqqqqqqqqqqq = 1\n")
        assert problems_of(info) == [f"{table}.qqqqqqqqqqqqqqqqqqqq"]

    @given(key=st.text(min_size=1, max_size=20))
    def test_any_unknown_key(self, key):
        """Any key the model does not have is reported, never ignored."""
        table = tables()[0]
        known = {a.name for a in attrs.fields(type(getattr(StoolModel(), table)))}
        if key in known:
            return
        data = {"format": mf.FORMAT, "version": 1, table: {key: 1.0}}
        with pytest.raises(mf.ModelFileError) as info:
            mf.model_from_json(json.dumps(data))
        assert problems_of(info) == [f"{table}.{key}"]

    def test_wrong_type(self):
        """A string where a number belongs names the key."""
        table, name, _ = first_number()
        with pytest.raises(mf.ModelFileError, match="allowed: a number") as info:
            mf.model_from_toml(f'{HEADER}[{table}]\n{name} = "high"\n')
        assert problems_of(info) == [f"{table}.{name}"]
        assert info.value.value == "high"

    @pytest.mark.parametrize("literal", ["nan", "inf", "-inf", "-1.0", "1e400"])
    def test_value_the_model_rejects(self, literal):
        """A value outside the field's range gets the model's own message and the key path."""
        table, name, spec = first_number()
        with pytest.raises(mf.ModelFileError) as info:
            mf.model_from_toml(f"{HEADER}[{table}]\n{name} = {literal}\n")
        assert problems_of(info) == [f"{table}.{name}"]
        assert info.value.allowed == spec.allowed

    def test_cross_field_check(self):
        """A check across fields (collapse below at risk) names its dotted key."""
        text = HEADER + "[thresholds]\nat_risk = 0.3\ncollapse = 0.4\n"
        with pytest.raises(mf.ModelFileError, match="below the") as info:
            mf.model_from_toml(text)
        assert problems_of(info) == ["thresholds.collapse"]

    def test_table_given_as_a_value(self):
        """A number where a table belongs names the table."""
        table = tables()[0]
        with pytest.raises(mf.ModelFileError, match="a table of") as info:
            mf.model_from_toml(f"{HEADER}{table} = 1\n")
        assert problems_of(info) == [table]

    def test_every_problem_at_once(self):
        """Problems in several tables are all reported, in field order."""
        names = [(table, numbers(table)[0][0]) for table in tables() if numbers(table)]
        text = HEADER + "".join(f'[{table}]\n{name} = "x"\nzzz_typo = 1\n' for table, name in names)
        with pytest.raises(mf.ModelFileError) as info:
            mf.model_from_toml(text)
        expected = []
        for table, name in names:
            expected += [f"{table}.zzz_typo", f"{table}.{name}"]
        assert problems_of(info) == expected
        assert str(info.value).startswith(f"{len(expected)} problems in the model file <string>:")

    def test_missing_header(self):
        """A file without format and version (a policy book, say) is not a model file."""
        with pytest.raises(mf.ModelFileError) as info:
            mf.model_from_toml('name = "returns"\n')
        assert problems_of(info) == ["format", "version"]

    @pytest.mark.parametrize(
        ("line", "field"),
        [
            ('format = "stool.policy"', "format"),
            ("format = 1", "format"),
            ('version = "1"', "version"),
            ("version = true", "version"),
            ("version = 0", "version"),
            ("version = 1.0", "version"),
        ],
    )
    def test_wrong_header(self, line, field):
        """A wrong format or version value is reported, and nothing else is read."""
        header = {"format": 'format = "stool.model"', "version": "version = 1"}
        header[field] = line
        table = tables()[0]
        text = "\n".join(header.values()) + f"\n[{table}]\nnot_a_key = 1\n"
        with pytest.raises(mf.ModelFileError) as info:
            mf.model_from_toml(text)
        assert problems_of(info) == [field]

    def test_newer_version(self):
        """A file from a newer format says to upgrade stool."""
        with pytest.raises(mf.ModelFileError, match="upgrade stool") as info:
            mf.model_from_toml('format = "stool.model"\nversion = 2\n')
        assert info.value.value == 2

    def test_comment_must_be_text(self):
        """The comment key holds a string."""
        with pytest.raises(mf.ModelFileError) as info:
            mf.model_from_toml(HEADER + "comment = 3\n")
        assert problems_of(info) == ["comment"]

    def test_toml_syntax(self):
        """Text that is not TOML names the line and shows it."""
        with pytest.raises(mf.ModelFileError, match="TOML syntax") as info:
            mf.model_from_toml(HEADER + "[thresholds]\nat_risk 0.5\n")
        assert info.value.field == "<string>, line 4"
        assert info.value.value == "at_risk 0.5"

    def test_toml_unfinished(self):
        """Text that ends mid-value says so."""
        with pytest.raises(mf.ModelFileError, match="TOML"):
            mf.model_from_toml(HEADER + "x = [")

    def test_json_syntax(self):
        """Text that is not JSON names the line and shows it."""
        with pytest.raises(mf.ModelFileError, match="JSON syntax") as info:
            mf.model_from_json('{"format": "stool.model",\n "version": 1,\n}')
        assert info.value.field == "<string>, line 3"

    def test_json_duplicate_key(self):
        """A key given twice in one JSON object is an error, not a silent last-wins."""
        with pytest.raises(mf.ModelFileError, match="duplicate") as info:
            mf.model_from_json('{"format": "stool.model", "version": 1, "version": 1}')
        assert info.value.field == "version"

    def test_json_top_level_not_an_object(self):
        """A JSON list is not a model file."""
        with pytest.raises(mf.ModelFileError, match="a table of keys"):
            mf.model_from_json("[1, 2]")

    def test_json_nan(self):
        """JSON's non-standard NaN is read and then rejected by the field."""
        table, name, _ = first_number()
        data = f'{{"format": "stool.model", "version": 1, "{table}": {{"{name}": NaN}}}}'
        with pytest.raises(mf.ModelFileError) as info:
            mf.model_from_json(data)
        assert problems_of(info) == [f"{table}.{name}"]
        assert math.isnan(info.value.value)

    def test_deeply_nested(self):
        """Nesting deep enough to exhaust the parser is an error, not a crash."""
        text = '{"format": "stool.model", "version": 1, "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
        with pytest.raises(mf.ModelFileError):
            mf.model_from_json(text)

    @pytest.mark.parametrize("reader", [mf.model_from_toml, mf.model_from_json])
    def test_text_not_str(self, reader):
        """Bytes or a path given as text are refused with a pointer to load_model."""
        with pytest.raises(ValidationError, match="load_model") as info:
            reader(b"format = 1")
        assert info.value.field == "text"

    @pytest.mark.parametrize("reader", [mf.model_from_toml, mf.model_from_json])
    def test_text_too_long(self, reader):
        """Text longer than the cap is refused before it is parsed."""
        with pytest.raises(mf.ModelFileError, match="at most"):
            reader(" " * (mf.MAX_MODEL_BYTES + 1))

    def test_file_too_large(self, tmp_path):
        """A file over the cap is refused."""
        path = tmp_path / "big.toml"
        path.write_bytes(HEADER.encode() + b"#" * mf.MAX_MODEL_BYTES)
        with pytest.raises(mf.ModelFileError, match="at most") as info:
            mf.load_model(path)
        assert info.value.file == str(path)

    def test_size_is_not_trusted(self):
        """An endless file whose size reads as 0 is read only up to the cap."""
        with pytest.raises(mf.ModelFileError, match="at most"):
            mf.load_model("/dev/zero")

    def test_file_not_utf8(self, tmp_path):
        """A file that is not UTF-8 names the line of the first bad byte."""
        path = tmp_path / "latin1.toml"
        path.write_bytes(HEADER.encode() + b'comment = "caf\xe9"\n')
        with pytest.raises(mf.ModelFileError, match="UTF-8") as info:
            mf.load_model(path)
        assert info.value.field == f"{path}, line 3"

    def test_problems_name_the_file(self, tmp_path):
        """Problems in a file name the file in the message."""
        path = tmp_path / "typo.toml"
        path.write_text(HEADER + "zzz = 1\n", encoding="utf-8")
        with pytest.raises(mf.ModelFileError, match=f"in the model file {path}"):
            mf.load_model(path)

    def test_missing_file(self, tmp_path):
        """A file that does not exist raises the usual FileNotFoundError."""
        with pytest.raises(FileNotFoundError):
            mf.load_model(tmp_path / "absent.toml")

    def test_bad_path(self):
        """A path that is not a str or PathLike is refused."""
        with pytest.raises(ValidationError) as info:
            mf.load_model(3)
        assert info.value.field == "path"

    def test_save_unknown_suffix(self, tmp_path):
        """Saving needs a .toml or .json name, and writes nothing otherwise."""
        with pytest.raises(ValidationError, match=r"\.toml or \.json"):
            mf.save_model(StoolModel(), tmp_path / "model.yaml")
        assert list(tmp_path.iterdir()) == []

    @pytest.mark.parametrize(
        "writer", [mf.model_to_toml, mf.model_to_json, lambda m: mf.save_model(m, "m.toml")]
    )
    def test_not_a_model(self, writer):
        """Only a StoolModel is written."""
        with pytest.raises(ValidationError) as info:
            writer(stool.Thresholds())
        assert info.value.field == "model"


class TestModelFileError:
    """ModelFileError is a ValidationError that carries every problem."""

    def test_hierarchy(self):
        """It is caught as ValidationError, StoolError and ValueError."""
        assert issubclass(mf.ModelFileError, ValidationError)
        assert issubclass(mf.ModelFileError, StoolError)
        assert issubclass(mf.ModelFileError, ValueError)

    @given(
        problems=st.lists(
            st.builds(ValidationError, st.text(min_size=1), st.integers(), st.text()),
            min_size=1,
            max_size=4,
        ),
        file=st.none() | st.text(min_size=1),
    )
    def test_first_problem_is_its_facts(self, problems, file):
        """field, value and allowed are the first problem's; the message lists all."""
        error = mf.ModelFileError(tuple(problems), file=file)
        first = problems[0]
        assert (error.field, error.value, error.allowed) == (
            first.field,
            first.value,
            first.allowed,
        )
        assert error.problems == tuple(problems)
        assert all(str(problem) in str(error) for problem in problems)

    def test_pickle_and_copy(self):
        """It survives pickling and copying with its problems and file."""
        error = mf.ModelFileError((ValidationError("a.b", 1, "x"),), file="m.toml")
        for again in (pickle.loads(pickle.dumps(error)), copy.copy(error)):  # noqa: S301 - our own data
            assert type(again) is mf.ModelFileError
            assert again.file == "m.toml"
            assert str(again) == str(error)
            assert [p.field for p in again.problems] == ["a.b"]

    def test_needs_a_problem(self):
        """An empty list of problems is a bug in the caller."""
        with pytest.raises(ValueError, match="at least one"):
            mf.ModelFileError(())

    def test_thousands_of_problems_are_capped_and_counted(self):
        """40,000 unknown keys list the first 50 with suggestions and count the rest."""
        keys = "".join(f"unknown_{i} = 1\n" for i in range(40_000))
        text = f'format = "stool.model"\nversion = 1\n[customer]\n{keys}'
        with pytest.raises(mf.ModelFileError) as caught:
            mf.model_from_toml(text)
        error = caught.value
        assert (len(error.problems), error.omitted) == (mf.MAX_LISTED, 40_000 - mf.MAX_LISTED)
        assert "40,000 problems" in str(error)
        assert f"and {40_000 - mf.MAX_LISTED:,} more" in str(error)
        assert len(str(error)) <= 64 * 1024
        again = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own data
        assert (again.omitted, str(again)) == (error.omitted, str(error))

    def test_a_huge_problem_is_cut(self):
        """A problem quoting a megabyte of key lists at most 1,000 characters of it."""
        error = mf.ModelFileError((ValidationError("k" * 1_000_000, 1, "a" * 1_000_000),))
        assert len(str(error)) < 2_000
