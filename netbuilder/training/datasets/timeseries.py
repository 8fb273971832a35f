"""Time series: a CSV file whose rows are time steps in order, cut into windows that forecast a later row.

An example is `window` consecutive rows of the feature columns (every numeric
column unless the project maps inputs to columns, so past values of the target
feed the model too); its target is the target column(s) `horizon` steps after
the window's last row. A model for it starts with an Input of shape
`(window, features)` — the shape RNN and Conv1D layers take.

The rows stay in the file: one pass (`csv_scan`, cached and shared with the CSV
streaming path) counts them and checks that every column used holds numbers
only, then `timeseries_windows` streams the windows with `tf.data`. Validation
is the last `validation_split` of the windows — in time order, so no training
target lies in the validation period — unless a separate validation file is
given. Training windows are shuffled in a buffer bounded in bytes, with the
run's seed. A few hundred windows of each split are kept in memory for what
looks at examples (the pre-flight check, the evaluation views).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from netbuilder.training.datasets.cell_number import is_number
from netbuilder.training.datasets.csv_columns import NumericColumn
from netbuilder.training.datasets.csv_scan import CsvScan, NumberFacts, TextFacts, scan_csv
from netbuilder.training.datasets.loaded import LoadedData, Split, Task
from netbuilder.training.datasets.mapping import input_mapping, output_mapping, unique
from netbuilder.training.datasets.shown import shown, shown_names
from netbuilder.training.datasets.spec import DatasetError, DatasetSpec
from netbuilder.training.datasets.timeseries_windows import SeriesColumns, series_windows

SAMPLE_WINDOWS = 256
SHUFFLE_BYTES = 64 << 20
MAX_SHUFFLE_WINDOWS = 10_000


@dataclass
class SeriesPart:
    """The rows of one file a split reads: from `skip`, `take` of them (None: to the end), giving `windows`."""

    path: Path
    scan: CsvScan
    skip: int
    take: int | None
    windows: int


@dataclass
class TimeseriesData(LoadedData):
    """A `LoadedData` whose windows stay in the file: `train`/`validation` hold the first windows of each
    split, `n_rows` counts every window, and `tf_dataset` streams them."""

    train_is_head = False  # its `train` is a sample read its own way (see `LoadedData.head`)

    columns: SeriesColumns | None = None
    parts: dict[str, SeriesPart] = field(default_factory=dict)

    def n_rows(self, which: Literal["train", "validation"]) -> int:
        part = self.parts.get(which)
        return 0 if part is None else part.windows

    def windows(self, which: Literal["train", "validation"]) -> Any:
        """Unbatched (features, targets) dicts of the split's windows, in time order."""
        part, columns = self.parts[which], self.columns
        assert columns is not None
        return series_windows(part.path, part.scan, columns, skip=part.skip, take=part.take)

    def tf_dataset(self, which: Literal["train", "validation"], batch_size: int, *,
                   shuffle: bool = True, seed: int | None = None) -> Any:
        if not self.n_rows(which):
            raise ValueError(f"this dataset has no {which} split")
        import tensorflow as tf

        assert self.columns is not None
        ds = self.windows(which)
        if shuffle and which == "train":
            ds = ds.shuffle(_shuffle_windows(self.columns), seed=seed, reshuffle_each_iteration=True)
        single = len(self.columns.inputs) == 1, len(self.columns.outputs) == 1
        ds = ds.batch(batch_size).map(lambda x, y: (next(iter(x.values())) if single[0] else x,
                                                     next(iter(y.values())) if single[1] else y))
        # Counted windows: Keras then knows an epoch's length instead of running into its end.
        batches = -(-self.n_rows(which) // batch_size)
        return ds.prefetch(tf.data.AUTOTUNE).apply(tf.data.experimental.assert_cardinality(batches))


def load_timeseries(spec: DatasetSpec, path: Path, validation: Path | None, *, input_names: list[str],
                    output_names: list[str], task: Task | None, source_name: str, validation_split: float
                    ) -> TimeseriesData:
    """`spec`'s series as windows for a model with these inputs and outputs; DatasetError names what is wrong."""
    if task == "classification":
        raise DatasetError(f"{source_name}: a time series is forecast as numbers; use a regression loss such as "
                           "mean_squared_error")
    main = _scan(path)
    # A column of numbers with a stray word in it is still meant as numbers: kept, and refused naming the cell.
    numeric = [c for c in main.columns if isinstance(main.facts[c], NumberFacts) or _mostly_numbers(main.facts[c])]
    columns = SeriesColumns(
        inputs=input_mapping(spec, input_names, numeric, source_name),
        outputs=output_mapping(spec, output_names, [], source_name, f"the columns of {path.name}"),
        window=spec.window, horizon=spec.horizon)
    scans = [main] + ([_scan(validation)] if validation is not None else [])
    for scan in scans:
        _check_columns(scan, columns)
    if validation is not None:
        parts = {"train": _part(path, main, columns, 0, None),
                 "validation": _part(validation, scans[1], columns, 0, None)}
    else:
        total = _windows(main.name, main.rows, columns)
        held = int(total * validation_split)
        if validation_split and held in (0, total):
            raise DatasetError(f"{source_name}: a validation split of {validation_split:g} of its {total:,} windows "
                               f"({main.rows:,} rows, {columns.span} to a window and its target) leaves "
                               f"{'no validation windows' if not held else 'no windows to train on'}; use more rows, "
                               "a shorter window or another split")
        parts = {"train": _part(path, main, columns, 0, total - held + columns.span - 1)}
        if held:
            parts["validation"] = _part(path, main, columns, total - held, None)
    data = TimeseriesData(train=Split({}, {}), validation=None, task="regression",
                          feature_columns=dict(columns.inputs), target_columns=dict(columns.outputs),
                          source_name=source_name, columns=columns, parts=parts)
    data.train = _sample(data, "train")
    data.validation = _sample(data, "validation") if "validation" in parts else None
    return data


def _scan(path: Path) -> CsvScan:
    scan = scan_csv(path)
    if scan is None:  # the slices could not be cut cleanly: find the culprit row by row
        _first_text_cell(path)
        raise DatasetError(f"{path.name}: cannot be read a slice at a time: a quoted cell spans several lines, or a "
                           "column holds text in its first rows and only numbers further down; a time series is "
                           "read one line per row, with numbers in every column it uses")
    return scan


def _windows(name: str, rows: int, columns: SeriesColumns) -> int:
    windows = rows - columns.span + 1
    if windows < 1:
        raise DatasetError(f"{name}: has {rows:,} rows, but a window of {columns.window} rows and a target "
                           f"{columns.horizon} step{'s' if columns.horizon != 1 else ''} after it need at least "
                           f"{columns.span} rows; use a shorter window or horizon, or more rows")
    return windows


def _part(path: Path, scan: CsvScan, columns: SeriesColumns, skip: int, take: int | None) -> SeriesPart:
    rows = (scan.rows - skip) if take is None else take
    return SeriesPart(path, scan, skip, take, _windows(scan.name, rows, columns))


def _check_columns(scan: CsvScan, columns: SeriesColumns) -> None:
    """Every column used exists and holds a finite number in every row, or a message naming the row."""
    for column in dict.fromkeys(unique(columns.inputs) + unique(columns.outputs)):
        facts = scan.facts.get(column)
        if facts is None:
            raise DatasetError(f"{scan.name}: has no column '{shown(column)}' (its columns: "
                               f"{shown_names(scan.columns)})")
        if isinstance(facts, TextFacts):
            row, value = facts.first_text
            raise DatasetError(f"{scan.name}: column '{shown(column)}' holds text ('{shown(value)}' in row {row}); "
                               "every column of a time series that feeds the model or is forecast must hold numbers")
        NumericColumn(column).encode(scan.digest(column))  # refuses an empty or infinite cell, naming its row


def _first_text_cell(path: Path) -> None:
    """Refuse the first text cell in a column whose first filled cell holds a number, naming row and column:
    the slice-wise scan gives up on such a column, which holds numbers in its first slices and text later."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        starts_with_number: dict[str, bool] = {}
        for row in reader:
            for column, cell in zip(header, row):
                if not cell.strip():
                    continue
                if starts_with_number.setdefault(column, is_number(cell)) and not is_number(cell):
                    raise DatasetError(f"{path.name}: column '{shown(column)}' holds text ('{shown(cell)}' in row "
                                       f"{reader.line_num}) further down than its first rows of numbers; a "
                                       "time series needs a number in every row of the columns it reads")


def _mostly_numbers(facts: TextFacts | NumberFacts) -> bool:
    return isinstance(facts, TextFacts) and facts.numbers * 2 > facts.filled


def _sample(data: TimeseriesData, which: Literal["train", "validation"]) -> Split:
    for features, targets in data.windows(which).batch(SAMPLE_WINDOWS).take(1):
        return Split({k: v.numpy() for k, v in features.items()}, {k: v.numpy() for k, v in targets.items()})
    return Split({}, {})


def _shuffle_windows(columns: SeriesColumns) -> int:
    """Windows the shuffle buffer holds: as many as fit `SHUFFLE_BYTES`, at most `MAX_SHUFFLE_WINDOWS`."""
    features = sum(len(cs) for cs in columns.inputs.values())
    return int(np.clip(SHUFFLE_BYTES // (4 * columns.window * max(features, 1)), 64, MAX_SHUFFLE_WINDOWS))
