"""Tests for stool.batch: scoring tables, and validating every column."""

from __future__ import annotations

import math
import subprocess
import sys

import attrs
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

import stool
from stool import Authority, Channel, Interaction, ValidationError
from stool.batch import CHUNK_ROWS, OUTPUT_COLUMNS, score_batch
from stool.models import StoolModel, Thresholds
from stool.scoring import score
from stool.strategies import interactions, stool_models

KINDS = ("pandas", "arrow", "numpy")


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

    def test_importable_from_stool(self):
        """`score_batch` loads lazily from the top-level package."""
        assert stool.score_batch is score_batch
