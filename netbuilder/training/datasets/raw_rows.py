"""Rows to predict: a CSV of raw rows read for a model's raw-column front, every cell kept as written.

The file is read by the loader's own reader (`read_csv`: header, encodings,
ragged rows, row numbers) and numeric columns are checked by the loader's own
encoder (`NumericColumn.encode`: empty, NaN, infinite, too large), so a bad
cell gets the message training would give it, naming the file, the row and
the column. Text columns are passed on as written: the model's front decides
what a category is. Columns the model does not take (the target, an id) are
allowed and kept, so the output can repeat each row beside its prediction.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from netbuilder.training.datasets.csv_columns import NumericColumn, OneHotColumn, category_of
from netbuilder.training.datasets.csv_features import CsvFeatures
from netbuilder.training.datasets.csv_table import read_csv
from netbuilder.training.datasets.shown import shown, shown_names
from netbuilder.training.datasets.spec import DatasetError
from netbuilder.training.datasets.text_file import read_text


@dataclass
class RawRows:
    """The rows of one file: `header` and `cells` as written, `values` the model's columns
    (float32 numbers, or object arrays of text), `notes` about values the model never saw."""

    name: str
    header: list[str]
    cells: list[list[str]]
    values: dict[str, np.ndarray]
    notes: list[str] = field(default_factory=list)


def read_raw_rows(path: Path, features: CsvFeatures) -> RawRows:
    """Read `path` for a model trained with `features`; DatasetError names the file, row and column at fault."""
    table = read_csv(path)
    missing = [c for c in features.columns if c not in table.columns]
    if missing:
        raise DatasetError(f"{table.name}: no column '{shown(missing[0])}', which the model takes (it takes "
                           f"{shown_names(features.columns)}); the columns of {table.name}: "
                           f"{shown_names(table.columns)}")
    cells = [row for row in csv.reader(io.StringIO(read_text(path, "a CSV file"))) if row][1:]
    if len(cells) != table.n_rows:  # both skip blank lines; anything else is a reader disagreement
        raise DatasetError(f"{table.name}: cannot line its rows up ({len(cells)} against {table.n_rows})")
    values: dict[str, np.ndarray] = {}
    notes: list[str] = []
    for column in features.columns:
        encoder = features.encoders[column]
        position = table.columns.index(column)
        if encoder.raw_dtype == "string":
            values[column] = np.array([row[position] for row in cells], dtype=object)
            if isinstance(encoder, OneHotColumn):
                notes += _unseen(table.name, column, encoder, values[column], table.row_number)
            continue
        if column in table.texts:
            index, value = table.first_text(column)
            raise DatasetError(f"{table.name}: row {table.row_number(index)}, column '{shown(column)}': "
                               f"'{shown(value)}' is not a number, and the model takes numbers there")
        values[column] = NumericColumn(column).encode(table).ravel().astype(np.float32)
    return RawRows(table.name, list(table.columns), cells, values, notes)


def _unseen(name: str, column: str, encoder: OneHotColumn, cells: np.ndarray,
            row_number: Callable[[int], int]) -> list[str]:
    """One note per column holding values training never saw (the front encodes them as all zeros)."""
    known = set(encoder.categories)
    unseen = [i for i, cell in enumerate(cells) if category_of(cell) not in known]
    if not unseen:
        return []
    first = unseen[0]
    return [f"{name}: column '{shown(column)}' holds '{shown(cells[first])}' in row {row_number(first)}"
            f"{f' and {len(unseen) - 1} more rows' if len(unseen) > 1 else ''}, not one of the values seen in "
            f"training ({shown_names(encoder.categories)}); encoded as none of them (all zeros)"]
