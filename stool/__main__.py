"""`python -m stool`: the command line, as the `stool` script runs it."""

from __future__ import annotations

from stool.cli import main

if __name__ == "__main__":
    main()
