"""CSV files that officers open in Excel or WPS: text typed by an author, an officer or
a learner never runs there as a formula (CSV injection: a cell that begins with "=",
"+", "-" or "@" is read as one, and a formula can send the sheet's data away)."""

import csv
import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
# What the exports write themselves and a spreadsheet may read as numbers: "+5", "-3",
# "12.5", "40%", a range "-3 … +8". Digits, signs and points alone make no formula.
NUMBER = re.compile(r"[+-]?[0-9.]+%?(?: … [+-]?[0-9.]+%?)?")


def cell(value):
    """``value`` as a cell: a text that a spreadsheet would read as a formula gets a
    leading apostrophe, which makes it text; anything else is left as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER.fullmatch(value):
        return f"'{value}"
    return value


class Writer:
    """``csv.writer`` whose every row goes through ``cell``."""

    def __init__(self, out):
        self._writer = csv.writer(out)

    def writerow(self, row):
        return self._writer.writerow([cell(value) for value in row])
