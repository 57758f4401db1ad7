"""Tests for stool.batch: scoring tables, and validating every column."""

from __future__ import annotations

import math
import subprocess
import sys

import attrs
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import stool
from stool import Authority, Channel, Interaction, ValidationError
from stool.batch import CHUNK_ROWS, OUTPUT_COLUMNS, score_batch
from stool.interaction import FIELD_SPECS
from stool.models import StoolModel, Thresholds
from stool.scoring import score
from stool.strategies import interactions, stool_models

KINDS = ("pandas", "arrow", "numpy")
TEXT_COLUMNS = ("customer_type", "customer_status", "company_status", "agent_status")
NUMBER_FIELDS = sorted(
    name
    for name, spec in FIELD_SPECS.items()
    if spec is not None and spec.kind in ("real", "int", "bool")
)


def table(rows: list[Interaction], kind: str):
    """The interactions as a table of `kind`, columns as `unstructure` writes them."""
    records = [stool.unstructure(row) for row in rows]
    frame = pd.DataFrame.from_records(records, columns=list(records[0]))
    if kind == "pandas":
        return frame
    if kind == "arrow":
        return pa.Table.from_pylist(records)
    return {name: np.asarray(frame[name].tolist()) for name in frame.columns}


def column(result, kind: str, name: str) -> list:
    if kind == "pandas":
        return result[name].tolist()
    if kind == "arrow":
        return result.column(name).to_pylist()
    return result[name].tolist()


def assert_agrees(result, kind: str, rows: list[Interaction], model=None) -> None:
    """Row k of the batch result equals `score` of row k, flags and types included."""
    got = {name: column(result, kind, name) for name in OUTPUT_COLUMNS}
    assert len(got["customer"]) == len(rows)
    for k, row in enumerate(rows):
        expected = score(row, model)
        for leg in ("customer", "company", "agent"):
            assert got[leg][k] == pytest.approx(getattr(expected, leg).value, abs=1e-9)
            assert got[f"{leg}_at_risk"][k] is getattr(expected, leg).at_risk
            assert got[f"{leg}_coverage"][k] == pytest.approx(getattr(expected, leg).coverage)
            assert got[f"{leg}_status"][k] == getattr(expected, leg).status.name
        assert got["collapsed"][k] is expected.collapsed
        kind_name = got["customer_type"][k]
        if expected.customer_type is None:
            assert kind_name is None or math.isnan(kind_name)  # None, or NaN in pandas
        else:
            assert kind_name == expected.customer_type.name
        assert got["predicted_csat"][k] == pytest.approx(expected.predicted_csat, abs=1e-9)
        assert got["p_low"][k] == pytest.approx(expected.p_low, abs=1e-9)


class TestAgreement:
    @pytest.mark.parametrize("kind", KINDS)
    @given(rows=st.lists(interactions(), min_size=1, max_size=25))
    def test_batch_agrees_with_score(self, kind, rows):
        """Every row of the batch equals `score` of that row, to 1e-9."""
        assert_agrees(score_batch(table(rows, kind)), kind, rows)

    @given(rows=st.lists(interactions(), min_size=1, max_size=10), at_risk=st.floats(0.1, 0.9))
    def test_agrees_under_another_model(self, rows, at_risk):
        """A non-default model is used by both paths alike."""
        model = StoolModel(thresholds=Thresholds(at_risk=at_risk, collapse=at_risk / 2))
        model = attrs.evolve(model, customer=attrs.evolve(model.customer, fulfilment_weight=1.0))
        assert_agrees(score_batch(table(rows, "pandas"), model), "pandas", rows, model)

    @given(rows=st.lists(interactions(), min_size=1, max_size=10), model=stool_models())
    def test_agrees_under_any_model(self, rows, model):
        """Any valid model, weights and curves included, gives the same rows on both paths."""
        assert_agrees(score_batch(table(rows, "numpy"), model), "numpy", rows, model)

    def test_many_chunks(self):
        """A table longer than one chunk is scored row by row all the same."""
        rng = np.random.default_rng(7)
        rows = CHUNK_ROWS * 2 + 17
        data = {
            "fulfilment": rng.random(rows),
            "customer_abuse": rng.random(rows),
            "breaks": rng.integers(0, 2, rows),
            "handle_time_s": rng.uniform(0, 1200, rows),
        }
        result = score_batch(data, absent="default")
        for k in (0, CHUNK_ROWS - 1, CHUNK_ROWS, rows - 1):
            interaction = Interaction(**{name: values[k].item() for name, values in data.items()})
            expected = score(interaction)
            assert result["agent"][k] == pytest.approx(expected.agent.value, abs=1e-9)
            assert result["company_at_risk"][k] == expected.company.at_risk

    @pytest.mark.parametrize("kind", KINDS)
    def test_missing_columns_take_defaults(self, kind):
        """With absent="default", columns left out take the Interaction defaults."""
        rows = [Interaction(fulfilment=0.0), Interaction(fulfilment=0.5)]
        data = {"fulfilment": [0.0, 0.5]}
        if kind == "pandas":
            data = pd.DataFrame(data)
        elif kind == "arrow":
            data = pa.table(data)
        else:
            data = {"fulfilment": np.array([0.0, 0.5])}
        assert_agrees(score_batch(data, absent="default"), kind, rows)

    @pytest.mark.parametrize("kind", KINDS)
    def test_missing_columns_are_unknown_by_default(self, kind):
        """Unknowable columns left out are not observed in any row, as None in score()."""
        unknown = dict.fromkeys(stool.interaction.UNKNOWABLE_FIELDS)
        rows = [Interaction(**(unknown | {"wait_time_s": wait})) for wait in (60.0, 172800.0)]
        data = {"wait_time_s": [60.0, 172800.0]}
        if kind == "pandas":
            data = pd.DataFrame(data)
        elif kind == "arrow":
            data = pa.table(data)
        else:
            data = {"wait_time_s": np.array([60.0, 172800.0])}
        result = score_batch(data)
        assert_agrees(result, kind, rows)
        assert column(result, kind, "customer_status") == ["NOT_ENOUGH_EVIDENCE", "AT_RISK"]
        assert column(result, kind, "customer_coverage")[0] < 0.5

    def test_absent_must_be_known(self):
        """An unknown value of `absent` is refused, naming it."""
        with pytest.raises(ValidationError, match=r"score_batch\.absent"):
            score_batch({"fulfilment": np.array([1.0])}, absent="guess")

    def test_csat_changes_nothing(self):
        """A csat column is validated but never read."""
        base = {"fulfilment": np.array([0.0, 1.0])}
        with_csat = base | {"csat": np.array([5, 1])}
        first, second = score_batch(base), score_batch(with_csat)
        for name in OUTPUT_COLUMNS:
            assert np.array_equal(first[name], second[name])


class TestShapes:
    def test_returns_a_dataframe_with_the_same_index(self):
        """A DataFrame in gives a DataFrame out, with the input's index."""
        frame = pd.DataFrame({"fulfilment": [1.0, 0.0]}, index=["a", "b"])
        result = score_batch(frame, absent="default")
        assert isinstance(result, pd.DataFrame)
        assert list(result.index) == ["a", "b"]
        assert tuple(result.columns) == OUTPUT_COLUMNS
        assert result["customer"].dtype == np.float64
        assert result["company_at_risk"].dtype == bool
        assert list(result["customer_type"]) == ["SATISFIED", "DISSATISFIED"]

    def test_frame_from_blocks_is_a_whole_frame(self, monkeypatch):
        """The frame made from pandas' blocks equals pandas' public way, and behaves as one."""
        from stool import _readers  # noqa: PLC0415 - the private fast path, under test

        frame = pd.DataFrame(
            {"fulfilment": [1.0, 0.2, np.nan], "breaks": [0, 1, 0]}, index=[10, 20, 30]
        )
        fast = score_batch(frame)
        monkeypatch.setattr(_readers, "_pandas_internals", lambda: None)
        public = score_batch(frame)
        pd.testing.assert_frame_equal(fast, public)
        assert list(fast.index) == [10, 20, 30]
        # A frame pandas can change and combine as any other.
        fast.loc[20, "customer"] = 0.0
        fast["note"] = "x"
        both = pd.concat([fast, public])
        expected = [public.loc[10, "customer"], 0.0, public.loc[30, "customer"]]
        assert both["customer"].tolist()[:3] == expected
        assert both["customer_status"].dtype == public["customer_status"].dtype
        assert len(both) == 6

    def test_returns_an_arrow_table(self):
        """An arrow Table in gives an arrow Table out."""
        result = score_batch(pa.table({"breaks": [0, 2]}))
        assert isinstance(result, pa.Table)
        assert tuple(result.column_names) == OUTPUT_COLUMNS
        assert result.column("agent_at_risk").to_pylist() == [False, True]

    def test_returns_a_mapping_of_arrays(self):
        """A mapping in gives a dict of numpy arrays out."""
        result = score_batch({"extra_mile": np.array([True, False])}, absent="default")
        assert isinstance(result, dict)
        assert tuple(result) == OUTPUT_COLUMNS
        assert all(isinstance(values, np.ndarray) for values in result.values())
        assert result["customer_type"].tolist() == ["VERY_SATISFIED", "SATISFIED"]

    @pytest.mark.parametrize("kind", KINDS)
    def test_empty_table(self, kind):
        """A table without rows gives columns without rows."""
        data = {"fulfilment": np.array([], dtype=float)}
        if kind == "pandas":
            data = pd.DataFrame(data)
        elif kind == "arrow":
            data = pa.table(data)
        result = score_batch(data)
        assert len(column(result, kind, "customer")) == 0

    def test_other_columns_are_ignored_when_asked(self):
        """With extra_columns="ignore", columns that are not fields (ids) are let through."""
        frame = pd.DataFrame({"ticket": ["T-1", "T-2"], "fulfilment": [1.0, 0.0], 3: [0, 0]})
        plain = score_batch(pd.DataFrame({"fulfilment": [1.0, 0.0]}))
        pd.testing.assert_frame_equal(score_batch(frame, extra_columns="ignore"), plain)

    @pytest.mark.parametrize("kind", ["pandas", "arrow", "mapping"])
    def test_other_columns_are_an_error_by_default(self, kind):
        """A column that is not a field is rejected, naming it and the closest field."""
        data = {"fulfillment": np.array([1.0, 0.0])}
        if kind == "pandas":
            data = pd.DataFrame(data)
        elif kind == "arrow":
            data = pa.table(data)
        with pytest.raises(ValidationError, match="did you mean 'fulfilment'") as info:
            score_batch(data)
        assert info.value.value == "fulfillment"
        assert "extra_columns='ignore'" in info.value.allowed

    def test_non_string_column_names_are_an_error_by_default(self):
        """A column label that is not a string cannot be a field, and is named."""
        with pytest.raises(ValidationError) as info:
            score_batch(pd.DataFrame({"fulfilment": [1.0], 3: [0]}))
        assert info.value.value == 3

    def test_extra_columns_takes_only_error_or_ignore(self):
        """Any other extra_columns value is rejected, naming the argument."""
        with pytest.raises(ValidationError, match="extra_columns"):
            score_batch({"fulfilment": np.array([1.0])}, extra_columns="drop")

    def test_mapping_without_fields_still_has_rows(self):
        """A mapping of only foreign columns scores that many default interactions."""
        result = score_batch(
            {"ticket": np.array(["T-1", "T-2", "T-3"])}, extra_columns="ignore", absent="default"
        )
        assert len(result["customer"]) == 3
        assert result["customer"][0] == pytest.approx(score(Interaction()).customer.value)

    def test_enum_columns_take_names_or_members(self):
        """Enum columns hold member names, members, categoricals or arrow dictionaries."""
        names = pd.DataFrame({"channel": ["CALL", "EMAIL"], "authority": ["AGENT", "MANAGER"]})
        members = pd.DataFrame(
            {"channel": [Channel.CALL, Channel.EMAIL], "authority": list(Authority)[::2]}
        )
        categories = names.astype("category")
        arrow = pa.table({"channel": pa.array(["CALL", "CHAT"]).dictionary_encode()})
        for data in (names, members, categories, arrow, {"channel": np.array(["CALL"])}):
            assert len(column(score_batch(data), _kind(data), "customer")) >= 1

    def test_nullable_pandas_dtypes(self):
        """pandas' nullable Int64, Float64, boolean and string dtypes are read as such."""
        frame = pd.DataFrame(
            {
                "csat": pd.array([5, None], dtype="Int64"),
                "promised_days": pd.array([4.0, None], dtype="Float64"),
                "delivered_days": pd.array([6.0, 1.0], dtype="Float64"),
                "transfers": pd.array([1, 2], dtype="Int64"),
                "thanked": pd.array([True, False], dtype="boolean"),
                "channel": pd.array(["CHAT", "EMAIL"], dtype="string"),
            }
        )
        rows = [
            Interaction(csat=5, promised_days=4, delivered_days=6, transfers=1, thanked=True),
            Interaction(delivered_days=1, transfers=2, channel=Channel.EMAIL),
        ]
        assert_agrees(score_batch(frame, absent="default"), "pandas", rows)

    @pytest.mark.parametrize("kind", KINDS)
    def test_nan_means_not_observed_in_unknowable_columns(self, kind):
        """NaN or null in an unknowable column is None in score(): the factor drops out."""
        rows = [
            Interaction(fulfilment=0.2, thanked=True),
            Interaction(fulfilment=None, thanked=None),
            Interaction(fulfilment=1.0, thanked=False),
        ]
        result = score_batch(table(rows, kind), absent="default")
        assert_agrees(result, kind, rows)
        assert column(result, kind, "customer_coverage")[1] < 1.0

    @pytest.mark.parametrize("absent", [None, math.nan])
    def test_null_means_absent_in_optional_columns(self, absent):
        """A null or NaN promise is no promise."""
        frame = pd.DataFrame({"promised_days": [3.0, absent], "delivered_days": [5.0, 5.0]})
        rows = [Interaction(promised_days=3, delivered_days=5), Interaction(delivered_days=5)]
        assert_agrees(score_batch(frame, absent="default"), "pandas", rows)
        objects = {"promised_days": np.array([3.0, absent], dtype=object)}
        assert not math.isnan(score_batch(objects)["customer"][1])

    def test_import_stool_does_not_import_numpy(self):
        """Importing stool and scoring one interaction never imports numpy or pandas."""
        code = (
            "import sys, stool\n"
            "stool.score(stool.Interaction()); stool.StoolModel()\n"
            "import stool.batch\n"
            "bad = {'numpy', 'pandas', 'pyarrow'} & set(sys.modules)\n"
            "assert not bad, bad\n"
        )
        subprocess.run([sys.executable, "-c", code], check=True)  # noqa: S603 - our own code


def _kind(data) -> str:
    if isinstance(data, pd.DataFrame):
        return "pandas"
    if isinstance(data, pa.Table):
        return "arrow"
    return "numpy"


# (column, values with the first bad one at index 2, the bad value as reported)
BAD_COLUMNS = [
    ("fulfilment", [0.5, 1.0, 1.5, 2.0], 1.5),
    ("fulfilment", [0.5, 1.0, math.inf, 0.1], math.inf),
    ("professionalism", [0.5, 1.0, -0.1, 0.1], -0.1),
    ("handle_time_s", [1.0, 2.0, math.inf, 3.0], math.inf),
    ("wait_time_s", [1.0, 2.0, -1.0, 3.0], -1.0),
    ("aht_target_s", [1.0, 2.0, 0.0, 3.0], 0.0),
    ("customer_value", [1.0, 2.0, -math.inf, 3.0], -math.inf),
    ("transfers", [0, 1, -1, 2], -1),
    ("repeat_contacts", [0.0, 1.0, 1.5, 2.0], 1.5),
    ("breaks", [0.0, 1.0, math.nan, 2.0], math.nan),
    ("csat", [1.0, 5.0, 6.0, math.nan], 6.0),
    ("csat", [1.0, 5.0, 0.0, 2.0], 0.0),
    ("promised_days", [1.0, math.nan, -2.0, 2.0], -2.0),
    ("extra_mile", [0, 1, 1, 0], 0),
    ("concession_cost", [True, False, True, False], True),
    ("channel", ["CALL", "CHAT", "PHONE", "EMAIL"], "PHONE"),
    ("authority", ["AGENT", "agent", " AGENT", "MANAGER"], " AGENT"),
]


class TestValidation:
    @pytest.mark.parametrize("kind", KINDS)
    @pytest.mark.parametrize(("name", "values", "bad"), BAD_COLUMNS)
    def test_bad_column_names_column_row_and_value(self, kind, name, values, bad):
        """The error names the column, the first bad row and the value found there."""
        rows_before_bad = 0 if name in ("extra_mile", "concession_cost") else 2
        data = {name: np.asarray(values)}
        if kind == "pandas":
            data = pd.DataFrame(data)
        elif kind == "arrow":
            data = pa.table(data)
        with pytest.raises(stool.ValidationError) as caught:
            score_batch(data)
        error = caught.value
        assert error.field == name
        assert error.row == rows_before_bad
        if rows_before_bad == 2:
            assert error.value == bad or (math.isnan(bad) and math.isnan(error.value))
        assert f"(row {error.row})" in str(error)

    @pytest.mark.parametrize(
        ("name", "values", "row"),
        [
            ("fulfilment", [0.5, "high"], 1),
            ("transfers", [1, 2.5], 1),
            ("transfers", [1, 10**400], 1),
            ("thanked", [True, "yes"], 1),
            ("csat", [None, 7], 1),
            ("channel", ["CALL", ["CALL"]], 1),
            ("channel", ["CALL", 3], 1),
        ],
    )
    def test_object_columns_are_checked_value_by_value(self, name, values, row):
        """Columns of Python objects get the same checks, one value at a time."""
        data = {name: np.array(values, dtype=object)}
        with pytest.raises(stool.ValidationError) as caught:
            score_batch(data)
        assert (caught.value.field, caught.value.row) == (name, row)
        assert caught.value.value == values[row]

    def test_nullable_ints_with_missing_values(self):
        """A missing value in a required nullable column is an error at its row."""
        frame = pd.DataFrame({"bends": pd.array([1, None], dtype="Int64")})
        with pytest.raises(stool.ValidationError) as caught:
            score_batch(frame)
        assert (caught.value.field, caught.value.row) == ("bends", 1)

    def test_categorical_with_unknown_category(self):
        """A categorical enum column with an unknown category names its first row."""
        frame = pd.DataFrame({"channel": pd.Categorical(["CALL", "FAX", "CALL"])})
        with pytest.raises(stool.ValidationError) as caught:
            score_batch(frame)
        assert (caught.value.field, caught.value.row, caught.value.value) == ("channel", 1, "FAX")

    def test_columns_of_different_lengths(self):
        """A mapping whose columns differ in length is rejected, naming the column."""
        with pytest.raises(stool.ValidationError, match="breaks"):
            score_batch({"fulfilment": np.zeros(3), "breaks": np.zeros(2, dtype=int)})

    def test_two_dimensional_column(self):
        """A column must be one-dimensional."""
        with pytest.raises(stool.ValidationError, match="fulfilment"):
            score_batch({"fulfilment": np.zeros((2, 2))})

    def test_repeated_column(self):
        """A DataFrame with a field column twice is rejected, naming it."""
        frame = pd.DataFrame([[1.0, 0.5]], columns=["fulfilment", "fulfilment"])
        with pytest.raises(stool.ValidationError, match="fulfilment"):
            score_batch(frame)

    @pytest.mark.parametrize("data", [[Interaction(), {"fulfilment": 1.0}], "table", 3.0, None])
    def test_unsupported_data(self, data):
        """Anything but a table or an iterable of Interactions is rejected."""
        with pytest.raises(stool.ValidationError, match=r"score_batch\.data"):
            score_batch(data)

    def test_bad_model(self):
        """The model must be a StoolModel or None."""
        with pytest.raises(stool.ValidationError, match=r"score_batch\.model"):
            score_batch({"fulfilment": np.zeros(1)}, model="default")

    @settings(max_examples=250)  # cheap examples; each mistake takes a rare mix to show
    @given(data=st.data())
    def test_blocks_are_checked_as_columns_are(self, data):
        """A small frame, checked a block at a time, accepts and refuses as columns do.

        A mapping of arrays is checked column by column; the same columns as a frame
        (its floats, integers and booleans each in one block) must give the same scores,
        or the same error at the same column and row.
        """
        names = data.draw(st.lists(st.sampled_from(NUMBER_FIELDS), min_size=1, max_size=4))
        rows = data.draw(st.integers(1, 4))
        columns = {}
        for name in dict.fromkeys(names):
            kind = FIELD_SPECS[name].kind
            if kind == "bool" or data.draw(st.booleans()):  # integers, or booleans
                cells = st.booleans() if kind == "bool" else st.integers(-2, 3)
            else:
                # A blank half the time: blanks are where the fields differ most.
                cells = st.sampled_from([0.0, 0.5, 1.0, -0.5, 2.0, 1e300, math.inf])
                cells |= st.just(math.nan)
            columns[name] = np.array(data.draw(st.lists(cells, min_size=rows, max_size=rows)))
        blank = data.draw(st.sampled_from(["unknown", "error"]))

        def outcome(table):
            try:
                result = score_batch(table, blank=blank)
            except ValidationError as error:
                return (error.field, error.row)
            numbers = [name for name in OUTPUT_COLUMNS if name not in TEXT_COLUMNS]
            return {name: np.asarray(result[name]).tolist() for name in numbers}

        assert outcome(pd.DataFrame(columns)) == outcome(columns)

    def test_importable_from_stool(self):
        """`score_batch` loads lazily from the top-level package."""
        assert stool.score_batch is score_batch


def as_kind(frame: pd.DataFrame, kind: str):
    """The pandas frame as a table of `kind`: polars, an Arrow RecordBatch, a pandas frame."""
    if kind == "polars":
        return pl.from_arrow(pa.Table.from_pandas(frame, preserve_index=False))
    if kind == "record_batch":
        return pa.RecordBatch.from_pandas(frame, preserve_index=False)
    return frame


def as_pandas(result, kind: str) -> pd.DataFrame:
    """A result of any table kind as a pandas frame, names as strings."""
    if kind == "polars":
        result = result.to_arrow()
    if kind in ("polars", "record_batch"):
        result = pa.Table.from_batches([result]) if kind == "record_batch" else result
        return result.to_pandas()
    return result


class TestMoreKinds:
    @pytest.mark.parametrize("kind", ["polars", "record_batch"])
    @given(rows=st.lists(interactions(), min_size=1, max_size=15))
    def test_agrees_with_pandas(self, kind, rows):
        """A polars frame or a RecordBatch gives the pandas frame's scores, row for row."""
        frame = table(rows, "pandas")
        expected = score_batch(frame, reasons=True)
        result = score_batch(as_kind(frame, kind), reasons=True)
        got = as_pandas(result, kind)
        for name in expected.columns:
            assert got[name].astype(object).where(got[name].notna(), None).tolist() == (
                expected[name].astype(object).where(expected[name].notna(), None).tolist()
            ), name

    def test_returns_the_kind_given(self):
        """polars in gives polars out (through Arrow); a RecordBatch gives a RecordBatch."""
        frame = pd.DataFrame({"fulfilment": [1.0, 0.0], "channel": ["call", "Email"]})
        assert isinstance(score_batch(as_kind(frame, "polars")), pl.DataFrame)
        batch = score_batch(as_kind(frame, "record_batch"))
        assert isinstance(batch, pa.RecordBatch)
        assert tuple(batch.schema.names) == OUTPUT_COLUMNS

    def test_polars_categoricals_and_enums(self):
        """polars Categorical and Enum columns are read through their categories."""
        frame = pl.DataFrame(
            {
                "channel": pl.Series(["chat", "EMAIL", "chat"], dtype=pl.Categorical),
                "authority": pl.Series(
                    ["MANAGER", "AGENT", "AGENT"], dtype=pl.Enum(["AGENT", "MANAGER"])
                ),
            }
        )
        rows = [
            Interaction(channel=Channel.CHAT, authority=Authority.MANAGER),
            Interaction(channel=Channel.EMAIL),
            Interaction(channel=Channel.CHAT),
        ]
        unknown = dict.fromkeys(stool.interaction.UNKNOWABLE_FIELDS)
        expected = [attrs.evolve(row, **unknown) for row in rows]
        assert_agrees(score_batch(frame).to_arrow(), "arrow", expected)

    @given(rows=st.lists(interactions(), max_size=10))
    def test_interactions_give_scores(self, rows):
        """An iterable of Interactions gives the list of their scores, in order."""
        assert score_batch(iter(rows)) == [score(row) for row in rows]

    def test_interactions_under_a_model(self):
        """The model given scores every Interaction of the iterable."""
        model = StoolModel(thresholds=Thresholds(at_risk=0.99, collapse=0.1))
        (result,) = score_batch([Interaction()], model)
        assert result == score(Interaction(), model)

    def test_an_item_that_is_not_an_interaction(self):
        """An item that is not an Interaction is refused, naming its position."""
        with pytest.raises(ValidationError) as info:
            score_batch([Interaction(), Interaction(), "call"])
        assert info.value.row == 2


class TestEnumCase:
    @pytest.mark.parametrize("kind", ["pandas", "string", "category", "arrow", "dict", "numpy"])
    def test_names_in_any_case(self, kind):
        """Enum names are read in any case from every kind of column."""
        values = ["call", "Chat", "EMAIL", "cHaT"]
        frame = pd.DataFrame({"channel": values, "authority": ["manager", "Agent"] * 2})
        if kind == "string":
            frame = frame.astype("string")
        elif kind == "category":
            frame = frame.astype("category")
        data = frame
        if kind in ("arrow", "dict"):
            data = pa.Table.from_pandas(frame.astype(object), preserve_index=False)
            if kind == "dict":
                data = pa.table({name: data.column(name).dictionary_encode() for name in frame})
        elif kind == "numpy":
            data = {name: np.asarray(frame[name].tolist()) for name in frame}
        result = score_batch(data, absent="default")
        channels = [Channel.CALL, Channel.CHAT, Channel.EMAIL, Channel.CHAT]
        authorities = [Authority.MANAGER, Authority.AGENT] * 2
        rows = [
            Interaction(channel=c, authority=a) for c, a in zip(channels, authorities, strict=True)
        ]
        assert_agrees(result, _kind(data), rows)

    @pytest.mark.parametrize("kind", ["pandas", "category", "arrow", "dict", "polars"])
    def test_blank_enum_cell_names_its_row(self, kind):
        """A blank in an enum column is refused at its row, whatever the column's kind.

        pandas' Arrow strings and Arrow text are coded by Arrow, whose dictionaries from
        polars have unsigned indices; a blank is the one code that is not a member.
        """
        values = ["CALL", "chat", None, "email"]
        data = pd.DataFrame({"channel": pd.array(values, dtype="str")})
        if kind == "category":
            data = data.astype("category")
        elif kind in ("arrow", "dict"):
            data = pa.table({"channel": pa.array(values)})
            if kind == "dict":
                data = pa.table({"channel": data.column("channel").dictionary_encode()})
        elif kind == "polars":
            data = pl.DataFrame({"channel": pl.Series(values, dtype=pl.Categorical)})
        with pytest.raises(ValidationError) as caught:
            score_batch(data)
        assert (caught.value.field, caught.value.row) == ("channel", 2)

    @pytest.mark.parametrize("kind", ["pandas", "arrow"])
    def test_enum_text_checked_by_distinct_values_gives_each_rows_member(self, kind):
        """A text enum column the formulas skip is checked once per value, coded when asked."""
        from stool._readers import reader_of  # noqa: PLC0415 - the private path under test
        from stool._reasons import interaction_at  # noqa: PLC0415
        from stool._validate import DeferredCodes  # noqa: PLC0415
        from stool.batch import _read_columns  # noqa: PLC0415

        authorities = ["manager", "Agent", "SUPERVISOR", "agent", "Manager"]
        data = pd.DataFrame({"authority": authorities})
        if kind == "arrow":
            data = pa.table({"authority": authorities})
        columns, rows = _read_columns(reader_of(data), StoolModel(), unknown=True)
        assert isinstance(columns["authority"], DeferredCodes)
        found = [interaction_at(columns, row).authority for row in range(rows)]
        assert found == [Authority[name.upper()] for name in authorities]


class TestBlank:
    def test_blank_in_a_required_column_names_label_and_position(self):
        """A blank where no blank is allowed names the column, the row and its label."""
        frame = pd.DataFrame({"transfers": [1.0, None, 2.0]}, index=["T-1", "T-2", "T-3"])
        with pytest.raises(ValidationError) as info:
            score_batch(frame)
        error = info.value
        assert (error.field, error.row, error.label) == ("transfers", 1, "T-2")
        assert "row 1, label 'T-2'" in str(error)
        assert "blank" in error.allowed

    def test_default_index_has_no_label(self):
        """A frame indexed 0, 1, 2, ... reports positions only."""
        with pytest.raises(ValidationError) as info:
            score_batch(pd.DataFrame({"channel": ["CALL", None]}))
        assert (info.value.row, info.value.label) == (1, None)

    @pytest.mark.parametrize("kind", ["pandas", "arrow", "polars"])
    @pytest.mark.parametrize(
        ("name", "values"),
        [
            ("fulfilment", [0.5, None, 1.0]),
            ("extra_mile", [True, None, False]),
            ("prior_bad_experiences", [1, None, 0]),
        ],
    )
    def test_blank_error_refuses_unknowable_blanks(self, kind, name, values):
        """blank="error" refuses a blank in an unknowable column; "unknown" reads None."""
        frame = pd.DataFrame({name: pd.Series(values, dtype=object)})
        data = pa.Table.from_pandas(frame, preserve_index=False) if kind != "pandas" else frame
        if kind == "polars":
            data = pl.from_arrow(data)
        with pytest.raises(ValidationError) as info:
            score_batch(data, blank="error")
        assert (info.value.field, info.value.row) == (name, 1)
        assert "blank='error'" in info.value.allowed
        result = as_pandas(score_batch(data), "polars" if kind == "polars" else "pandas")
        if kind == "arrow":
            result = result.to_pandas()
        expected = score(Interaction(**dict.fromkeys(stool.interaction.UNKNOWABLE_FIELDS)))
        assert result["customer"][1] == pytest.approx(expected.customer.value)

    def test_blank_must_be_known(self):
        """An unknown value of `blank` is refused, naming it."""
        with pytest.raises(ValidationError, match=r"score_batch\.blank"):
            score_batch({"fulfilment": np.array([1.0])}, blank="zero")

    def test_absent_fields_may_be_blank_either_way(self):
        """A blank promise is no promise even with blank="error"."""
        frame = pd.DataFrame({"promised_days": [3.0, None], "fulfilment": [1.0, 1.0]})
        assert len(score_batch(frame, blank="error")) == 2


class TestFromRow:
    @given(rows=st.lists(interactions(), min_size=1, max_size=10))
    def test_rows_explain_the_batch(self, rows):
        """score(Interaction.from_row(row k)) equals row k of the batch, for every k."""
        frame = table(rows, "pandas")
        result = score_batch(frame)
        for k in range(len(rows)):
            rebuilt = Interaction.from_row(frame.iloc[k])
            assert rebuilt == rows[k]
            assert result["customer"].iloc[k] == pytest.approx(score(rebuilt).customer.value)

    @given(rows=st.lists(interactions(), min_size=1, max_size=5))
    def test_polars_rows(self, rows):
        """A polars row (`row(k, named=True)`) reads back as the interaction."""
        data = as_kind(table(rows, "pandas"), "polars")
        assert [Interaction.from_row(data.row(k, named=True)) for k in range(len(rows))] == rows

    def test_absent_unknowable_fields_are_not_observed(self):
        """A row without an unknowable field reads it as None, as score_batch does."""
        row = Interaction.from_row({"fulfilment": 0.5})
        assert row.empathy is None
        assert row.transfers == 0
        assert Interaction.from_row({"fulfilment": 0.5}, absent="default").empathy == 1.0

    def test_blank_cells(self):
        """NaN, None and pd.NA are blank: not observed, or an error with blank="error"."""
        for blank_cell in (math.nan, None, pd.NA, np.float32("nan")):
            assert Interaction.from_row({"empathy": blank_cell}).empathy is None
            with pytest.raises(ValidationError, match=r"Interaction\.empathy"):
                Interaction.from_row({"empathy": blank_cell}, blank="error")
        with pytest.raises(ValidationError, match="not a blank"):
            Interaction.from_row({"transfers": math.nan})
        assert Interaction.from_row({"promised_days": None}, blank="error").promised_days is None

    def test_cells_as_tables_hold_them(self):
        """Whole floats count as whole numbers, numpy scalars as numbers, names in any case."""
        row = Interaction.from_row(
            {
                "transfers": 2.0,
                "bends": np.float64(1.0),
                "breaks": np.int64(1),
                "thanked": np.bool_(True),
                "channel": "email",
                "authority": "Supervisor",
            }
        )
        assert (row.transfers, row.bends, row.breaks, row.thanked) == (2, 1, 1, True)
        assert (row.channel, row.authority) == (Channel.EMAIL, Authority.SUPERVISOR)
        with pytest.raises(ValidationError, match=r"Interaction\.transfers"):
            Interaction.from_row({"transfers": 2.5})

    def test_extra_columns(self):
        """A key that is not a field is refused with a hint, or skipped when asked."""
        with pytest.raises(ValidationError, match="did you mean 'fulfilment'"):
            Interaction.from_row({"fulfillment": 1.0})
        row = Interaction.from_row({"ticket": "T-1", "fulfilment": 1.0}, extra_columns="ignore")
        assert row.fulfilment == 1.0

    @pytest.mark.parametrize(
        ("keyword", "value"), [("extra_columns", "drop"), ("absent", "x"), ("blank", "zero")]
    )
    def test_bad_options(self, keyword, value):
        """A bad option is refused, naming it."""
        with pytest.raises(ValidationError, match=rf"from_row\.{keyword}"):
            Interaction.from_row({}, **{keyword: value})

    @pytest.mark.parametrize("row", [None, 3, ["fulfilment"], dict])
    def test_not_a_mapping(self, row):
        """Anything but a mapping of column names is refused."""
        with pytest.raises(ValidationError, match=r"from_row\.row"):
            Interaction.from_row(row)


class TestReasons:
    @given(rows=st.lists(interactions(), min_size=1, max_size=15))
    def test_top_reason_of_each_leg_at_risk(self, rows):
        """Each reason column holds the leg's first reason where it is at risk, else null."""
        result = score_batch(table(rows, "numpy"), reasons=True)
        assert tuple(result) == OUTPUT_COLUMNS + stool.batch.REASON_COLUMNS
        for k, row in enumerate(rows):
            expected = score(row)
            for leg in ("customer", "company", "agent"):
                scored = getattr(expected, leg)
                wanted = scored.reasons[0] if scored.at_risk else None
                assert result[f"{leg}_reason"][k] == wanted

    def test_reasons_in_arrow_and_pandas(self):
        """Reasons are strings in Arrow and objects in pandas, null where the leg holds."""
        frame = pd.DataFrame({"breaks": [0, 1]})
        arrow = score_batch(pa.Table.from_pandas(frame), reasons=True)
        assert arrow.column("company_reason").type == pa.string()
        assert arrow.column("company_reason")[0].as_py() is None
        assert "broken" in arrow.column("company_reason")[1].as_py()
        assert score_batch(frame, reasons=True)["company_reason"].dtype == object

    def test_reasons_must_be_a_bool(self):
        """reasons is True or False."""
        with pytest.raises(ValidationError, match=r"score_batch\.reasons"):
            score_batch({"fulfilment": np.array([1.0])}, reasons=1)


class TestScoreBatches:
    def test_file_in_chunks_equals_the_whole(self, tmp_path):
        """Scoring a file chunk by chunk gives the rows the whole table gives."""
        rng = np.random.default_rng(3)
        rows = 1_000
        frame = pd.DataFrame(
            {
                "fulfilment": rng.random(rows),
                "channel": rng.choice(["call", "CHAT", "Email"], rows),
                "transfers": rng.integers(0, 3, rows),
            }
        )
        path = tmp_path / "calls.csv"
        stool.write_table(frame, path)
        parts = list(stool.batch.score_batches(path, chunk_size=300))
        assert [len(part) for part in parts] == [300, 300, 300, 100]
        joined = pd.concat(parts)
        whole = score_batch(stool.read_table(path))
        assert joined.index.tolist() == list(range(rows))
        np.testing.assert_allclose(joined["customer"], whole["customer"], rtol=0, atol=1e-12)
        arrow = list(stool.batch.score_batches(path, chunk_size=300, to="arrow"))
        assert all(isinstance(part, pa.Table) for part in arrow)

    def test_bad_row_names_file_line_and_row(self, tmp_path):
        """A bad value in a later chunk is reported with the file, its line and its row."""
        path = tmp_path / "calls.csv"
        lines = ["fulfilment,transfers"] + ["1.0,0"] * 7 + ["1.0,"] + ["1.0,1"] * 3
        path.write_text("\n".join(lines) + "\n")
        with pytest.raises(stool.TableError) as info:
            list(stool.batch.score_batches(path, chunk_size=3))
        error = info.value
        assert (error.row, error.line, error.column) == (7, 9, "transfers")

    def test_iterable_of_tables(self):
        """An iterable of tables yields each one's scores, of its own kind."""
        frames = [pd.DataFrame({"fulfilment": [1.0]}), pa.table({"fulfilment": [0.0, 0.5]})]
        parts = list(stool.batch.score_batches(iter(frames)))
        assert isinstance(parts[0], pd.DataFrame)
        assert isinstance(parts[1], pa.Table)

    @pytest.mark.parametrize("source", [3, b"calls.csv", {"fulfilment": [1.0]}])
    def test_bad_source(self, source):
        """A source that is neither a file name nor an iterable of tables is refused."""
        with pytest.raises(ValidationError, match=r"score_batches\.source"):
            stool.batch.score_batches(source)
