"""The one CSV helper: streamed, and no cell can run as a spreadsheet formula."""

from __future__ import annotations

import csv
import io

import pytest

from backend.api.csv import FORMULA_PREFIXES, csv_lines, csv_response, csv_safe


def read(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_a_text_cell_starting_like_a_formula_is_escaped(prefix):
    assert csv_safe(f"{prefix}SUM(A1:A9)") == f"'{prefix}SUM(A1:A9)"


@pytest.mark.parametrize("value", ["Ana", "", "a=b", "1-2", 5, -5, 1.5, None, True])
def test_other_cells_are_left_as_they_are(value):
    assert csv_safe(value) == value


def test_every_cell_of_every_column_is_escaped_including_the_header():
    response = csv_response(
        [[1, '=HYPERLINK("http://x")', "@me"], [-2, "+1", "\tTab"]],
        header=["id", "-name", "note"],
        filename="people.csv",
    )

    assert read(response) == [
        ["id", "'-name", "note"],
        ["1", '\'=HYPERLINK("http://x")', "'@me"],
        ["-2", "'+1", "'\tTab"],
    ]


def test_the_response_is_a_streamed_csv_attachment():
    response = csv_response(iter([["a"]]), header=["x"], filename="event-7-roster.csv")

    assert response.streaming
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"] == 'attachment; filename="event-7-roster.csv"'


def test_rows_are_consumed_lazily_while_streaming():
    consumed = []

    def rows():
        for number in range(3):
            consumed.append(number)
            yield [number]

    lines = csv_lines(rows(), header=["n"])

    assert next(lines) == "n\r\n"
    assert consumed == []
    assert next(lines) == "0\r\n"
    assert consumed == [0]


@pytest.mark.parametrize("filename", ['a".csv', "a\r\nSet-Cookie: x", "../a.csv", ""])
def test_an_unsafe_filename_is_refused(filename):
    with pytest.raises(ValueError, match="filename"):
        csv_response([], header=["x"], filename=filename)
