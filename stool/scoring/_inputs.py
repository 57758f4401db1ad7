"""The formulas' inputs from one interaction, with every unobserved input at its best.

`_inputs` is the one mapping from an interaction's fields to the formulas' `Inputs`;
`_prepare` reads an [Interaction][stool.Interaction] for `score`, setting each input
that was not observed (None) to its best case and saying which were observed, so that
the leg formulas drop the factors that read the others.
The reasons read a promise's lateness through `_inputs` too.
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Final

from stool import _formula
from stool.interaction import FIELD_NAMES, UNKNOWABLE_FIELDS, Interaction

if TYPE_CHECKING:
    from stool.models import StoolModel

_SCALAR = _formula.SCALAR
_BEST = _formula.BEST
_Observed = _formula.Observed
_NAN: Final = math.nan
_FIELD_NAMES: Final = FIELD_NAMES


def _inputs(i: Any, model: StoolModel) -> _formula.Inputs:
    """The formulas' inputs from an interaction (or its facts) with every unknowable set."""
    promised = i.promised_days
    late = 0.0
    if promised is not None:
        delivered, elapsed = i.delivered_days, i.elapsed_days
        late = _formula.lateness_days(
            _SCALAR,
            promised,
            _NAN if delivered is None else delivered,
            _NAN if elapsed is None else elapsed,
        )
    return _formula.Inputs(
        i.fulfilment,
        i.professionalism,
        i.empathy,
        i.explanation_clarity,
        i.extra_mile,
        i.wait_time_s,
        model.customer.wait_scale_s(i.channel),
        i.transfers,
        i.repeat_contacts,
        late,
        i.expectation,
        i.prior_bad_experiences,
        i.customer_value,
        i.customer_abuse,
        i.agent_fatigue,
        i.ended_by_agent,
        i.escalated,
        i.thanked,
        i.bends,
        i.breaks,
        i.concession_cost,
        i.concession_budget,
        i.handle_time_s,
        i.aht_target_s,
        i.queue_wait_imposed_s,
    )


def _prepare(
    i: Interaction, model: StoolModel
) -> tuple[_formula.Inputs, _formula.Observed | None, tuple[str, ...]]:
    """The formulas' inputs, with every unobserved one at its best, and what was observed."""
    if None not in (
        i.fulfilment,
        i.professionalism,
        i.empathy,
        i.explanation_clarity,
        i.extra_mile,
        i.wait_time_s,
        i.expectation,
        i.prior_bad_experiences,
        i.customer_value,
        i.customer_abuse,
        i.agent_fatigue,
        i.thanked,
    ):
        return _inputs(i, model), None, ()
    unobserved = i.unobserved
    observed = _Observed(*(name not in unobserved for name in UNKNOWABLE_FIELDS))
    facts = {name: getattr(i, name) for name in _FIELD_NAMES}
    facts.update((name, _BEST[name]) for name in unobserved)
    return _inputs(SimpleNamespace(**facts), model), observed, unobserved
