"""stool: customer service as a three-legged stool.

The customer, the company and the agent must each come out of an interaction
satisfied, or the stool falls.
This package's top level is its public API; every name below has one home module.
"""

from __future__ import annotations

from typing import Any

from stool import events
from stool.enums import Authority, Channel, CustomerType, Leg, Verdict
from stool.errors import PolicyError, StoolError, ValidationError
from stool.interaction import Interaction, classify
from stool.parties import Agent, Company, Customer
from stool.serialization import structure, unstructure

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


def __getattr__(name: str) -> Any:
    # The version is read lazily: importlib.metadata costs more than the rest of stool.
    if name == "__version__":
        from importlib.metadata import version  # noqa: PLC0415

        return version("stool")
    msg = f"module 'stool' has no attribute {name!r}"
    raise AttributeError(msg)
