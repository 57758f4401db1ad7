"""Score an interaction: three legs, their flags, the reasons, and an explanation.

[score][stool.scoring.score] turns one [Interaction][stool.Interaction] into a
[StoolScore][stool.scoring.StoolScore]: a [LegScore][stool.scoring.LegScore] for the
customer, the company and the agent, the legs at risk, whether the stool collapsed, the
customer type of the source stories and a predicted CSAT.
[score_timeline][stool.scoring.score_timeline] scores an interaction after every move of a
scenario.
The formulas are those of [How scoring works](../explanation/how-scoring-works.md), and
the very same code scores a whole table in [score_batch][stool.batch.score_batch].

    >>> from stool import Interaction
    >>> from stool.scoring import score
    >>> curt = score(Interaction(fulfilment=0.0, professionalism=0.2, empathy=0.2,
    ...                          explanation_clarity=0.1))
    >>> sorted(leg.name for leg in curt.at_risk), curt.customer_type.name
    (['CUSTOMER'], 'VERY_DISSATISFIED')

The package's files name its concepts: `_result` ([LegScore][stool.scoring.LegScore],
[StoolScore][stool.scoring.StoolScore] and the explanation), `_score` (scoring one
interaction, and a timeline), `_inputs` (an interaction read as the formulas' inputs),
`_contributions` (the mapping of what each factor contributed, and the caps' names),
`_reasons` (the sentences naming why a leg is at risk) and `_wire` (LegScore's wire
format). Every public name lives here.
"""

from __future__ import annotations

from stool.scoring._contributions import ABUSE_CAP, BREAK_CAP, CAP_PREFIX

# Pickles of scores name these two here, where they were before this became a package.
from stool.scoring._contributions import _contributions_from as _contributions_from
from stool.scoring._reasons import FACTOR_LABELS, REASON_LIMIT, REASON_MIN_LOSS
from stool.scoring._reasons import _Pending as _Pending
from stool.scoring._result import RECONCILE_TOLERANCE, LegScore, StoolScore

# The default model, built once and shared with stool.batch.
from stool.scoring._score import _default_model as _default_model
from stool.scoring._score import score, score_timeline
from stool.scoring._wire import _structure_leg, _unstructure_leg
from stool.serialization import register

__all__ = [
    "ABUSE_CAP",
    "BREAK_CAP",
    "CAP_PREFIX",
    "FACTOR_LABELS",
    "REASON_LIMIT",
    "REASON_MIN_LOSS",
    "RECONCILE_TOLERANCE",
    "LegScore",
    "StoolScore",
    "score",
    "score_timeline",
]

# `reasons` is written lazily, so LegScore brings its own (plain) wire format.
register(LegScore, unstructure=_unstructure_leg, structure=_structure_leg)
