"""One streaming pass over a big CSV file: what encoding it needs, without keeping its rows.

A file too big to hold is read a slice of rows at a time through the same
parser as a small one (`csv_table.parse_csv`), and each column keeps only the
few facts the encoding rules of `csv_columns` look at: for a text column its
distinct values, how many cells are numbers, the first text and the first
empty cell; for a numeric column its first bad cell (empty, infinite, beyond
float32, fractional), its range and, while they are few, its whole values.
`digest` turns those facts back into a tiny `CsvTable` on which the very
rules of `csv_columns` give the decisions and refusals (naming the same row)
that they give on the whole file — so the rules live in one place. While it
reads, the pass also writes the parsed rows of an all-numeric file to a float32
cache on disk (`csv_cache`), from which epochs stream without parsing text again.

A file the slices cannot cut cleanly (a quoted cell spanning lines, a column
that holds numbers in one slice and text in a later one) gets None: it is
loaded whole, as before. Scans are kept in memory, keyed on the file's path,
size and modification time, so a second run on the same file skips the pass.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from netbuilder.training.datasets.cell_number import is_number
from netbuilder.training.datasets.csv_cache import CacheWriter, RowCache, reserve_cache
from netbuilder.training.datasets.csv_columns import FLOAT32_MAX
from netbuilder.training.datasets.csv_table import ColumnKind, CsvTable, numeric_rows, parse_csv
from netbuilder.training.datasets.spec import DatasetError
from netbuilder.training.datasets.text_file import check_file

SLICE_BYTES = 4 << 20  # parsed at a time: a few MB of cells, whatever the file's size
MAX_DISTINCT = 20_000  # distinct text values (whole numbers) a column keeps; far above any category count
CACHED_SCANS = 4
PARALLEL_BYTES = 64 << 20  # rows beyond this are scanned in two processes at once (`csv_scan_part`)


@dataclass
class TextFacts:
    """A column that holds text: enough to decide its one-hot encoding (or its refusal)."""

    first_text: tuple[int, str]
    first_empty: int | None = None
    distinct: set[str] = field(default_factory=set)
    numbers: int = 0
    filled: int = 0


@dataclass
class NumberFacts:
    """A column of numbers: its first bad cells (row, value), its range and whole values."""

    first: float
    bad: list[tuple[int, float]] = field(default_factory=list)  # first non-finite, first too big
    first_fraction: tuple[int, float] | None = None
    low: float = math.inf
    high: float = -math.inf
    wholes: set[float] | None = field(default_factory=set)  # None once there are too many to keep


@dataclass
class CsvScan:
    """What one pass over a CSV file found; `rows` counts its data rows (blank lines skipped)."""

    name: str
    columns: list[str]
    rows: int
    facts: dict[str, TextFacts | NumberFacts]
    blank_lines: bool = False
    carriage_returns: bool = False
    cache: RowCache | None = None  # the rows as float32 on disk when every column holds numbers (`csv_cache`)

    def is_text(self, column: str) -> bool:
        return isinstance(self.facts[column], TextFacts)

    def digest(self, column: str) -> CsvTable:
        """A few rows that `csv_columns` judges as it would judge the whole column.

        Text: the first text cell (so "holds text ('x' in row 7)" names row 7), the first empty cell,
        every distinct value once, and copies of a number or of the first text cell so that the
        share of numbers among filled cells falls on the same side of one half as in the file.
        Numbers: the first bad cells, then the whole values (the classes of a label column).
        """
        facts = self.facts[column]
        if isinstance(facts, TextFacts):
            row, text = facts.first_text
            cells, lines = [text], [row]
            if facts.first_empty is not None:
                cells.append("")
                lines.append(facts.first_empty)
            values = sorted(facts.distinct)
            numeric = [v for v in values if is_number(v)]
            size = 1 + len(values)
            if facts.numbers * 2 > facts.filled:
                padding = [numeric[0] if numeric else "0"] * max(0, size - 2 * len(numeric) + 1)
            else:
                padding = [text] * max(0, 2 * len(numeric) - size)
            cells += values + padding
            lines += [row] * (len(values) + len(padding))
            return CsvTable(self.name, [column], len(cells), {}, {column: cells}, lines)
        witnesses = facts.bad + ([facts.first_fraction] if facts.first_fraction else [])
        wholes = sorted(facts.wholes or ())
        values = np.array([v for _, v in witnesses] + wholes, dtype=np.float64)
        lines = [r for r, _ in witnesses] + [2] * len(wholes)
        return CsvTable(self.name, [column], len(values), {column: values}, {}, lines)

    def target_witness(self, column: str) -> np.ndarray:
        """The column's first value, minimum, maximum and first fraction: what the pre-flight check
        looks at in a target (its range, whether every value is a whole number, an example)."""
        facts = self.facts[column]
        assert isinstance(facts, NumberFacts)
        fraction = facts.first_fraction[1] if facts.first_fraction else facts.first
        return np.array([facts.first, facts.low, facts.high, fraction], dtype=np.float64)


def scan_kinds(scan: CsvScan) -> dict[str, ColumnKind]:
    """Each column's kind as `CsvTable.kind` says it of the whole file."""
    return {c: "categorical" if isinstance(f, TextFacts) else "numeric" if f.low <= f.high else "empty"
            for c, f in scan.facts.items()}


_scans: dict[tuple[str, int, int], CsvScan | None] = {}


def scan_csv(path: Path) -> CsvScan | None:
    """The scan of `path` (from memory if the file has not changed); None if it must be loaded whole.

    Raises:
        DatasetError: as `read_csv` would say it, naming the file, row and column.
    """
    check_file(path, "a CSV file")
    key = scan_key(path)
    if key not in _scans:
        while len(_scans) >= CACHED_SCANS:
            del _scans[next(iter(_scans))]
        _scans[key] = _scan(path, key)
    return _scans[key]


def scan_key(path: Path) -> tuple[str, int, int]:
    """What a scan is remembered by: the file and the version of it that was read."""
    stat = path.stat()
    return str(path.resolve()), stat.st_size, stat.st_mtime_ns


def read_header(path: Path) -> tuple[str, int]:
    """The header line, decoded, and the offset of the first data line."""
    with path.open("rb") as fh:
        header = _decoded(fh.readline(), path, 1).removeprefix("\ufeff").rstrip("\r\n")
        return header, fh.tell()


def _scan(path: Path, key: tuple[str, int, int]) -> CsvScan | None:
    from netbuilder.training.datasets.csv_scan_part import NOT_AHEAD, scan_in_two, taken_ahead

    name = path.name
    header, start = read_header(path)
    end = key[1]
    ahead = taken_ahead(path, key, start)  # a child process may have scanned the file while TensorFlow loaded
    if ahead is not NOT_AHEAD:
        scan = ahead
    elif end - start > PARALLEL_BYTES:
        scan = scan_in_two(path, header, start, end, key)
    else:
        scan = scan_part(path, header, start, end, 1, CacheWriter(reserve_cache(path)))
    if scan is not None and not scan.rows:
        parse_csv(header, name)  # says what is wrong: an empty file, or a header without rows
        raise DatasetError(f"{name}: has a header but no rows of data")
    return scan


def scan_part(path: Path, header: str, start: int, end: int, line: int, writer: CacheWriter) -> CsvScan | None:
    """The scan of the whole lines between bytes `start` and `end` of `path`, `line` being the file line
    before them; its rows go to `writer`. None if the file must be loaded whole."""
    scan = CsvScan(path.name, [], 0, {})
    blank = returns = False
    with path.open("rb") as fh:
        fh.seek(start)
        # Whole lines of about SLICE_BYTES, read as one block: splitting them into lines here would cost
        # a third of what parsing them does.
        while (data := fh.read(min(SLICE_BYTES, end - fh.tell()))):
            if fh.tell() < end:
                data += fh.readline()
            text = _decoded(data, path, line + 1)
            if "\r" in text:
                returns = True
                text = text.replace("\r\n", "\n").replace("\r", "\n")
            if '"' in text and any(row.count('"') % 2 for row in text.split("\n")):
                return None  # a quoted cell spans lines: only the whole-file reader follows it
            blank = blank or _has_blank_line(text)
            if text.strip():
                # Past the first slice, whose header `parse_csv` checked, numbers are read without it.
                table = numeric_rows(scan.columns, text, path.name, line - 1) if scan.columns else None
                if table is None:
                    table = parse_csv(header + "\n" + text, path.name, line - 1)
                scan.columns = scan.columns or table.columns
                if not _add(scan, table):
                    return None
                writer.add(table)
            line += data.count(b"\n")
    scan.blank_lines, scan.carriage_returns = blank, returns
    scan.cache = writer.finish()
    return scan


_BLANK_LINE = re.compile(r"\n[ \t\x0b\x0c]*\n")  # searched in C: no split of the slice into lines


def _has_blank_line(text: str) -> bool:
    """Whether some line of `text` (line ends made "\\n") holds only white space."""
    last = text[text.rfind("\n") + 1:]
    return _BLANK_LINE.search("\n" + text) is not None or (last != "" and not last.strip(" \t\x0b\x0c"))


def _decoded(data: bytes, path: Path, first_line: int) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = first_line + data.count(b"\n", 0, exc.start)
        raise DatasetError(f"{path.name}: line {line} is not UTF-8 text (byte 0x{data[exc.start]:02x}); save the "
                           "file as UTF-8 (is it really a CSV file?)") from None


def _add(scan: CsvScan, table: CsvTable) -> bool:
    """Fold one slice into the scan; False when a column changes kind (numbers, then text)."""
    for column in table.columns:
        known = scan.facts.get(column)
        if column in table.texts:
            if isinstance(known, NumberFacts):
                return False
            scan.facts[column] = _add_text(known, table, column)
        else:
            if isinstance(known, TextFacts):
                return False
            scan.facts[column] = _add_numbers(known, table, column)
    scan.rows += table.n_rows
    return True


def _add_text(facts: TextFacts | None, table: CsvTable, column: str) -> TextFacts:
    cells = table.texts[column]
    if facts is None:
        index, value = table.first_text(column)
        facts = TextFacts((table.row_number(index), value))
    for index, cell in enumerate(cells):
        value = cell.strip()
        if not value:
            if facts.first_empty is None:
                facts.first_empty = table.row_number(index)
            continue
        facts.filled += 1
        facts.numbers += is_number(cell)
        if len(facts.distinct) < MAX_DISTINCT:
            facts.distinct.add(value)
    return facts


def _add_numbers(facts: NumberFacts | None, table: CsvTable, column: str) -> NumberFacts:
    values = table.numbers[column]
    if facts is None:
        facts = NumberFacts(float(values[0]))
    finite = np.isfinite(values)
    seen = {"non-finite" if not math.isfinite(v) else "huge" for _, v in facts.bad}
    for kind, found in (("non-finite", ~finite), ("huge", finite & (np.abs(values) > FLOAT32_MAX))):
        hits = np.flatnonzero(found)
        if hits.size and kind not in seen:
            facts.bad.append((table.row_number(int(hits[0])), float(values[hits[0]])))
    usable = values[finite]
    if usable.size:
        facts.low, facts.high = min(facts.low, float(usable.min())), max(facts.high, float(usable.max()))
    if facts.first_fraction is None:
        fractional = np.flatnonzero(finite & (values != np.round(values)))
        if fractional.size:
            facts.first_fraction = (table.row_number(int(fractional[0])), float(values[fractional[0]]))
            facts.wholes = None  # not a label column: nothing more to count
        elif facts.wholes is not None:
            facts.wholes.update(np.unique(usable).tolist())
            if len(facts.wholes) > MAX_DISTINCT:
                facts.wholes = None
    return facts

