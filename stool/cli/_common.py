"""What every command shares: exit codes, one-line errors, JSON and Rich output, file options."""

from __future__ import annotations

import errno
import json
import os
import sys
import time
from typing import TYPE_CHECKING, Any, Final

import click

from stool.errors import StoolError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from rich.console import Console
    from rich.progress import Progress

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_STATUS",
    "Clock",
    "StoolGroup",
    "chunk_size_option",
    "console",
    "emit_json",
    "format_option",
    "json_option",
    "load_model_file",
    "output_format_option",
    "progress_bar",
    "progress_option",
]

EXIT_OK: Final = 0
"""The command did what was asked, and every check passed."""
EXIT_FAILED: Final = 1
"""A check failed: a policy book has problems, a policy test failed, a verdict reached
`--fail-on`."""
EXIT_BAD_INPUT: Final = 2
"""Bad input: a missing or malformed file, a bad value in a row, a bad option."""

EXIT_STATUS: Final = (
    "\b\nExit status:\n"
    "  0  ok\n"
    "  1  a check failed\n"
    "  2  bad input (the message names the file, line, row and field)"
)
"""The epilog every command's help ends with."""


class StoolGroup(click.Group):
    """A click group whose errors are one line on standard error, never a traceback.

    Bad input (a [StoolError][stool.StoolError], an unreadable file, a bad option) exits
    with status 2 after one line naming the file, row and field; a failed check exits
    with 1.
    """

    def main(  # type: ignore[override]  # the return is always an exit status
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> int:
        """Run the command line; exit with its status (or return it, if not standalone)."""
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            code = result if isinstance(result, int) else EXIT_OK
        except click.UsageError as error:
            where = error.ctx.command_path if error.ctx is not None else (prog_name or "stool")
            click.echo(f"{where}: {error.format_message()} (try '{where} --help')", err=True)
            code = EXIT_BAD_INPUT
        except click.ClickException as error:
            error.show()
            code = error.exit_code
        except click.Abort:
            click.echo("Aborted.", err=True)
            code = EXIT_FAILED
        except BrokenPipeError:
            # The reader went away (`stool ... | head`): stop quietly, as Unix tools do.
            _silence_stdout()
            code = EXIT_FAILED
        except StoolError as error:
            click.echo(f"stool: {error}", err=True)
            code = EXIT_BAD_INPUT
        except OSError as error:
            click.echo(f"stool: {_os_message(error)}", err=True)
            code = EXIT_BAD_INPUT
        if not standalone_mode:
            return code
        sys.exit(code)


def _os_message(error: OSError) -> str:
    reason = error.strerror or os.strerror(error.errno or errno.EIO)
    name = error.filename
    return f"{name}: {reason}" if name is not None else reason


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # pragma: no cover - not a real stdout
        return


def load_model_file(path: str) -> Any:
    """Read a model file with `stool.load_model` (for `--model`)."""
    import stool  # noqa: PLC0415 - the package is imported already; this names it

    load = getattr(stool, "load_model", None)
    if load is None:
        msg = f"--model {path}: this version of stool cannot read model files (no stool.load_model)"
        raise click.UsageError(msg)
    return load(path)


def emit_json(data: Any) -> None:
    """Print `data` as indented JSON on standard output."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False))


def console(*, stderr: bool = False) -> Console:
    """Return a Rich console on standard output (or error); plain text when piped."""
    from rich.console import Console  # noqa: PLC0415 - Rich loads only when a command prints

    out = Console(stderr=stderr, highlight=False, soft_wrap=False)
    if not out.is_terminal and "COLUMNS" not in os.environ:
        # Piped output has no width of its own; Rich's default of 80 cramps tables.
        out.width = 120
    return out


def progress_bar(*, show: bool | None, what: str) -> Progress:
    """Return a Rich progress bar on standard error, shown on a terminal unless `show` says."""
    from rich.progress import (  # noqa: PLC0415 - Rich loads only when a command runs
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    out = console(stderr=True)
    visible = out.is_terminal if show is None else show
    return Progress(
        TextColumn(f"[bold]{what}"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[rows]:,} rows"),
        TimeElapsedColumn(),
        console=out,
        disable=not visible,
        transient=False,
    )


class Clock:
    """Wall time since the command started, for summaries."""

    def __init__(self) -> None:
        self.start = time.perf_counter()

    def seconds(self) -> float:
        """Seconds since the clock was made."""
        return time.perf_counter() - self.start


def _option(*names: str, **kwargs: Any) -> Callable[[Any], Any]:
    return click.option(*names, **kwargs)


FORMATS: Final = ("csv", "parquet", "jsonl")

json_option = _option(
    "--json", "as_json", is_flag=True, help="Print JSON for programs instead of text."
)
format_option = _option(
    "--format",
    "input_format",
    type=click.Choice(FORMATS, case_sensitive=False),
    help="The input's format; by default its suffix (.csv, .parquet/.pq, .jsonl/.ndjson).",
)
output_format_option = _option(
    "--output-format",
    type=click.Choice(FORMATS, case_sensitive=False),
    help="The output's format; by default OUT's suffix (csv for '-').",
)
chunk_size_option = _option(
    "--chunk-size",
    type=click.IntRange(min=1),
    default=65_536,
    show_default=True,
    help="Rows read, processed and written at a time; memory grows with it, not with the file.",
)
progress_option = _option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar on standard error (default: only on a terminal).",
)
