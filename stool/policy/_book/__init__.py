"""PolicyBook: a named, versioned set of rules, compiled once and evaluated many times.

- `_checks`: the checks of a whole book (declared context, problems that span its
  parts) and the content hash that names its version;
- `_judges`: each rule compiled once into a plan whose judge gives a Finding;
- `_book`: the PolicyBook itself: building, reading and writing, evaluating.
"""

from __future__ import annotations

from stool.policy._book._book import PolicyBook

# Books pickled before this module became a package name their rebuilder here.
from stool.policy._book._book import _rebuild_book as _rebuild_book
from stool.policy._book._checks import Sketch, book_problems, context_fields

__all__ = ["PolicyBook", "Sketch", "book_problems", "context_fields"]
