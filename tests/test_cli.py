"""Tests for the `stool` command line, in-process (click's runner) and as a subprocess."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import stool
from stool import cli
from stool.batch import OUTPUT_COLUMNS, score_batch
from stool.cli._common import StoolGroup
from stool.policy import Decision, evaluate_batch, load_example
from stool.tables import read_table, write_table

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 reads TOML with tomli (the toml extra)
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
ROWS = 2_500
CHUNK = "1000"


def invoke(*args, stdin=None):
    """Run `stool ARGS` in-process and return click's result."""
    return CliRunner().invoke(cli.app, [str(a) for a in args], input=stdin)


def run_stool(*args, cwd):
    """Run `python -m stool ARGS` in a fresh interpreter."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(  # noqa: S603 - this interpreter, our own package
        [sys.executable, "-m", "stool", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
    )


def interactions(rows=ROWS, seed=7):
    """A seeded table of interactions with an id column, as a contact-center export has."""
    rng = np.random.default_rng(seed)
    promised = rng.random(rows) < 0.3
    return pd.DataFrame(
        {
            "ticket": [f"T-{k:05d}" for k in range(rows)],
            "channel": rng.choice(["CALL", "CHAT", "EMAIL"], size=rows),
            "fulfilment": rng.choice([0.0, 0.5, 1.0], size=rows),
            "professionalism": rng.random(rows),
            "empathy": rng.random(rows),
            "extra_mile": rng.random(rows) < 0.1,
            "transfers": rng.poisson(0.3, rows),
            "promised_days": np.where(promised, rng.integers(3, 7, rows), np.nan),
            "delivered_days": np.where(promised, rng.integers(2, 8, rows), np.nan),
            "customer_abuse": np.where(rng.random(rows) < 0.1, rng.random(rows), 0.0),
            "breaks": (rng.random(rows) < 0.05).astype(int),
        }
    )


def one_line(text):
    """The text holds exactly one non-empty line, and no traceback."""
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


@pytest.fixture
def calls(tmp_path, monkeypatch):
    """A CSV of ROWS interactions in the working directory, and the frame it holds."""
    monkeypatch.chdir(tmp_path)
    frame = interactions()
    write_table(frame, "calls.csv")
    return frame


@pytest.fixture
def books(tmp_path, monkeypatch):
    """The returns and conduct books as TOML files, and a broken book."""
    monkeypatch.chdir(tmp_path)
    Path("returns.toml").write_text(load_example("returns").to_toml(), encoding="utf-8")
    Path("conduct.toml").write_text(load_example("conduct").to_toml(), encoding="utf-8")
    Path("bad.toml").write_text(
        'name = "bad"\n[[rule]]\nid = "w"\nkind = "hard"\nquantity = "days"\nmax = 30\n'
        "bend = { agent = 5 }\n",
        encoding="utf-8",
    )
    return tmp_path


def reference_scores(frame):
    """What score_batch gives for the frame's Interaction columns."""
    return stool.score_batch(frame, extra_columns="ignore").reset_index(drop=True)


def assert_scores_equal(got, frame):
    """The score columns of `got` equal score_batch on `frame`, row for row."""
    expected = reference_scores(frame)
    assert len(got) == len(frame)
    for name in OUTPUT_COLUMNS:
        assert got[name].astype(expected[name].dtype).tolist() == expected[name].tolist(), name


def all_commands(group=cli.app, path=()):
    """Every command of the command line, as its path of names."""
    found = []
    for name, command in group.commands.items():
        found.append((*path, name))
        if isinstance(command, click.Group):
            found += all_commands(command, (*path, name))
    return found


class TestApp:
    """The `stool` group: help, version, errors and how commands are found."""

    def test_help_lists_the_commands(self):
        """`stool --help` lists every command group."""
        result = invoke("--help")
        assert result.exit_code == 0
        for name in ("policy", "scenario", "score"):
            assert name in result.stdout

    @pytest.mark.parametrize("path", all_commands(), ids=" ".join)
    def test_every_command_has_examples_and_exit_codes(self, path):
        """Every command's --help shows examples and the exit statuses."""
        result = invoke(*path, "--help")
        assert result.exit_code == 0
        assert "Examples:" in result.stdout
        assert "Exit status:" in result.stdout
        assert "2  bad input" in result.stdout

    def test_version(self):
        """--version prints the installed version."""
        result = invoke("--version")
        assert result.stdout.strip() == f"stool {stool.__version__}"

    def test_unknown_command(self):
        """An unknown command is one line on standard error and exit status 2."""
        result = invoke("scroe")
        assert result.exit_code == 2
        assert "scroe" in one_line(result.stderr)

    def test_entry_point(self):
        """The `stool` script of pyproject.toml runs stool.cli:main."""
        data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
        assert data["project"]["scripts"]["stool"] == "stool.cli:main"
        assert {"click>=8.2", "rich>=13"} <= set(data["project"]["dependencies"])

    def test_main_exits_with_the_status(self, capsys):
        """main() exits with the command's status."""
        with pytest.raises(SystemExit) as caught:
            cli.main(["scenario", "run", "no_such_scenario"])
        assert caught.value.code == 2
        assert "no_such_scenario" in capsys.readouterr().err

    def test_not_standalone_returns_the_status(self):
        """Called with standalone_mode=False, the group returns the status instead."""
        assert cli.app.main(["policy", "check", "missing.toml"], standalone_mode=False) == 2

    def test_a_command_is_one_file(self):
        """Every public module of stool.cli is a registered command, named after the module."""
        modules = sorted(
            p.stem for p in (ROOT / "stool" / "cli").glob("*.py") if not p.stem.startswith("_")
        )
        assert modules == sorted(cli.app.commands)

    def test_errors_are_one_line(self):
        """A StoolError or an OSError from any command is one line and exit status 2."""
        group = StoolGroup(name="stool")

        @group.command(name="read")
        def read():
            raise PermissionError(13, "Permission denied", "calls.csv")

        @group.command(name="value")
        def value():
            raise stool.ValidationError("Interaction.fulfilment", 1.5, "a number from 0 to 1")

        denied = CliRunner().invoke(group, ["read"])
        assert (denied.exit_code, denied.stderr) == (2, "stool: calls.csv: Permission denied\n")
        bad = CliRunner().invoke(group, ["value"])
        assert bad.exit_code == 2
        assert one_line(bad.stderr) == (
            "stool: Interaction.fulfilment: got 1.5; allowed: a number from 0 to 1"
        )

    def test_python_dash_m(self, tmp_path):
        """`python -m stool --help` runs the command line."""
        result = run_stool("--help", cwd=tmp_path)
        assert result.returncode == 0
        assert "Usage: stool" in result.stdout

    def test_import_stool_loads_no_cli(self):
        """`import stool` imports neither click nor Rich nor the command line."""
        code = (
            "import sys, stool; stool.read_table; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('click', 'rich') "
            "or m.startswith('stool.cli')))"
        )
        result = subprocess.run(  # noqa: S603 - this interpreter, our own code
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert result.stdout.strip() == "[]"


class TestScore:
    """`stool score` streams a file through score_batch and writes the scores."""

    def test_scores_match_score_batch(self, calls):
        """A file larger than the chunk size is scored row for row as score_batch scores it."""
        result = invoke(
            "score",
            "calls.csv",
            "-o",
            "scored.parquet",
            "--chunk-size",
            CHUNK,
            "--extra-columns",
            "ignore",
        )
        assert result.exit_code == 0, result.output
        scored = read_table("scored.parquet")
        assert list(scored.columns) == [*calls.columns, *OUTPUT_COLUMNS]
        assert scored["ticket"].tolist() == calls["ticket"].tolist()
        assert_scores_equal(scored, calls)

    def test_reasons(self, calls):
        """--reasons adds each at-risk leg's top reason, as score_batch(reasons=True) does."""
        result = invoke(
            "score", "calls.csv", "-o", "scored.parquet", "--chunk-size", CHUNK,
            "--extra-columns", "ignore", "--reasons", "--results-only",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        scored = read_table("scored.parquet")
        expected = score_batch(read_table("calls.csv"), extra_columns="ignore", reasons=True)
        for name in ("customer_reason", "company_reason", "agent_reason"):
            got = [text if isinstance(text, str) else None for text in scored[name]]
            assert got == expected[name].tolist()

    def test_blank_error(self, tmp_path):
        """--blank error refuses a blank unknowable cell, naming its line."""
        path = tmp_path / "calls.csv"
        path.write_text("fulfilment,empathy\n1.0,0.5\n0.5,\n")
        assert invoke("score", path).exit_code == 0
        result = invoke("score", path, "--blank", "error")
        assert result.exit_code == 2
        assert "line 3 (row 1), column 'empathy'" in result.output

    @pytest.mark.parametrize("source", ["csv", "parquet", "jsonl"])
    @pytest.mark.parametrize("target", ["csv", "parquet", "jsonl"])
    def test_every_format_in_and_out(self, calls, source, target):
        """Any format in, any format out, with the same scores."""
        write_table(calls, f"in.{source}")
        result = invoke(
            "score",
            f"in.{source}",
            "-o",
            f"out.{target}",
            "--chunk-size",
            CHUNK,
            "--extra-columns",
            "ignore",
            "--results-only",
        )
        assert result.exit_code == 0, result.output
        scored = read_table(f"out.{target}")
        assert list(scored.columns) == list(OUTPUT_COLUMNS)
        assert_scores_equal(scored, calls)

    def test_json_summary(self, calls):
        """--json prints the rows, legs at risk, collapsed stools and customer types."""
        result = invoke("score", "calls.csv", "--extra-columns", "ignore", "--json")
        assert result.exit_code == 0, result.output
        summary = json.loads(result.stdout)
        expected = reference_scores(calls)
        assert summary["rows"] == ROWS
        for leg in ("customer", "company", "agent"):
            assert summary["at_risk"][leg] == int(expected[f"{leg}_at_risk"].sum())
        flags = expected[["customer_at_risk", "company_at_risk", "agent_at_risk"]]
        assert summary["any_at_risk"] == int(flags.any(axis=1).sum())
        assert summary["collapsed"] == int(expected["collapsed"].sum())
        counts = expected["customer_type"].value_counts()
        assert summary["customer_types"] == {k: int(v) for k, v in counts.items() if v}
        assert summary["seconds"] >= 0

    def test_text_summary(self, calls):
        """Without --json, a summary table names the rows and the legs at risk."""
        result = invoke("score", "calls.csv", "--extra-columns", "ignore")
        assert result.exit_code == 0
        assert f"Scored {ROWS:,} rows of calls.csv" in result.stdout
        assert "customer leg at risk" in result.stdout
        assert "collapsed" in result.stdout

    def test_standard_output(self, calls):
        """-o - writes CSV on standard output and the summary on standard error."""
        result = invoke("score", "calls.csv", "-o", "-", "--extra-columns", "ignore")
        assert result.exit_code == 0
        Path("piped.csv").write_text(result.stdout, encoding="utf-8")
        assert_scores_equal(read_table("piped.csv"), calls)
        assert "Scored" in result.stderr

    def test_extra_column_is_an_error(self, calls):
        """A column that is not a field is one line naming file and column; nothing is written."""
        result = invoke("score", "calls.csv", "-o", "out.csv")
        assert result.exit_code == 2
        line = one_line(result.stderr)
        assert line.startswith("stool: calls.csv, column 'ticket': not an Interaction field")
        assert "--extra-columns ignore" in line
        assert not Path("out.csv").exists()

    def test_misspelt_column(self, tmp_path, monkeypatch):
        """A misspelt field is named with the field it is closest to."""
        monkeypatch.chdir(tmp_path)
        write_table({"fulfillment": [1.0]}, "calls.csv")
        result = invoke("score", "calls.csv")
        assert "did you mean 'fulfilment'?" in one_line(result.stderr)

    def test_bad_value_in_a_late_chunk(self, calls):
        """A bad value past the first chunk names its file, line, row and column."""
        broken = calls.copy()
        broken.loc[2_200, "fulfilment"] = 1.5
        write_table(broken, "broken.csv")
        result = invoke(
            "score",
            "broken.csv",
            "-o",
            "out.csv",
            "--chunk-size",
            CHUNK,
            "--extra-columns",
            "ignore",
        )
        assert result.exit_code == 2
        assert one_line(result.stderr) == (
            "stool: broken.csv, line 2202 (row 2200), column 'fulfilment': got 1.5; "
            "allowed: a number from 0 to 1, or None"
        )
        assert not Path("out.csv").exists()

    def test_malformed_csv_record(self, calls):
        """A record with too many fields names its line."""
        text = Path("calls.csv").read_text(encoding="utf-8").splitlines()
        text[1500] += ",extra"
        Path("broken.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
        result = invoke("score", "broken.csv", "--extra-columns", "ignore")
        assert result.exit_code == 2
        assert "broken.csv, line 1501 (row 1499)" in one_line(result.stderr)

    def test_value_of_the_wrong_type(self, calls):
        """A word in a number column names its line, column and value."""
        text = Path("calls.csv").read_text(encoding="utf-8").splitlines()
        header = text[0].split(",")
        cells = text[1800].split(",")
        cells[header.index('"empathy"')] = "high"
        text[1800] = ",".join(cells)
        Path("broken.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
        result = invoke("score", "broken.csv", "--extra-columns", "ignore")
        assert result.exit_code == 2
        assert one_line(result.stderr) == (
            "stool: broken.csv, line 1801 (row 1799), column 'empathy': got 'high'; "
            "allowed: a number"
        )

    def test_broken_json_lines(self, tmp_path, monkeypatch):
        """A line of JSON Lines that is not JSON names its line."""
        monkeypatch.chdir(tmp_path)
        Path("calls.jsonl").write_text('{"fulfilment": 1}\n{"fulfilment": \n', encoding="utf-8")
        result = invoke("score", "calls.jsonl")
        assert result.exit_code == 2
        assert "calls.jsonl, line 2 (row 1)" in one_line(result.stderr)

    def test_missing_file(self, tmp_path, monkeypatch):
        """A missing file is one line and exit status 2."""
        monkeypatch.chdir(tmp_path)
        result = invoke("score", "nope.csv")
        assert result.exit_code == 2
        assert one_line(result.stderr) == "stool: nope.csv: no such file"

    def test_unknown_suffix(self, tmp_path, monkeypatch):
        """A file of unknown format is named, with the formats stool reads."""
        monkeypatch.chdir(tmp_path)
        Path("calls.txt").write_text("a\n1\n", encoding="utf-8")
        result = invoke("score", "calls.txt")
        assert result.exit_code == 2
        assert ".csv" in one_line(result.stderr)
        assert invoke("score", "calls.txt", "--format", "csv").exit_code == 2  # 'a' is no field

    def test_json_and_standard_output_conflict(self, calls):
        """--json with -o - is refused: both would print on standard output."""
        result = invoke("score", "calls.csv", "-o", "-", "--json")
        assert result.exit_code == 2
        assert "choose one" in one_line(result.stderr)

    def test_output_format_needs_output(self, calls):
        """--output-format without -o is refused."""
        result = invoke("score", "calls.csv", "--output-format", "csv")
        assert result.exit_code == 2

    def test_input_column_named_like_a_score(self, tmp_path, monkeypatch):
        """An input column that a score column would overwrite is refused."""
        monkeypatch.chdir(tmp_path)
        write_table({"fulfilment": [1.0], "customer": ["Ann"]}, "calls.csv")
        result = invoke("score", "calls.csv", "--extra-columns", "ignore")
        assert result.exit_code == 2
        assert "column 'customer'" in one_line(result.stderr)
        assert (
            invoke("score", "calls.csv", "--extra-columns", "ignore", "--results-only").exit_code
            == 0
        )

    def test_header_only_file(self, tmp_path, monkeypatch):
        """A file with no rows gives an output with the columns and no rows."""
        monkeypatch.chdir(tmp_path)
        Path("calls.csv").write_text("fulfilment,thanked\n", encoding="utf-8")
        result = invoke("score", "calls.csv", "-o", "out.csv", "--json")
        assert json.loads(result.stdout)["rows"] == 0
        assert list(read_table("out.csv").columns) == ["fulfilment", "thanked", *OUTPUT_COLUMNS]

    def test_progress_bar(self, calls):
        """--progress draws a bar on standard error; --no-progress draws none."""
        shown = invoke("score", "calls.csv", "--extra-columns", "ignore", "--progress", "--json")
        assert "scoring" in shown.stderr
        hidden = invoke("score", "calls.csv", "--extra-columns", "ignore", "--no-progress")
        assert hidden.stderr == ""

    def test_no_progress_bar_when_piped(self, calls):
        """Without a terminal, no bar is drawn."""
        result = invoke("score", "calls.csv", "--extra-columns", "ignore", "--json")
        assert result.stderr == ""


class TestScoreSubprocess:
    """`python -m stool score` in a fresh interpreter, as a shell runs it."""

    def test_large_file(self, calls, tmp_path):
        """A file of several chunks is scored and written in full."""
        result = run_stool(
            "score",
            "calls.csv",
            "-o",
            "scored.jsonl",
            "--chunk-size",
            CHUNK,
            "--extra-columns",
            "ignore",
            "--json",
            cwd=tmp_path,
        )
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["rows"] == ROWS
        assert_scores_equal(read_table(tmp_path / "scored.jsonl"), calls)

    def test_broken_file(self, calls, tmp_path):
        """A broken file exits with 2 and one line on standard error, no traceback."""
        broken = calls.copy()
        broken.loc[1_234, "customer_abuse"] = -0.5
        write_table(broken, tmp_path / "broken.csv")
        result = run_stool(
            "score",
            "broken.csv",
            "-o",
            "out.csv",
            "--chunk-size",
            CHUNK,
            "--extra-columns",
            "ignore",
            cwd=tmp_path,
        )
        assert result.returncode == 2
        line = one_line(result.stderr)
        assert line.startswith("stool: broken.csv, line 1236 (row 1234), column 'customer_abuse'")
        assert not (tmp_path / "out.csv").exists()


class TestPolicyCheck:
    """`stool policy check` validates books and lists every problem."""

    def test_ok(self, books):
        """A valid book is reported ok, with exit status 0."""
        result = invoke("policy", "check", "returns.toml")
        assert result.exit_code == 0
        book = load_example("returns")
        assert result.stdout.strip() == (
            f"returns.toml: ok (book 'returns', version {book.version}, 3 rules, "
            f"{len(book.tests)} tests)"
        )

    def test_problems(self, books):
        """A broken book lists every problem with its line, and exits with 1."""
        result = invoke("policy", "check", "returns.toml", "bad.toml")
        assert result.exit_code == 1
        assert "bad.toml: 2 problems" in result.stdout
        assert "bad.toml, line 2, column 1, rule 'w', field 'rationale'" in result.stdout
        assert "bad.toml, line 7" in result.stdout

    def test_json(self, books):
        """--json gives one report per book, with each problem's facts."""
        result = invoke("policy", "check", "returns.toml", "bad.toml", "--json")
        reports = json.loads(result.stdout)
        assert [r["ok"] for r in reports] == [True, False]
        assert [p["line"] for p in reports[1]["problems"]] == [2, 7]
        assert reports[0]["version"] == load_example("returns").version

    def test_thousands_of_problems(self, books):
        """A book with 300 problems counts them all and lists the first 50, in text and JSON."""
        keys = "".join(f"unknown_{i} = 1\n" for i in range(300))
        Path("huge.toml").write_text(
            f'name = "h"\n[[rule]]\nid = "r"\nkind = "hard"\nforbid = "x"\nrationale = "r"\n{keys}',
            encoding="utf-8",
        )
        result = invoke("policy", "check", "huge.toml")
        assert result.exit_code == 1
        assert "huge.toml: 300 problems" in result.stdout
        assert "... and 250 more" in result.stdout
        report = json.loads(invoke("policy", "check", "huge.toml", "--json").stdout)
        assert (len(report["problems"]), report["omitted"]) == (50, 250)

    def test_syntax_error(self, books):
        """A book that is not valid TOML is a problem with its line, not a traceback."""
        Path("broken.toml").write_text('name = "x\n', encoding="utf-8")
        result = invoke("policy", "check", "broken.toml")
        assert result.exit_code == 1
        assert "broken.toml, line 1" in result.stdout

    def test_missing_and_unknown(self, books):
        """A missing file or an unknown suffix is bad input (2)."""
        assert invoke("policy", "check", "nope.toml").exit_code == 2
        Path("book.txt").write_text("", encoding="utf-8")
        result = invoke("policy", "check", "book.txt")
        assert result.exit_code == 2
        assert ".toml" in one_line(result.stderr)


class TestPolicyTest:
    """`stool policy test` runs a book's test cases, like `opa test`."""

    def test_passing(self, books):
        """A book whose cases pass prints a summary and exits with 0."""
        result = invoke("policy", "test", "returns.toml")
        assert result.exit_code == 0
        report = stool.run_tests(load_example("returns"))
        total = len(report.results)
        assert f"returns.toml: {total}/{total} passed" in result.stdout
        assert "FAIL" not in result.stdout

    def test_failing(self, books):
        """A failing case is listed with what differed, and the exit status is 1."""
        text = Path("returns.toml").read_text(encoding="utf-8")
        Path("wrong.toml").write_text(
            text.replace('expect = "compliant"', 'expect = "broken"', 1), encoding="utf-8"
        )
        result = invoke("policy", "test", "wrong.toml")
        assert result.exit_code == 1
        assert "FAIL  a refund within the window is kept" in result.stdout
        assert "1 failed" in result.stdout

    def test_verbose_and_json(self, books):
        """-v lists every case; --json reports each one and whether all passed."""
        verbose = invoke("policy", "test", "returns.toml", "-v", "--no-boundaries")
        assert verbose.stdout.count("PASS") == len(load_example("returns").tests)
        data = json.loads(invoke("policy", "test", "returns.toml", "--json").stdout)
        assert data["ok"] is True
        assert all(r["passed"] for r in data["results"])

    def test_broken_book_is_bad_input(self, books):
        """A book that does not load is bad input (2), not a failed test."""
        result = invoke("policy", "test", "bad.toml")
        assert result.exit_code == 2
        assert "2 problems" in result.stderr


REFUND = {
    "action": "refund",
    "days_since_purchase": 40,
    "refund_amount": 40.0,
    "purchase_price": 40.0,
    "item_category": "kitchen",
}


class TestPolicyEval:
    """`stool policy eval` judges one action and explains the decision."""

    def test_explanation(self, books):
        """The decision's explanation is printed, as Decision.explain gives it."""
        result = invoke("policy", "eval", "returns.toml", "--context", json.dumps(REFUND))
        assert result.exit_code == 0
        expected = load_example("returns").evaluate(REFUND).explain()
        assert result.stdout.strip() == expected

    def test_json_is_the_audit_record(self, books):
        """--json prints the decision as stool.unstructure writes it, and it reads back."""
        result = invoke(
            "policy",
            "eval",
            "returns.toml",
            "--context",
            json.dumps(REFUND),
            "--by",
            "supervisor",
            "--justification",
            "loyal customer",
            "--json",
        )
        data = json.loads(result.stdout)
        decision = stool.structure(data, Decision)
        expected = load_example("returns").evaluate(
            REFUND, by=stool.Authority.SUPERVISOR, justification="loyal customer"
        )
        assert decision == expected
        assert data["verdict"] == "BENT"

    def test_context_file_and_stdin(self, books):
        """The context may be a JSON file or standard input."""
        Path("refund.json").write_text(json.dumps(REFUND), encoding="utf-8")
        from_file = invoke("policy", "eval", "returns.toml", "--context", "refund.json")
        from_stdin = invoke(
            "policy", "eval", "returns.toml", "--context", "-", stdin=json.dumps(REFUND)
        )
        assert from_file.stdout == from_stdin.stdout
        assert from_file.stdout.startswith("BROKEN under 'returns' for an agent")

    def test_fail_on(self, books):
        """--fail-on broken exits with 1 on a broken verdict, 0 on a bend."""
        context = json.dumps(REFUND)
        assert (
            invoke(
                "policy", "eval", "returns.toml", "--context", context, "--fail-on", "broken"
            ).exit_code
            == 1
        )
        assert (
            invoke(
                "policy",
                "eval",
                "returns.toml",
                "--context",
                context,
                "--by",
                "supervisor",
                "--fail-on",
                "broken",
            ).exit_code
            == 0
        )

    def test_bad_context(self, books):
        """Bad JSON, a non-object or a missing field is one line and exit status 2."""
        bad_json = invoke("policy", "eval", "returns.toml", "--context", '{"a": }')
        assert bad_json.exit_code == 2
        assert "line 1, column 7: not valid JSON" in one_line(bad_json.stderr)
        Path("list.json").write_text("[1]", encoding="utf-8")
        assert invoke("policy", "eval", "returns.toml", "--context", "list.json").exit_code == 2
        missing = invoke("policy", "eval", "returns.toml", "--context", '{"action": "refund"}')
        assert missing.exit_code == 2
        assert "days_since_purchase" in one_line(missing.stderr)
        nowhere = invoke("policy", "eval", "returns.toml", "--context", "nope.json")
        assert "neither a JSON object nor a file" in one_line(nowhere.stderr)


class TestPolicyBatch:
    """`stool policy batch` judges every row of a table file, chunk by chunk."""

    @pytest.fixture
    def refunds(self, books):
        """A CSV of refund requests larger than the chunk size."""
        rng = np.random.default_rng(3)
        frame = pd.DataFrame(
            {
                "action": rng.choice(["refund", "exchange"], ROWS),
                "days_since_purchase": rng.integers(0, 70, ROWS),
                "refund_amount": np.full(ROWS, 40.0),
                "purchase_price": np.full(ROWS, 40.0),
                "item_category": rng.choice(["kitchen", "hygiene"], ROWS, p=[0.9, 0.1]),
            }
        )
        write_table(frame, "refunds.csv")
        return frame

    def test_matches_evaluate_batch(self, refunds):
        """Every row's verdict, requires and per-rule verdicts are evaluate_batch's."""
        result = invoke(
            "policy",
            "batch",
            "returns.toml",
            "refunds.csv",
            "-o",
            "verdicts.parquet",
            "--chunk-size",
            CHUNK,
            "--by",
            "supervisor",
        )
        assert result.exit_code == 0, result.output
        got = read_table("verdicts.parquet")
        expected = evaluate_batch(load_example("returns"), refunds, by=stool.Authority.SUPERVISOR)
        assert list(got.columns) == [*refunds.columns, *expected.columns]
        for name in expected.columns:
            assert got[name].astype(object).where(got[name].notna(), None).tolist() == (
                expected[name].astype(object).where(expected[name].notna(), None).tolist()
            ), name

    def test_summary_and_fail_on(self, refunds):
        """--json counts the verdicts; --fail-on broken exits with 1 when a row is broken."""
        result = invoke(
            "policy", "batch", "returns.toml", "refunds.csv", "--json", "--fail-on", "broken"
        )
        assert result.exit_code == 1
        counts = evaluate_batch(load_example("returns"), refunds)["verdict"].value_counts()
        assert json.loads(result.stdout)["verdicts"] == counts.to_dict()

    def test_results_only(self, refunds):
        """--results-only writes the verdict columns alone."""
        invoke("policy", "batch", "returns.toml", "refunds.csv", "-o", "v.csv", "--results-only")
        assert list(read_table("v.csv").columns) == [
            "verdict",
            "requires",
            *(rule.id for rule in load_example("returns").rules),
        ]

    def test_bad_row(self, refunds):
        """A value of the wrong kind in a late row names its line and column."""
        broken = refunds.astype({"days_since_purchase": str})
        broken.loc[1_700, "days_since_purchase"] = "soon"
        write_table(broken, "broken.csv")
        result = invoke("policy", "batch", "returns.toml", "broken.csv", "--chunk-size", CHUNK)
        assert result.exit_code == 2
        assert one_line(result.stderr).startswith(
            "stool: broken.csv, line 1702 (row 1700), column 'days_since_purchase': got 'soon'"
        )

    def test_row_the_book_cannot_judge(self, refunds):
        """A blank quantity in a late row names its line, column and rule."""
        broken = refunds.astype({"days_since_purchase": float})
        broken.loc[1_800, ["action", "days_since_purchase"]] = ["refund", np.nan]
        write_table(broken, "blank.csv")
        result = invoke("policy", "batch", "returns.toml", "blank.csv", "--chunk-size", CHUNK)
        assert result.exit_code == 2
        line = one_line(result.stderr)
        assert line.startswith(
            "stool: blank.csv, line 1802 (row 1800), column 'days_since_purchase':"
        )
        assert "rule 'refund-window'" in line


class TestScenario:
    """`stool scenario` lists and plays the canned scenarios."""

    def test_list(self):
        """Every canned scenario is listed, with its story and settings."""
        data = json.loads(invoke("scenario", "list", "--json").stdout)
        names = [entry["name"] for entry in data]
        assert "gym_cancellation" in names
        assert {e["name"]: e["settings"] for e in data}["wrong_address_email"] == {"honest": "bool"}
        text = invoke("scenario", "list").stdout
        assert all(name in text for name in names)

    def test_run_table(self):
        """A run shows one row per move and the final state of the stool."""
        result = invoke("scenario", "run", "gym_cancellation")
        assert result.exit_code == 0
        timeline = stool.scenarios.gym_cancellation().run()
        assert "(start)" in result.stdout
        assert result.stdout.count("\n") >= len(timeline) + 3
        assert result.stdout.strip().splitlines()[-1] == timeline.final.explain().splitlines()[0]

    def test_run_json(self):
        """--json prints the timeline as stool.unstructure writes it."""
        result = invoke("scenario", "run", "hygiene_return", "--json")
        assert json.loads(result.stdout) == json.loads(
            json.dumps(stool.unstructure(stool.scenarios.hygiene_return().run()))
        )

    def test_settings(self):
        """--set passes a scenario's settings; the lie is a broken decision."""
        lie = invoke("scenario", "run", "wrong_address_email", "--set", "honest=false")
        assert "BROKEN" in lie.stdout
        honest = invoke("scenario", "run", "wrong_address_email", "--set", "honest=yes")
        assert "BROKEN" not in honest.stdout

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["nope"], "no scenario 'nope'"),
            (["gym_cancelation"], "did you mean 'gym_cancellation'?"),
            (["wrong_address_email"], "needs --set honest=..."),
            (["wrong_address_email", "--set", "honest=maybe"], "true or false"),
            (["wrong_address_email", "--set", "sincere=true"], "no setting 'sincere'"),
            (["wrong_address_email", "--set", "honest"], "NAME=VALUE"),
        ],
    )
    def test_bad_input(self, args, message):
        """A bad name or setting is one line and exit status 2."""
        result = invoke("scenario", "run", *args)
        assert result.exit_code == 2
        assert message in one_line(result.stderr)

    def test_explain(self):
        """--explain adds the final score's explanation, leg by leg."""
        result = invoke("scenario", "run", "abusive_caller", "--explain")
        explanation = stool.scenarios.abusive_caller().run().final.explain()
        assert result.stdout.rstrip().endswith(explanation.rstrip())


class TestDocsPage:
    """The command-line how-to runs the very commands it shows."""

    def test_shown_commands_are_the_ones_run(self):
        """Each `stool ...` line of a bash block is the command the next hidden block runs."""
        page = (ROOT / "docs" / "how-to" / "use-the-command-line.md").read_text(encoding="utf-8")
        shown = re.findall(r"^```bash\n(stool [^\n]*)\n```", page, flags=re.MULTILINE)
        run = [
            ast.literal_eval(call.args[0])  # a plain string, as the reader sees it
            for call in _shell_calls(page)
        ]
        assert len(shown) >= 10
        assert shown == run

    def test_every_command_is_on_the_page(self):
        """The page shows every command of the command line."""
        page = (ROOT / "docs" / "how-to" / "use-the-command-line.md").read_text(encoding="utf-8")
        for path in all_commands():
            if not isinstance(_command(path), click.Group):
                assert f"stool {' '.join(path)}" in page, path


def _shell_calls(page):
    """The `shell(...)` calls of the page's hidden blocks, in order."""
    calls = []
    for block in re.findall(r"<!-- invisible-code-block: python\n(.*?)-->", page, flags=re.DOTALL):
        calls.extend(
            node
            for node in ast.walk(ast.parse(block))
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "shell"
        )
    return calls


def _command(path):
    command = cli.app
    for name in path:
        command = command.commands[name]
    return command
