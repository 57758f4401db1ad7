"""Shared test configuration: the Hypothesis profiles, and the PostgreSQL server.

Pick a Hypothesis profile with the environment variable `HYPOTHESIS_PROFILE`:

- `dev` (the default): quick, for the edit-test loop.
- `ci`: thorough, for continuous integration; prints a reproduction blob on failure.

The ledger's PostgreSQL tests use the server named by `STOOL_TEST_POSTGRES_URL`, or
start a throwaway one (see `postgres_server`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest
from hypothesis import HealthCheck, settings

if TYPE_CHECKING:
    from collections.abc import Iterator

settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile(
    "ci",
    max_examples=300,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(autouse=True)
def _no_terminal_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test sees output piped to no terminal: no `COLUMNS` or `LINES` in the environment.

    The command line's tables and messages wrap at `$COLUMNS`, so a test of its output would
    depend on the shell that started pytest; and GNU readline, once any module imports it,
    exports both to the processes started afterwards (pytest-xdist's workers among them).
    """
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)


# ------------------------------------------------------------------------------ PostgreSQL

POSTGRES_URL = "STOOL_TEST_POSTGRES_URL"
"""The environment variable naming the PostgreSQL server of the ledger tests."""

_ROOT = Path(__file__).resolve().parent.parent


def _no_postgres(reason: str) -> NoReturn:
    message = (
        f"the PostgreSQL ledger tests need a server: {reason}. Set {POSTGRES_URL} to the "
        "SQLAlchemy URL of a role that may create databases "
        "(postgresql+psycopg://user@host/postgres), or install Debian's postgresql package "
        "(apt-get install postgresql) so that the tests start a throwaway server of their own; "
        "see README.md"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server: $STOOL_TEST_POSTGRES_URL, or one started here.

    Without the variable, a throwaway server is started from Debian's binaries with
    `.ci/postgres` (a unix socket in a temporary folder) and stopped at the end. Without
    either, the tests fail under CI and are skipped, saying why, elsewhere.
    """
    try:
        import psycopg  # noqa: F401, PLC0415
        import sqlalchemy  # noqa: F401, PLC0415
    except ImportError as error:
        _no_postgres(f"the db extra is not installed ({error}); pip install -e '.[dev]'")
    url = os.environ.get(POSTGRES_URL)
    if url:
        yield url
        return
    folder = tempfile.mkdtemp(prefix="stool-pg-")
    script = str(_ROOT / ".ci" / "postgres")
    # A throwaway server for tests: durability on disk is not what they test.
    options = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    started = subprocess.run(  # noqa: S603 - our own script
        ["bash", script, "start", folder, options],  # noqa: S607 - bash from the PATH
        capture_output=True,
        text=True,
        check=False,
    )
    if started.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        _no_postgres(f"{POSTGRES_URL} is not set and .ci/postgres failed: {started.stderr.strip()}")
    try:
        yield started.stdout.strip()
    finally:
        subprocess.run(  # noqa: S603 - our own script
            ["bash", script, "stop", folder],  # noqa: S607 - bash from the PATH
            capture_output=True,
            check=False,
        )


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """The URL of a new, empty database on the PostgreSQL server, dropped afterwards."""
    import sqlalchemy as sa  # noqa: PLC0415

    admin = sa.create_engine(
        postgres_server, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
    )
    name = f"stool_test_{uuid.uuid4().hex[:16]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield (
            sa.engine.make_url(postgres_server)
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
