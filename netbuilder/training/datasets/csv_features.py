"""How a CSV dataset's raw columns become a model's inputs, as the loader decides it, without the arrays.

A served or predicting model takes raw rows (`sex="Female"`, `total_bill=16.99`)
and must encode them exactly as training did. The loader's own plan
(`csv_loader.plan_csv`, on the same files) says which columns feed which
input and in which order, how each column is encoded (its encoder, with the
categories seen in every file of the dataset), which columns are targets and
whether they are classes; this module only keeps that plan with the class
names and a few example rows, and the Keras side (`keras_bridge.raw_inputs`)
reads the encoders, so there is one description of the encoding.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from netbuilder.training.datasets.csv_columns import Encoder, NumericColumn, class_labels
from netbuilder.training.datasets.csv_loader import plan_csv
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
                 task: Task | None = None) -> CsvFeatures | None:
    """The encoding `load_dataset` would use for this CSV dataset and model; None for other kinds.

    Raises:
        DatasetError: the files cannot be read or do not fit, named as the loader names them.
    """
    if dataset_kind(spec, base_dir) != "csv":
        return None
    validation = validation_path(spec, base_dir)
    tables = [read_csv(source_path(spec, base_dir))] + ([read_csv(validation)] if validation is not None else [])
    main = tables[0]
    plan = plan_csv(spec, main.name, main.columns, lambda column: tables, input_names=input_names,
                    output_names=output_names, task=task)
    classified = [name for name, kind in plan.tasks.items() if kind == "classification"]
    class_names = class_labels(plan.outputs[classified[0]][0], tables)[0] if classified else None
    return CsvFeatures(
        source_name=spec.source if spec.bundled_name else main.name, inputs=plan.inputs, encoders=plan.encoders,
        targets=plan.outputs, task="classification" if classified else "regression", class_names=class_names,
        examples=_first_rows(main, list(plan.encoders.values()), EXAMPLE_ROWS),
    )


def _first_rows(table: CsvTable, encoders: list[Encoder], count: int) -> list[dict[str, Any]]:
    """The first `count` rows, by column: numbers as floats, text cells as written."""
    rows = []
    for index in range(min(count, table.n_rows)):
        rows.append({e.column: float(table.numbers[e.column][index]) if isinstance(e, NumericColumn)
                     else table.texts[e.column][index] for e in encoders})
    return rows
