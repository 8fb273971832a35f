"""Loading a CSV dataset (and an optional separate validation CSV) into model arrays.

Features default to every column that is not a target; a multi-input model
maps each input to its columns. Text feature columns are one-hot encoded with
`column=value` names (categories sorted) or refused. A target becomes class
indices when it holds text or when the caller asks for classification (an
integer-coded label column), and float columns otherwise. An input whose
Input takes text (`text_inputs`: dtype string) gets its one column's cells as
written, for the model's own preprocessing layers to encode.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from netbuilder.training.datasets.csv_columns import (
    Encoder,
    NumericColumn,
    RawTextColumn,
    class_labels,
    feature_encoder,
    text_input_encoder,
)
from netbuilder.training.datasets.csv_table import CsvTable, read_csv
from netbuilder.training.datasets.loaded import LoadedData, Split, Task
from netbuilder.training.datasets.mapping import input_mapping, output_mapping, unique
from netbuilder.training.datasets.shown import shown, shown_names
from netbuilder.training.datasets.spec import DatasetError, DatasetSpec


@dataclass
class CsvPlan:
    """What the columns become: which feed each input (and how each is encoded), which each output
    predicts and whether it is classified. Made once from the whole dataset, then applied to its rows
    all at once (in memory) or batch by batch (`csv_stream`), so both paths encode alike."""

    inputs: dict[str, list[str]]
    outputs: dict[str, list[str]]
    encoders: dict[str, Encoder]
    tasks: dict[str, Task]

    def feature_columns(self) -> dict[str, list[str]]:
        return {name: [n for c in columns for n in self.encoders[c].names] for name, columns in self.inputs.items()}


def load_csv(spec: DatasetSpec, path: Path, validation: Path | None, *, input_names: list[str],
             output_names: list[str], task: Task | None, source_name: str,
             text_inputs: Collection[str] = ()) -> LoadedData:
    """The whole file as `train` (the caller splits it) and the validation file, if any, as `validation`."""
    tables = [read_csv(path)] + ([read_csv(validation)] if validation is not None else [])
    main = tables[0]
    if len(tables) == 2:
        _same_columns(main, tables[1])
    plan = plan_csv(spec, main.name, main.columns, lambda column: tables, input_names=input_names,
                    output_names=output_names, task=task, text_inputs=text_inputs)
    features = [{name: _stacked([plan.encoders[c].encode(t) for c in columns]) for name, columns in plan.inputs.items()}
                for t in tables]
    targets: list[dict[str, np.ndarray]] = [{} for _ in tables]
    class_names: list[str] | None = None
    for name, columns in plan.outputs.items():
        if plan.tasks[name] == "classification":
            names, labels = class_labels(columns[0], tables)
            class_names = names if class_names is None else class_names
        else:
            labels = [np.hstack([NumericColumn(c).encode(t) for c in columns]).astype(np.float32) for t in tables]
        for part, values in zip(targets, labels):
            part[name] = values
    splits = [Split(f, t) for f, t in zip(features, targets)]
    return LoadedData(
        train=splits[0], validation=splits[1] if len(splits) == 2 else None, task=next(iter(plan.tasks.values())),
        feature_columns=plan.feature_columns(), target_columns=plan.outputs, class_names=class_names,
        source_name=source_name,
    )


def plan_csv(spec: DatasetSpec, name: str, columns: list[str], tables_for: Callable[[str], list[CsvTable]], *,
             input_names: list[str], output_names: list[str], task: Task | None,
             text_inputs: Collection[str] = ()) -> CsvPlan:
    """Map and check the columns of file `name`; `tables_for(column)` gives the tables that hold the
    column's cells in every file of the dataset (the files themselves, or a scan's digest of them).
    `text_inputs` names the inputs whose Input takes text (dtype string)."""
    listing = f"the columns of {name}: {shown_names(columns)}"
    outputs = output_mapping(spec, output_names, [], name, listing)
    target_columns = unique(outputs)
    _check_exist(name, columns, target_columns, "target", listing)
    inputs = input_mapping(spec, input_names, [c for c in columns if c not in target_columns], name)
    for input_name, used in inputs.items():
        if not used:
            raise DatasetError(f"{name}: no feature columns feed input '{input_name}'; "
                               f"every column is a target ({shown_names(target_columns)})")
        _check_exist(name, columns, used, f"input '{input_name}'", listing)
        both = [c for c in used if c in target_columns]
        if both:
            raise DatasetError(f"{name}: column '{shown(both[0])}' is both a target and a feature of input "
                               f"'{input_name}'; the model would be shown the answer")

    encoders: dict[str, Encoder] = {}
    for input_name, used in inputs.items():
        if input_name in text_inputs:
            if len(used) != 1:
                raise DatasetError(f"{name}: input '{input_name}' takes text (dtype string), one column of it, but "
                                   f"the dataset maps {len(used)} columns to it ({shown_names(used)})")
            encoders[used[0]] = text_input_encoder(used[0], tables_for(used[0]), input_name)
    for input_name, used in inputs.items():
        for c in used:
            if input_name not in text_inputs and isinstance(encoders.get(c), RawTextColumn):
                raise DatasetError(f"{name}: column '{shown(c)}' feeds input '{input_name}' as numbers and another "
                                   "input as text; map it to one of them")
            if c not in encoders:  # a text input's column is already planned: its cells stay text
                encoders[c] = feature_encoder(c, tables_for(c), spec.categorical)
    tasks: dict[str, Task] = {}
    for output, used in outputs.items():
        texts = [(t, c) for c in used for t in tables_for(c) if c in t.texts]
        if task == "classification" or (task is None and texts):
            if len(used) != 1:
                raise DatasetError(f"{name}: a class label is one column, but output '{output}' has "
                                   f"{len(used)} ({shown_names(used)}); give each its own output")
            tasks[output] = "classification"
        else:
            if texts:
                table, column = texts[0]
                index, value = table.first_text(column)
                raise DatasetError(f"{table.name}: target column '{shown(column)}' holds text ('{shown(value)}' in row "
                                   f"{table.row_number(index)}); a regression target must be numbers")
            tasks[output] = "regression"
    return CsvPlan(inputs, outputs, encoders, tasks)


def _stacked(parts: list[np.ndarray]) -> np.ndarray:
    """An input's columns side by side: float32 numbers, or the cells themselves for a text Input."""
    if any(part.dtype == object for part in parts):
        return np.hstack(parts)
    return np.hstack(parts).astype(np.float32)


def _check_exist(name: str, present: list[str], columns: list[str], role: str, listing: str) -> None:
    missing = [c for c in columns if c not in present]
    if missing:
        raise DatasetError(f"{name}: no column '{shown(missing[0])}' (for the {role}); {listing}")


def _same_columns(main: CsvTable, validation: CsvTable) -> None:
    missing = [c for c in main.columns if c not in validation.columns]
    extra = [c for c in validation.columns if c not in main.columns]
    if missing or extra:
        parts = ([f"it lacks {shown_names(missing)}"] if missing else []) + (
            [f"it has {shown_names(extra)} besides"] if extra else [])
        raise DatasetError(f"{validation.name}: the validation file's columns differ from {main.name}'s: "
                           f"{'; '.join(parts)}")
