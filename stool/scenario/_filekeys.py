"""The keys of a scenario file: what its top level and each of its tables may hold.

The readers (`_files` and the modules it calls) refuse any other key with a "did you
mean", and the writer (`_writing`) writes no other.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "BRANCH_KEYS",
    "COMPANY_KEYS",
    "DEVIATE_KEYS",
    "MOVE_KINDS",
    "PROPOSAL_KEYS",
    "TOP_KEYS",
    "UNOBSERVED",
]

TOP_KEYS: Final = (
    "title",
    "description",
    "outcome",
    "persona",
    "channel",
    "date",
    "request",
    "customer",
    "agent",
    "company",
    "start",
    "proposal",
    "move",
    "branch",
)
"""The keys of a scenario file's top level."""
PROPOSAL_KEYS: Final = ("label", "context", "effect", "changes", "cost", "justification", "by")
"""The keys of a `[proposal.NAME]` table."""
BRANCH_KEYS: Final = ("name", "at", "description", "move")
"""The keys of a `[[branch]]` table."""
DEVIATE_KEYS: Final = ("deviate", "justification", "label")
"""The keys of a move that bends or breaks a rule no book judges."""
COMPANY_KEYS: Final = ("name", "aht_target_s", "concession_budget", "policies")
"""The keys of the `[company]` table."""
UNOBSERVED: Final = "unobserved"
"""The key that lists the facts not observed (None) in `[start]` and in a proposal's
`changes`: TOML has no null."""
MOVE_KINDS: Final = ("event", "propose", "deviate")
"""The keys that say what kind a `[[move]]` is: it holds exactly one of them."""
