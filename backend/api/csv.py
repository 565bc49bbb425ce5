"""The one way the API streams a CSV file: formulas escaped in every cell, row by row.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (and a
leading tab or carriage return can hide one), so text from people (a volunteer's name, a
username, an answer) could run in the organizer's spreadsheet (OWASP "CSV injection"). Every
text cell starting with one of those characters gets a leading apostrophe, which spreadsheets
show as text. Numbers, None and booleans are written as the csv module writes them: they carry
no formula.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Sequence

from django.http import StreamingHttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_SAFE_FILENAME = re.compile(r"[A-Za-z0-9._-]+")


def csv_safe(value: object) -> object:
    """The cell as a spreadsheet will read it as text: `'` before a formula-like string."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return f"'{value}"
    return value


class _Echo:
    """A file-like object whose write() returns the line, so csv.writer yields text to stream."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Sequence[object]], *, header: Sequence[str]) -> Iterator[str]:
    """The header line, then one line per row, every cell through `csv_safe`."""
    writer = csv.writer(_Echo())
    yield writer.writerow([csv_safe(name) for name in header])
    for row in rows:
        yield writer.writerow([csv_safe(cell) for cell in row])


def csv_response(
    rows: Iterable[Sequence[object]], *, header: Sequence[str], filename: str
) -> StreamingHttpResponse:
    """A streamed ``text/csv`` attachment named `filename`. `rows` is consumed lazily, while the
    response is sent (pass a generator over `queryset.iterator()` for large exports)."""
    if not _SAFE_FILENAME.fullmatch(filename):
        raise ValueError(f"Unsafe CSV filename: {filename!r}")
    response = StreamingHttpResponse(csv_lines(rows, header=header), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
