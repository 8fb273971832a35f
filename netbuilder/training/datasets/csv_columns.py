"""Turning CSV columns into model arrays: numbers as they are, text one-hot encoded or refused (or,
for an Input that takes text, passed as written), targets as numbers (regression) or class indices
(classification).

Encoders are decided from every file of a dataset at once (the training file
and a separate validation file), so both are encoded with the same one-hot
categories and class names. Every refusal names the file, the column, the row
and the value, because that is what a user needs to fix the file.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from netbuilder.training.datasets.csv_table import CsvTable
from netbuilder.training.datasets.shown import shown
from netbuilder.training.datasets.spec import DatasetError

# More categories than this is almost always an identifier or a free-text column, not a category.
MAX_CATEGORIES = 50
# Models compute in float32: a larger number would become infinity on the way in, and the loss NaN.
FLOAT32_MAX = float(np.finfo(np.float32).max)


@dataclass(frozen=True)
class NumericColumn:
    """A column fed to the model as it is: one float per row."""

    column: str
    raw_dtype = "float32"  # what a served model takes for this column (see export.raw_inputs)

    @property
    def names(self) -> list[str]:
        return [self.column]

    def encode(self, table: CsvTable) -> np.ndarray:
        values = table.numbers[self.column]
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            row = table.row_number(int(bad[0]))
            what = "has no value (empty or NaN)" if np.isnan(values[bad[0]]) else "holds an infinite value"
            raise DatasetError(f"{table.name}: column '{shown(self.column)}' {what} in row {row}; "
                               "fill in the cell or leave the row out")
        huge = np.flatnonzero(np.abs(values) > FLOAT32_MAX)
        if huge.size:
            raise DatasetError(f"{table.name}: column '{shown(self.column)}' holds {values[huge[0]]:g} in row "
                               f"{table.row_number(int(huge[0]))}, beyond the ±{FLOAT32_MAX:.4g} that a model's "
                               "32-bit numbers hold; rescale the column or fix the cell")
        return values.reshape(-1, 1)


@dataclass(frozen=True)
class OneHotColumn:
    """A text column fed to the model as one 0/1 value per category, in `categories`' order;
    a cell's category is `category_of(cell)`."""

    column: str
    categories: list[str]
    raw_dtype = "string"

    @property
    def names(self) -> list[str]:
        return [f"{self.column}={category}" for category in self.categories]

    def encode(self, table: CsvTable) -> np.ndarray:
        index = _category_indices(table, self.column, self.categories)
        return np.eye(len(self.categories), dtype=np.float64)[index]


@dataclass(frozen=True)
class RawTextColumn:
    """A text column fed to a string Input: one cell per row, shape (rows, 1), without its surrounding
    spaces (`category_of`, as a one-hot column reads it). The model encodes it itself (a `StringLookup`
    of its preprocessing block, whose vocabulary is the one-hot categories), and the served model strips
    a request's cells too (`export.raw_inputs.StrippedText`), so training and serving see the same cells."""

    column: str
    raw_dtype = "string"

    @property
    def names(self) -> list[str]:
        return [self.column]

    def encode(self, table: CsvTable) -> np.ndarray:
        return np.array([category_of(cell) for cell in table.texts[self.column]], dtype=object).reshape(-1, 1)


Encoder = NumericColumn | OneHotColumn | RawTextColumn


def feature_encoder(column: str, tables: list[CsvTable], categorical: str) -> Encoder:
    """How feature `column` becomes numbers, given the same column in every file of the dataset."""
    text_tables = _text_tables(column, tables)
    if not text_tables:
        return NumericColumn(column)
    table = text_tables[0]
    index, value = table.first_text(column)
    where = f"{table.name}: column '{shown(column)}' holds text ('{shown(value)}' in row {table.row_number(index)})"
    if categorical == "reject":
        raise DatasetError(f"{where}; text columns are refused (categorical is 'reject'): write the values as "
                           "numbers, leave the column out of the inputs, or one-hot encode text columns")
    filled = [cell for cell in table.texts[column] if cell.strip()]
    if table.count_numbers(column) * 2 > len(filled):
        raise DatasetError(f"{where} among numbers; fix that cell, or leave the column out of the inputs")
    categories = _categories(column, text_tables)
    if len(categories) > MAX_CATEGORIES:
        raise DatasetError(f"{table.name}: column '{shown(column)}' holds text with {len(categories)} different "
                           f"values, too many to one-hot encode ({MAX_CATEGORIES} at most); leave it out of the inputs")
    return OneHotColumn(column, categories)


def text_input_encoder(column: str, tables: list[CsvTable], input_name: str) -> RawTextColumn:
    """How `column` feeds input `input_name`, whose Input takes text (dtype string): cells as written."""
    if not _text_tables(column, tables):
        table = tables[0]
        raise DatasetError(f"{table.name}: column '{shown(column)}' holds numbers, but input '{input_name}' takes "
                           "text (dtype string); give the Input dtype float32, or map a text column to it")
    return RawTextColumn(column)


def class_labels(column: str, tables: list[CsvTable]) -> tuple[list[str], list[np.ndarray]]:
    """Class names (sorted) and, per table, each row's class index (int32)."""
    if _text_tables(column, tables):
        names = _categories(column, tables)
        return names, [_category_indices(t, column, names).astype(np.int32) for t in tables]
    values = [NumericColumn(column).encode(t).ravel() for t in tables]
    for table, column_values in zip(tables, values):
        fractional = np.flatnonzero(column_values != np.round(column_values))
        if fractional.size:
            row = int(fractional[0])
            raise DatasetError(f"{table.name}: column '{shown(column)}' holds {column_values[row]:g} in row "
                               f"{table.row_number(row)}, which is not a whole-number class label; to predict it as a "
                               "number, use a regression loss")
    classes = np.unique(np.concatenate(values))
    return [f"{c:g}" for c in classes], [np.searchsorted(classes, v).astype(np.int32) for v in values]


def _text_tables(column: str, tables: list[CsvTable]) -> list[CsvTable]:
    """The tables in which `column` holds text; refuses a column that is text in one file only."""
    text_tables = [t for t in tables if column in t.texts]
    if text_tables and len(text_tables) != len(tables):
        numeric = next(t for t in tables if column not in t.texts)
        raise DatasetError(f"column '{shown(column)}' holds text in {text_tables[0].name} but only numbers in "
                           f"{numeric.name}; both files must hold the same kind of values")
    return text_tables


def category_of(cell: str) -> str:
    """The category a text cell stands for: surrounding spaces are not part of it."""
    return cell.strip()


def _categories(column: str, tables: list[CsvTable]) -> list[str]:
    found = {category_of(cell) for t in tables for cell in t.texts[column]}
    found.discard("")
    return sorted(found)


def _category_indices(table: CsvTable, column: str, categories: list[str]) -> np.ndarray:
    position = {category: i for i, category in enumerate(categories)}
    cells = table.texts[column]
    try:
        return np.fromiter((position[category_of(cell)] for cell in cells), dtype=np.intp, count=len(cells))
    except KeyError:
        index = next(i for i, cell in enumerate(cells) if category_of(cell) not in position)
        raise DatasetError(f"{table.name}: column '{shown(column)}' is empty in row {table.row_number(index)}; "
                           "fill in the cell or leave the row out") from None
