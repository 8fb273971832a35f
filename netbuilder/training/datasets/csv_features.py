"""How a CSV dataset's raw columns become a model's inputs, as the loader decides it, without the arrays.

A served or predicting model takes raw rows (`sex="Female"`, `total_bill=16.99`)
and must encode them exactly as training did. The loader's own plan
(`csv_loader.plan_csv`, on the same files) says which columns feed which
input and in which order, how each column is encoded (its encoder, with the
categories seen in every file of the dataset), which columns are targets and
whether they are classes; this module only keeps that plan with the class
names and a few example rows, and the Keras side (`export.raw_inputs`)
reads the encoders, so there is one description of the encoding. A file too
big to hold (`csv_stream.wants_streaming`) is never read whole: the plan reads
the streaming pass (`csv_scan`), which keeps what the encoders need, and the
examples are the file's first lines.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Collection
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from netbuilder.training.datasets.csv_columns import Encoder, NumericColumn, class_labels
from netbuilder.training.datasets.csv_loader import plan_csv
from netbuilder.training.datasets.csv_scan import scan_csv
from netbuilder.training.datasets.csv_stream import wants_streaming
from netbuilder.training.datasets.csv_table import CsvTable, read_csv
from netbuilder.training.datasets.loaded import Task
from netbuilder.training.datasets.mapping import unique
from netbuilder.training.datasets.source import dataset_kind, source_path, validation_path
from netbuilder.training.datasets.spec import DatasetSpec


@dataclass(frozen=True)
class CsvFeatures:
    """The encoding of a CSV dataset: `inputs[input]` lists its raw columns in the loader's order,
    `encoders[column]` says how each becomes numbers; `targets[output]` the columns an output predicts,
    `class_names` the labels of class indices when the task is classification. `examples` holds the
    first rows of the training file, raw, for example requests and export checks."""

    source_name: str
    inputs: dict[str, list[str]]
    encoders: dict[str, Encoder]
    targets: dict[str, list[str]]
    task: Task
    class_names: list[str] | None
    examples: list[dict[str, Any]]

    @property
    def columns(self) -> list[str]:
        """Every raw feature column once, in order of first use."""
        return unique(self.inputs)


EXAMPLE_ROWS = 4


def csv_features(spec: DatasetSpec, base_dir: Path | None, *, input_names: list[str], output_names: list[str],
                 task: Task | None = None, text_inputs: Collection[str] = ()) -> CsvFeatures | None:
    """The encoding `load_dataset` would use for this CSV dataset and model; None for other kinds.
    `text_inputs` names the model's string Inputs, as for `load_dataset`.

    Raises:
        DatasetError: the files cannot be read or do not fit, named as the loader names them.
    """
    if dataset_kind(spec, base_dir) != "csv":
        return None
    path, validation = source_path(spec, base_dir), validation_path(spec, base_dir)
    files = [path] + ([validation] if validation is not None else [])
    scans = [scan_csv(file) for file in files] if wants_streaming(path, validation) else []
    known = [scan for scan in scans if scan is not None]
    tables: list[CsvTable] = []
    digests: dict[str, list[CsvTable]] = {}
    if not scans or len(known) < len(scans):
        tables = [read_csv(file) for file in files]
    name, columns = (tables[0].name, tables[0].columns) if tables else (known[0].name, known[0].columns)

    def digest(column: str) -> list[CsvTable]:
        """The tables, or for a file too big to hold, what the streaming pass kept for `column`."""
        if tables:
            return tables
        if column not in digests:
            digests[column] = [scan.digest(column) for scan in known]
        return digests[column]

    plan = plan_csv(spec, name, columns, digest, input_names=input_names, output_names=output_names, task=task,
                    text_inputs=text_inputs)
    classified = [output for output, kind in plan.tasks.items() if kind == "classification"]
    class_names = class_labels(plan.outputs[classified[0]][0], digest(plan.outputs[classified[0]][0]))[0] \
        if classified else None
    encoders = list(plan.encoders.values())
    return CsvFeatures(
        source_name=spec.source if spec.bundled_name else name, inputs=plan.inputs, encoders=plan.encoders,
        targets=plan.outputs, task="classification" if classified else "regression", class_names=class_names,
        examples=_first_rows(tables[0], encoders, EXAMPLE_ROWS) if tables
        else _head_rows(path, columns, encoders, EXAMPLE_ROWS),
    )


def _head_rows(path: Path, columns: list[str], encoders: list[Encoder], count: int) -> list[dict[str, Any]]:
    """The first `count` rows of a file too big to read whole, as `_first_rows` gives them."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        rows = list(islice((row for row in reader if row), count))
    at = {column: i for i, column in enumerate(columns)}
    return [{e.column: (float(row[at[e.column]]) if row[at[e.column]].strip() else math.nan)
             if isinstance(e, NumericColumn) else row[at[e.column]] for e in encoders} for row in rows]


def _first_rows(table: CsvTable, encoders: list[Encoder], count: int) -> list[dict[str, Any]]:
    """The first `count` rows, by column: numbers as floats, text cells as written."""
    rows = []
    for index in range(min(count, table.n_rows)):
        rows.append({e.column: float(table.numbers[e.column][index]) if isinstance(e, NumericColumn)
                     else table.texts[e.column][index] for e in encoders})
    return rows
