"""Tests for `stool shift`: checking shift files and running the day they describe."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from stool import Agent, Company
from stool.cli import app
from stool.policy import load_example
from stool.shift import Behaviour, CustomerMix, Request, Shift, save_shift

LATE = {
    "action": "refund",
    "days_since_purchase": 33,
    "refund_amount": 40.0,
    "purchase_price": 40.0,
    "item_category": "kitchen",
}
SHIFT = Shift(
    name="Monday",
    agents=[Agent(id=f"rep-{i}") for i in range(3)],
    arrivals=[25.0, 30.0],
    aht_s=240,
    seed=3,
    company=Company(name="Home & Bath", policies=load_example("returns")),
    customers=CustomerMix(requests=[Request(name="late refund", share=0.4, context=LATE)]),
    behaviour=Behaviour(bend=1.0),
)


def invoke(*args):
    """Run `stool ARGS` in-process and return click's result."""
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def monday(tmp_path):
    """The Monday shift, saved as TOML."""
    path = tmp_path / "monday.toml"
    save_shift(SHIFT, path)
    return path


class TestRun:
    """`stool shift run` simulates the day and prints its figures."""

    def test_json(self, monday):
        """--json gives the summary, the intervals, the agents and the budgets of the run."""
        result = invoke("shift", "run", monday, "--json")
        assert result.exit_code == 0, result.output
        report = json.loads(result.stdout)
        day = SHIFT.run()
        assert report["shift"] == "Monday"
        assert report["summary"]["offered"] == day.summary().offered
        assert report["summary"]["bends"] == day.summary().bends
        assert len(report["intervals"]) == 2
        assert [a["agent"] for a in report["agents"]] == ["rep-0", "rep-1", "rep-2"]
        assert report["intervals"][0]["customer"]["count"] == day.intervals[0].played
        assert {b["actor"] for b in report["budgets"]} <= {"rep-0", "rep-1", "rep-2", "supervisor"}

    def test_seed(self, monday):
        """--seed runs another day of the same shift."""
        first = json.loads(invoke("shift", "run", monday, "--json").stdout)
        other = json.loads(invoke("shift", "run", monday, "--json", "--seed", "4").stdout)
        assert other["seed"] == 4
        assert other["summary"] != first["summary"]

    def test_text(self, monday):
        """The text report has the intervals, the agents, the budgets and a summary line."""
        result = invoke("shift", "run", monday)
        assert result.exit_code == 0, result.output
        assert "Monday: 3 agents, seed 3" in result.stdout
        assert "rep-2" in result.stdout
        assert "budgets on bending" in result.stdout
        assert f"{SHIFT.run().summary().offered} calls" in result.stdout

    def test_queue_only_json(self, tmp_path):
        """A queue-only shift has no legs: they are null in JSON."""
        path = tmp_path / "queue.json"
        save_shift(Shift(agents=[Agent(id="a")], arrivals=[5.0], play=False), path)
        report = json.loads(invoke("shift", "run", path, "--json").stdout)
        assert report["summary"]["customer"] is None
        assert report["intervals"][0]["customer"] is None

    def test_bad_file(self, tmp_path):
        """A bad shift file exits with 2 and one line per problem on standard error."""
        path = tmp_path / "bad.toml"
        path.write_text('format = "stool.shift"\nversion = 1\narrivals = [-1]\n', encoding="utf-8")
        result = invoke("shift", "run", path)
        assert result.exit_code == 2
        assert "2 problems in the shift file" in result.stderr
        assert "arrivals[0]" in result.stderr

    def test_as_a_program(self, monday):
        """`python -m stool shift run` works as a subprocess too."""
        done = subprocess.run(  # noqa: S603 - this interpreter, our own package
            [sys.executable, "-m", "stool", "shift", "run", str(monday), "--json"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["shift"] == "Monday"


class TestCheck:
    """`stool shift check` reports every problem of every file."""

    def test_ok_and_bad(self, monday, tmp_path):
        """A good file is ok; a bad one lists its problems, and the exit status is 1."""
        bad = tmp_path / "bad.toml"
        bad.write_text(
            'format = "stool.shift"\nversion = 1\narrivals = [1]\n[[agent]]\nid = "a"\n'
            "[behaviour]\nbend = 3\nescalte = 0.5\n",
            encoding="utf-8",
        )
        result = invoke("shift", "check", monday, bad)
        assert result.exit_code == 1
        assert "monday.toml: ok (3 agents, 2 intervals, 55 calls expected)" in result.stdout
        assert "bad.toml: 2 problems" in result.stdout
        assert "did you mean 'behaviour.escalate'?" in result.stdout
        report = json.loads(invoke("shift", "check", monday, bad, "--json").stdout)
        assert [entry["ok"] for entry in report] == [True, False]
        assert len(report[1]["problems"]) == 2

    def test_all_ok(self, monday):
        """Only good files: exit status 0."""
        assert invoke("shift", "check", monday).exit_code == 0
