"""A CSV file read into named columns: numbers where a column holds only numbers, text otherwise.

The header row is required and names the columns. A clean all-numeric file
goes through NumPy's C reader (`np.loadtxt`), which is what makes a
100,000-row file load in a fraction of a second; anything else (text columns,
empty cells, ragged rows) is read with the standard `csv` module, which also
knows each row's line number so messages can point at it. Row numbers are as
a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import csv
import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Sequence

import numpy as np

from netbuilder.training.datasets.cell_number import all_plain, cell_number, plain_lines
from netbuilder.training.datasets.shown import shown
from netbuilder.training.datasets.spec import DatasetError
from netbuilder.training.datasets.text_file import read_text

ColumnKind = Literal["numeric", "categorical", "empty"]


@dataclass
class CsvTable:
    """The cells of one CSV file. `numbers` holds the all-numeric columns (NaN where a cell is
    empty); `texts` the raw cells of every other column."""

    name: str
    columns: list[str]
    n_rows: int
    numbers: dict[str, np.ndarray]
    texts: dict[str, list[str]]
    line_numbers: Sequence[int] | None = None

    def row_number(self, index: int) -> int:
        """The row (file line) that data row `index` came from."""
        return self.line_numbers[index] if self.line_numbers is not None else index + 2

    def kind(self, column: str) -> ColumnKind:
        if column in self.numbers:
            return "empty" if self.n_rows and np.isnan(self.numbers[column]).all() else "numeric"
        return "categorical" if any(cell.strip() for cell in self.texts[column]) else "empty"

    def first_text(self, column: str) -> tuple[int, str]:
        """Index and value of the first cell of a text column that is not a number."""
        for index, cell in enumerate(self.texts[column]):
            if cell.strip() and cell_number(cell) is None:
                return index, cell
        raise ValueError(f"column {column!r} holds no text")

    def count_numbers(self, column: str) -> int:
        return sum(1 for cell in self.texts[column] if cell_number(cell) is not None)


def read_csv(path: Path) -> CsvTable:
    """Read `path`; DatasetError names the file and, where it can, the row and column at fault."""
    return parse_csv(read_text(path, "a CSV file"), path.name)


def parse_csv(text: str, name: str, line_offset: int = 0) -> CsvTable:
    """The table `text` holds (header row first). A streaming reader hands over one slice of a big file
    at a time, the header row in front: `line_offset` is how many file lines lie between the header and
    the slice, so messages and `row_number` still count lines in the whole file."""
    if not text.strip():
        raise DatasetError(f"{name}: the file is empty; a CSV file needs a header row naming its columns")
    if "\x00" in text:  # the csv module would take it as part of a cell; no text file holds one
        line = text.count("\n", 0, text.index("\x00")) + 1
        line += line_offset if line > 1 else 0
        raise DatasetError(f"{name}: row {line} holds a NUL character (\\x00), which text never does; is it "
                           "really a CSV file, saved as UTF-8?")
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
        columns = _column_names(header, name)
        first, _, body = text.partition("\n")
        table = numeric_rows(columns, body, name, line_offset) if '"' not in first else None
        if table is not None:
            return table
        rows: list[list[str]] = []
        lines: list[int] = []
        for row in reader:
            if row:  # a blank line separates nothing; skip it but keep counting lines
                rows.append(row)
                lines.append(reader.line_num + line_offset)
    except csv.Error as exc:
        line = reader.line_num + (line_offset if reader.line_num > 1 else 0)
        if "field limit" in str(exc):
            raise DatasetError(f"{name}: row {line} has a cell of more than "
                               f"{csv.field_size_limit():,} characters; is it really a CSV file?") from None
        raise DatasetError(f"{name}: row {line}: {exc}") from None
    if not rows:
        raise DatasetError(f"{name}: has a header but no rows of data")
    for index, row in enumerate(rows):
        if len(row) != len(columns):
            raise DatasetError(f"{name}: row {lines[index]} has {len(row)} fields, but the header names "
                               f"{len(columns)} columns")
    numbers: dict[str, np.ndarray] = {}
    texts: dict[str, list[str]] = {}
    for column, cells in zip(columns, zip(*rows)):
        values = _numbers(cells)
        if values is None:
            texts[column] = list(cells)
        else:
            numbers[column] = values
    return CsvTable(name, columns, len(rows), numbers, texts, lines)


def _column_names(header: list[str], name: str) -> list[str]:
    if header and all(cell_number(cell) is not None for cell in header):
        raise DatasetError(f"{name}: the first row ({', '.join(shown(c) for c in header[:4])}"
                           f"{', …' if len(header) > 4 else ''}) "
                           "holds numbers, not column names; add a header row naming the columns")
    # A nameless column (pandas writes its index that way) gets a name the user can refer to.
    columns = [cell.strip() or f"column {i}" for i, cell in enumerate(header, start=1)]
    seen: dict[str, int] = {}
    for position, column in enumerate(columns, start=1):
        if column in seen:
            raise DatasetError(f"{name}: the header names column '{shown(column)}' twice (columns {seen[column]} "
                               f"and {position}); give each column its own name")
        seen[column] = position
    return columns


LOADTXT_CHUNK = 2000  # rows: a few milliseconds of parsing each


def numeric_rows(columns: list[str], body: str, name: str, line_offset: int = 0) -> CsvTable | None:
    """The table `parse_csv` makes of the header naming `columns` and the data lines `body` when every
    cell is a number and no line is blank; None otherwise (`parse_csv` then reads them the slow way).

    A streaming scan calls it on each slice of a big file after the first, whose header `parse_csv`
    checked: the slice is then neither joined to the header nor copied into a reader."""
    matrix = _all_numbers(body, len(columns))
    if matrix is None:
        return None
    return CsvTable(name, columns, len(matrix), {c: matrix[:, j] for j, c in enumerate(columns)}, {},
                    range(2 + line_offset, 2 + line_offset + len(matrix)) if line_offset else None)


def _all_numbers(body: str, width: int) -> np.ndarray | None:
    """The data rows `body` as a float matrix if every cell is a number and no line is blank, else None.

    NumPy's reader takes `"5\x1c"` for 5 where TensorFlow's refuses it (`cell_number`), so a slice
    holding such a character goes the slow way, which judges each cell as TensorFlow would."""
    if not plain_lines(body):
        return None
    lines = body.rstrip().split("\n")
    if "" in lines:  # a blank line, which NumPy's reader would skip and leave the rows after it misnumbered
        return None  # (a quicker search than one for "\n\n" in the text)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # In chunks: NumPy's reader keeps Python's lock while it parses, and the
            # window (training loads data on a worker thread) must not wait long for it.
            parts = [np.loadtxt(lines[i:i + LOADTXT_CHUNK], delimiter=",", comments=None, ndmin=2, dtype=np.float64)
                     for i in range(0, len(lines), LOADTXT_CHUNK)]
    except ValueError:
        return None
    if any(part.shape[1] != width for part in parts):
        return None
    return np.concatenate(parts)


def _numbers(cells: tuple[str, ...]) -> np.ndarray | None:
    """The column as floats (NaN for empty cells), or None if some cell is text."""
    try:
        values = np.fromiter(map(float, cells), dtype=np.float64, count=len(cells))
        if all_plain(cells):
            return values
    except ValueError:
        pass
    values = np.empty(len(cells))
    for index, cell in enumerate(cells):
        if not cell.strip():
            values[index] = np.nan
            continue
        number = cell_number(cell)
        if number is None:
            return None
        values[index] = number
    return values

