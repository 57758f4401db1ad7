"""stool: customer service as a three-legged stool.

The customer, the company and the agent must each come out of an interaction
satisfied, or the stool falls.
This package's top level is its public API; every name below has one home module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stool.enums import Authority, Channel, CustomerType, Leg, Verdict
from stool.errors import PolicyError, StoolError, ValidationError
from stool.interaction import Interaction, classify
from stool.parties import Agent, Company, Customer
from stool.serialization import structure, unstructure

if TYPE_CHECKING:
    from stool import events

__all__ = [
    "Agent",
    "Authority",
    "Channel",
    "Company",
    "Customer",
    "CustomerType",
    "Interaction",
    "Leg",
    "PolicyError",
    "StoolError",
    "ValidationError",
    "Verdict",
    "__version__",
    "classify",
    "events",
    "structure",
    "unstructure",
]


# Names whose modules load on first use, so that `import stool` stays as light as the
# data model itself (the scoring, policy and scenario machinery load when first touched).
_LAZY: dict[str, str] = {
    "AgentModel": "stool.models",
    "CompanyModel": "stool.models",
    "CustomerModel": "stool.models",
    "StoolModel": "stool.models",
    "Thresholds": "stool.models",
    "LegScore": "stool.scoring",
    "StoolScore": "stool.scoring",
    "score": "stool.scoring",
    "score_timeline": "stool.scoring",
    "score_batch": "stool.batch",
    "PolicyBook": "stool.policy",
    "Rule": "stool.policy",
    "Decision": "stool.policy",
    "Finding": "stool.policy",
    "Ledger": "stool.policy",
    "compile_expression": "stool.policy",
    "run_tests": "stool.policy",
    "load_example": "stool.policy",
    "apply_decision": "stool.policy",
    "Scenario": "stool.scenario",
    "Timeline": "stool.scenario",
    "Step": "stool.scenario",
    "Advice": "stool.scenario",
    "advise": "stool.scenario",
}


def __getattr__(name: str) -> Any:
    if name == "__version__":
        # Read lazily: importlib.metadata costs more than the rest of stool.
        from importlib.metadata import version  # noqa: PLC0415

        return version("stool")
    if name == "events":
        # Twenty event classes cost more to create than the rest of the data model.
        import importlib  # noqa: PLC0415

        return importlib.import_module("stool.events")
    module = _LAZY.get(name)
    if module is not None:
        import importlib  # noqa: PLC0415

        value = getattr(importlib.import_module(module), name)
        globals()[name] = value
        return value
    msg = f"module 'stool' has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
