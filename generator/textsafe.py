"""Text from the inputs on its way out to a terminal or a spreadsheet. Pure.

Validation keeps control characters out of the inputs (see ``spec.CONTROL_RE``);
these are the last step before text leaves Rota, for values that came from
elsewhere (a paging tool's JSON, a memo) or that are multi-line by design.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

# C0 and C1 controls (ESC starts terminal escape sequences; CSI is U+009B), DEL, the
# Unicode line separators and the bidirectional overrides that reorder what is shown.
TERMINAL_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# A spreadsheet reads a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")


def terminal_text(value: object) -> str:
    """``value`` as one line of a terminal table: control characters become spaces."""
    return TERMINAL_UNSAFE.sub(" ", str(value))


def csv_cell(value: object) -> object:
    """A CSV cell a spreadsheet shows as written: text that would start a formula gets a
    leading ``'`` (as spreadsheets expect); numbers, and text that is a number such as
    ``-3.50``, stay as they are."""
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    if NUMBER.fullmatch(value):
        return value
    return "'" + value


class SpreadsheetWriter:
    """``csv.writer`` whose cells pass through ``csv_cell``."""

    def __init__(self, out: Any, lineterminator: str = "\n") -> None:
        self._writer = csv.writer(out, lineterminator=lineterminator)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([csv_cell(cell) for cell in row])
