"""Loading a CSV dataset (and an optional separate validation CSV) into model arrays.

Features default to every column that is not a target; a multi-input model
maps each input to its columns. Text feature columns are one-hot encoded with
`column=value` names (categories sorted) or refused. A target becomes class
indices when it holds text or when the caller asks for classification (an
integer-coded label column), and float columns otherwise.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from netbuilder.training.datasets.csv_columns import NumericColumn, class_labels, feature_encoder
from netbuilder.training.datasets.csv_table import CsvTable, read_csv
from netbuilder.training.datasets.loaded import LoadedData, Split, Task
from netbuilder.training.datasets.mapping import input_mapping, output_mapping, unique
from netbuilder.training.datasets.shown import shown, shown_names
from netbuilder.training.datasets.spec import DatasetError, DatasetSpec


def load_csv(spec: DatasetSpec, path: Path, validation: Path | None, *, input_names: list[str],
             output_names: list[str], task: Task | None, source_name: str) -> LoadedData:
    """The whole file as `train` (the caller splits it) and the validation file, if any, as `validation`."""
    tables = [read_csv(path)] + ([read_csv(validation)] if validation is not None else [])
    main = tables[0]
    if len(tables) == 2:
        _same_columns(main, tables[1])
    listing = f"the columns of {main.name}: {shown_names(main.columns)}"
    outputs = output_mapping(spec, output_names, [], main.name, listing)
    target_columns = unique(outputs)
    _check_exist(main, target_columns, "target", listing)
    inputs = input_mapping(spec, input_names, [c for c in main.columns if c not in target_columns], main.name)
    for name, columns in inputs.items():
        if not columns:
            raise DatasetError(f"{main.name}: no feature columns feed input '{name}'; "
                               f"every column is a target ({shown_names(target_columns)})")
        _check_exist(main, columns, f"input '{name}'", listing)
        both = [c for c in columns if c in target_columns]
        if both:
            raise DatasetError(f"{main.name}: column '{shown(both[0])}' is both a target and a feature of input "
                               f"'{name}'; the model would be shown the answer")

    encoders = {c: feature_encoder(c, tables, spec.categorical) for c in unique(inputs)}
    features = [{name: np.hstack([encoders[c].encode(t) for c in columns]).astype(np.float32)
                 for name, columns in inputs.items()} for t in tables]
    targets: list[dict[str, np.ndarray]] = [{} for _ in tables]
    tasks: list[Task] = []
    class_names: list[str] | None = None
    for name, columns in outputs.items():
        texts = [(t, c) for c in columns for t in tables if c in t.texts]
        if task == "classification" or (task is None and texts):
            if len(columns) != 1:
                raise DatasetError(f"{main.name}: a class label is one column, but output '{name}' has "
                                   f"{len(columns)} ({shown_names(columns)}); give each its own output")
            names, labels = class_labels(columns[0], tables)
            class_names = names if class_names is None else class_names
            tasks.append("classification")
        else:
            if texts:
                table, column = texts[0]
                index, value = table.first_text(column)
                raise DatasetError(f"{table.name}: target column '{shown(column)}' holds text ('{shown(value)}' in row "
                                   f"{table.row_number(index)}); a regression target must be numbers")
            labels = [np.hstack([NumericColumn(c).encode(t) for c in columns]).astype(np.float32) for t in tables]
            tasks.append("regression")
        for part, values in zip(targets, labels):
            part[name] = values
    splits = [Split(f, t) for f, t in zip(features, targets)]
    return LoadedData(
        train=splits[0], validation=splits[1] if len(splits) == 2 else None, task=tasks[0],
        feature_columns={name: [n for c in columns for n in encoders[c].names] for name, columns in inputs.items()},
        target_columns=outputs, class_names=class_names, source_name=source_name,
    )


def _check_exist(table: CsvTable, columns: list[str], role: str, listing: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise DatasetError(f"{table.name}: no column '{shown(missing[0])}' (for the {role}); {listing}")


def _same_columns(main: CsvTable, validation: CsvTable) -> None:
    missing = [c for c in main.columns if c not in validation.columns]
    extra = [c for c in validation.columns if c not in main.columns]
    if missing or extra:
        parts = ([f"it lacks {shown_names(missing)}"] if missing else []) + (
            [f"it has {shown_names(extra)} besides"] if extra else [])
        raise DatasetError(f"{validation.name}: the validation file's columns differ from {main.name}'s: "
                           f"{'; '.join(parts)}")
