"""Shared test configuration: the Hypothesis profiles.

Pick one with the environment variable `HYPOTHESIS_PROFILE`:

- `dev` (the default): quick, for the edit-test loop.
- `ci`: thorough, for continuous integration; prints a reproduction blob on failure.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile(
    "ci",
    max_examples=300,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
