"""Reading uploaded CSV files line by line, so that a few bad bytes never sink a whole file.

`LineSource` wraps a binary stream and yields its physical lines decoded as UTF-8, for
`csv.reader`. A line holding a NUL byte (which PostgreSQL refuses in text) or bytes that are not
UTF-8 is not yielded: it is handed to `on_bad_line(line_number, problem)` and the next line
follows, so a bad line never costs a good one. It also tracks where each CSV record starts
(its physical line number) and the byte offset after the last line consumed, which is where an
interrupted import resumes.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from typing import IO

BadLine = Callable[[int, str], None]


class LineSource:
    def __init__(
        self,
        stream: IO[bytes],
        on_bad_line: BadLine,
        *,
        start_offset: int = 0,
        start_line: int = 1,
    ) -> None:
        self._stream = stream
        self._on_bad_line = on_bad_line
        self.offset = start_offset  # bytes consumed so far (the end of the last line read)
        self.line = start_line - 1  # physical number of the last line read
        self.record_start = start_line  # physical line where the current CSV record began
        self._record_open = False
        if start_offset:
            stream.seek(start_offset)

    def __iter__(self) -> Iterator[str]:
        return self

    def end_record(self) -> None:
        """Called after each record csv.reader returns: the next line read starts a record."""
        self._record_open = False

    def __next__(self) -> str:
        while True:
            raw = self._stream.readline()
            if not raw:
                raise StopIteration
            self.offset += len(raw)
            self.line += 1
            if self.line == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            if b"\x00" in raw:
                column = raw.index(b"\x00") + 1
                self._on_bad_line(self.line, f"NUL byte at column {column}")
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                problem = (
                    f"not UTF-8 (invalid byte 0x{raw[exc.start]:02X} at column {exc.start + 1})"
                )
                self._on_bad_line(self.line, problem)
                continue
            if not self._record_open:
                self.record_start = self.line
                self._record_open = True
            return text
