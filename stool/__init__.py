"""stool: customer service as a three-legged stool.

The customer, the company and the agent must each come out of an interaction
satisfied, or the stool falls. stool scores the three legs of an interaction, flags
the legs at risk and says why, and tells bending a company policy from breaking it.

This package's top level is its public API; each name has one home module:

- Interaction, classify (stool.interaction); Customer, Agent, Company (stool.parties);
  the enums Leg, Channel, CustomerType, Authority, Verdict (stool.enums);
  StoolError, ValidationError, PolicyError, TableError (stool.errors);
  unstructure, structure (stool.serialization). These load with `import stool`.
- score, StoolScore, StoolModel and the leg models (stool.scoring, stool.models);
  score_batch, score_batches (stool.batch); spark_schema (stool.spark); read_table,
  write_table, iter_table (stool.tables); PolicyBook, load_policy, load_example,
  run_tests (stool.policy); Scenario, Timeline, advise, load_scenario, play
  (stool.scenario); Shift, load_shift (stool.shift); fit, evaluate, compare,
  sensitivity and their results (stool.research, the `research` extra); the events and
  scenarios modules. These load the first time you use them, so `import stool` stays
  about as cheap as `import attrs`.

From a shell, the `stool` command (or `python -m stool`) scores table files, checks
and tests policy books, and plays the canned scenarios: run `stool --help`.

Example:
    >>> import stool
    >>> stool.classify(stool.Interaction(fulfilment=0.0))
    <CustomerType.DISSATISFIED: 'dissatisfied'>
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from stool.enums import Authority, Channel, CustomerType, Leg, LegStatus, Verdict
from stool.errors import PolicyError, StoolError, TableError, ValidationError
from stool.interaction import Interaction, classify
from stool.parties import Agent, Company, Customer
from stool.serialization import structure, unstructure

if TYPE_CHECKING:
    from stool import events, queue, scenarios
    from stool.batch import score_batch, score_batches
    from stool.calibration import Calibration
    from stool.modelfile import load_model, save_model
    from stool.models import AgentModel, CompanyModel, CustomerModel, StoolModel, Thresholds
    from stool.policy import (
        Decision,
        Finding,
        Ledger,
        PolicyBook,
        PolicyDefinitionError,
        PolicyEvaluationError,
        Rule,
        apply_decision,
        compile_expression,
        load_example,
        load_policy,
        run_tests,
    )
    from stool.research import (
        Comparison,
        Evaluation,
        FitResult,
        Sensitivity,
        compare,
        evaluate,
        fit,
        sensitivity,
    )
    from stool.scenario import (
        Advice,
        Deviate,
        Propose,
        Scenario,
        Step,
        Timeline,
        advise,
        load_scenario,
        play,
    )
    from stool.scoring import LegScore, StoolScore, score, score_timeline
    from stool.shift import Shift, load_shift
    from stool.spark import spark_schema
    from stool.tables import iter_table, read_table, write_table

__all__ = [
    "Advice",
    "Agent",
    "AgentModel",
    "Authority",
    "Calibration",
    "Channel",
    "Company",
    "CompanyModel",
    "Comparison",
    "Customer",
    "CustomerModel",
    "CustomerType",
    "Decision",
    "Deviate",
    "Evaluation",
    "Finding",
    "FitResult",
    "Interaction",
    "Ledger",
    "Leg",
    "LegScore",
    "LegStatus",
    "PolicyBook",
    "PolicyDefinitionError",
    "PolicyError",
    "PolicyEvaluationError",
    "Propose",
    "Rule",
    "Scenario",
    "Sensitivity",
    "Shift",
    "Step",
    "StoolError",
    "StoolModel",
    "StoolScore",
    "TableError",
    "Thresholds",
    "Timeline",
    "ValidationError",
    "Verdict",
    "__version__",
    "advise",
    "apply_decision",
    "classify",
    "compare",
    "compile_expression",
    "evaluate",
    "events",
    "fit",
    "iter_table",
    "load_example",
    "load_model",
    "load_policy",
    "load_scenario",
    "load_shift",
    "play",
    "queue",
    "read_table",
    "run_tests",
    "save_model",
    "scenarios",
    "score",
    "score_batch",
    "score_batches",
    "score_timeline",
    "sensitivity",
    "spark_schema",
    "structure",
    "unstructure",
    "write_table",
]

# Names whose home modules load on first use.
_LAZY: dict[str, str] = {
    "Calibration": "stool.calibration",
    "AgentModel": "stool.models",
    "CompanyModel": "stool.models",
    "CustomerModel": "stool.models",
    "StoolModel": "stool.models",
    "Thresholds": "stool.models",
    "load_model": "stool.modelfile",
    "save_model": "stool.modelfile",
    "LegScore": "stool.scoring",
    "StoolScore": "stool.scoring",
    "score": "stool.scoring",
    "score_timeline": "stool.scoring",
    "score_batch": "stool.batch",
    "score_batches": "stool.batch",
    "spark_schema": "stool.spark",
    "PolicyBook": "stool.policy",
    "PolicyDefinitionError": "stool.policy",
    "PolicyEvaluationError": "stool.policy",
    "Rule": "stool.policy",
    "Decision": "stool.policy",
    "Finding": "stool.policy",
    "Ledger": "stool.policy",
    "compile_expression": "stool.policy",
    "run_tests": "stool.policy",
    "load_example": "stool.policy",
    "load_policy": "stool.policy",
    "apply_decision": "stool.policy",
    "Scenario": "stool.scenario",
    "Timeline": "stool.scenario",
    "Step": "stool.scenario",
    "Advice": "stool.scenario",
    "Propose": "stool.scenario",
    "Deviate": "stool.scenario",
    "advise": "stool.scenario",
    "load_scenario": "stool.scenario",
    "play": "stool.scenario",
    "fit": "stool.research",
    "evaluate": "stool.research",
    "compare": "stool.research",
    "sensitivity": "stool.research",
    "FitResult": "stool.research",
    "Evaluation": "stool.research",
    "Comparison": "stool.research",
    "Sensitivity": "stool.research",
    "read_table": "stool.tables",
    "write_table": "stool.tables",
    "iter_table": "stool.tables",
    "Shift": "stool.shift",
    "load_shift": "stool.shift",
}

# Submodules reachable as attributes (`stool.events.Resolve`) without an explicit import.
_SUBMODULES = frozenset({"events", "queue", "scenarios"})


def __getattr__(name: str) -> Any:
    if name == "__version__":
        # Read lazily: importlib.metadata costs more than the rest of stool.
        from importlib.metadata import version  # noqa: PLC0415

        return version("stool")
    if name in _SUBMODULES:
        return importlib.import_module(f"stool.{name}")
    module = _LAZY.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value
        return value
    msg = f"module 'stool' has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
