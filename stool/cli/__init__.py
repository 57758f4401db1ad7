"""The `stool` command line: score tables, check and test policy books, run scenarios.

Run `stool --help`, or `python -m stool --help`. Each command lives in its own module
of this package and exports one click command named `command`; the group below adds
every such module, so a new command is one new file.

The command line needs click and Rich, which the default install brings; they load
when a command runs, never on `import stool`. In a test or a notebook, click's runner
calls a command in-process:

    >>> from click.testing import CliRunner
    >>> from stool.cli import app
    >>> result = CliRunner().invoke(app, ["--version"])
    >>> result.stdout.startswith("stool ")
    True
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

import click

from stool.cli._common import EXIT_STATUS, StoolGroup

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["app", "main"]


@click.group(
    name="stool",
    cls=StoolGroup,
    epilog=EXIT_STATUS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="stool", prog_name="stool", message="%(prog)s %(version)s")
def app() -> None:
    """Customer service as a three-legged stool, from the shell.

    Score tables of interactions, check and test policy books, judge one action
    against a book, and play the canned role-plays. Every command takes --help;
    commands whose output a program would read take --json.

    \b
    Examples:
      stool score calls.csv -o scored.parquet
      stool policy check returns.toml
      stool policy eval returns.toml --context '{"days_since_purchase": 33}' --by agent
      stool scenario run gym_cancellation
    """


for _module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if not _module.name.startswith("_"):
        app.add_command(importlib.import_module(f"{__name__}.{_module.name}").command)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `stool` command line and exit with its status (the console script's entry).

    Args:
        argv: The arguments, without the program name; None for `sys.argv[1:]`.

    Returns:
        Never returns when run as a script: it exits with 0 (ok), 1 (a check failed)
        or 2 (bad input).
    """
    return app.main(args=argv, prog_name="stool")
