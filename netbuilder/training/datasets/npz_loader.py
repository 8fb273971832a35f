"""Loading a NumPy `.npz` archive: model inputs and targets are arrays picked by name.

By default `x` feeds the model's only input and `y` is the target; a spec's
`inputs`/`target`/`outputs` name other arrays (one array each). Integer, bool
and text targets are class labels (classification) unless the caller asks for
regression; float targets are regression values. Only the arrays used are
read, through `npz_members`, which never unpickles (a data file must not be
able to run code) and never allocates what a damaged header claims.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from netbuilder.training.datasets.csv_columns import FLOAT32_MAX
from netbuilder.training.datasets.loaded import LoadedData, Split, Task
from netbuilder.training.datasets.mapping import input_mapping, output_mapping
from netbuilder.training.datasets.npz_members import NpzMember, npz_members, read_member
from netbuilder.training.datasets.shown import shown, shown_names
from netbuilder.training.datasets.spec import DatasetError, DatasetSpec

NPZ_FEATURES, NPZ_TARGET = "x", "y"  # the arrays used when the dataset section names none


@dataclass
class NpzPlan:
    """Which array of the archive (and of the validation archive) feeds each model input and output,
    checked on the headers alone: every array there, one row per sample in each."""

    files: list[Path]
    headers: list[dict[str, NpzMember]]
    inputs: dict[str, str]  # model input → array name
    outputs: dict[str, str]  # model output → array name

    @property
    def used(self) -> list[str]:
        return list(dict.fromkeys([*self.inputs.values(), *self.outputs.values()]))


def plan_npz(spec: DatasetSpec, path: Path, validation: Path | None, *, input_names: list[str],
             output_names: list[str]) -> NpzPlan:
    """The arrays each model input and output takes; DatasetError names the file and the array at fault."""
    files = [path] + ([validation] if validation else [])
    headers = [npz_members(file) for file in files]
    choices = f"the arrays in {path.name}: {shown_names(list(headers[0])) or 'none'}"
    plan = NpzPlan(files, headers,
                   one_array_each(input_mapping(spec, input_names, [NPZ_FEATURES], path.name, "arrays"), "input"),
                   one_array_each(output_mapping(spec, output_names, [NPZ_TARGET], path.name, choices), "output"))
    for file, members in zip(files, headers):
        missing = [key for key in plan.used if key not in members]
        if missing:
            raise DatasetError(f"{file.name}: has no array '{shown(missing[0])}'; its arrays are: "
                               f"{shown_names(list(members)) or 'none'}")
        same_rows(file.name, {key: members[key].shape for key in plan.used})
    return plan


def load_npz(spec: DatasetSpec, path: Path, validation: Path | None, *, input_names: list[str],
             output_names: list[str], task: Task | None, source_name: str) -> LoadedData:
    plan = plan_npz(spec, path, validation, input_names=input_names, output_names=output_names)
    inputs, outputs = plan.inputs, plan.outputs
    archives = [(file.name, {key: read_member(file, members[key]) for key in plan.used})
                for file, members in zip(plan.files, plan.headers)]
    splits: list[Split] = []
    for file_name, found in archives:
        splits.append(Split({model_input: _features(file_name, key, found[key])
                             for model_input, key in inputs.items()}, {}))
    file_names = [file_name for file_name, _ in archives]
    tasks: list[Task] = []
    class_names: list[str] | None = None
    for model_output, key in outputs.items():
        values = [found[key] for _, found in archives]
        tasks.append(task or ("regression" if values[0].dtype.kind in "fc" else "classification"))
        if tasks[-1] == "classification":
            names, labels = class_labels(file_names, key, values)
            class_names = names if class_names is None else class_names
        else:
            labels = [regression_target(file_name, key, v) for file_name, v in zip(file_names, values)]
        for split, label in zip(splits, labels):
            split.targets[model_output] = label
    return LoadedData(
        train=splits[0], validation=splits[1] if len(splits) == 2 else None, task=tasks[0],
        feature_columns={model_input: [key] for model_input, key in inputs.items()},
        target_columns={model_output: [key] for model_output, key in outputs.items()},
        class_names=class_names, source_name=source_name,
    )


def one_array_each(mapping: dict[str, list[str]], role: str) -> dict[str, str]:
    for name, keys in mapping.items():
        if len(keys) != 1:
            raise DatasetError(f"{role} '{name}' must be fed by one array of the .npz file, not {len(keys)}"
                               f" ({shown_names(keys)})")
    return {name: keys[0] for name, keys in mapping.items()}


def same_rows(file_name: str, shapes: dict[str, tuple[int, ...]]) -> None:
    """Checked on the headers, before any array is read."""
    for key, shape in shapes.items():
        if not shape:
            raise DatasetError(f"{file_name}: array '{shown(key)}' is a single value, not one row per sample")
        if shape[0] == 0:
            raise DatasetError(f"{file_name}: array '{shown(key)}' has no rows (shape {shape}); there is "
                               "nothing to train on")
        if 0 in shape:
            raise DatasetError(f"{file_name}: array '{shown(key)}' has shape {shape}: each row holds no values")
    counts = {key: shape[0] for key, shape in shapes.items()}
    if len(set(counts.values())) > 1:
        raise DatasetError(f"{file_name}: the arrays have different numbers of rows: "
                           + ", ".join(f"{shown(key)} has {n}" for key, n in counts.items()))


def _features(file_name: str, key: str, array: np.ndarray) -> np.ndarray:
    if array.dtype.kind not in "biuf":
        raise DatasetError(f"{file_name}: array '{shown(key)}' holds {array.dtype} values; model inputs must be "
                           "numbers")
    return _float32(file_name, key, array)


def regression_target(file_name: str, key: str, array: np.ndarray) -> np.ndarray:
    if array.dtype.kind not in "biuf":
        raise DatasetError(f"{file_name}: array '{shown(key)}' holds {array.dtype} values; a regression target "
                           "must be numbers")
    return _float32(file_name, key, array)


def _float32(file_name: str, key: str, array: np.ndarray) -> np.ndarray:
    """The values as the model takes them (float32, one row per sample), checked before the cast,
    where a number too big for float32 would silently become infinity."""
    rows = array.reshape(-1, 1) if array.ndim == 1 else array
    check_finite(file_name, key, rows)
    check_float32_range(file_name, key, rows)
    return rows.astype(np.float32)


def class_labels(file_names: list[str], key: str, arrays: list[np.ndarray]) -> tuple[list[str], list[np.ndarray]]:
    flat = []
    for file_name, array in zip(file_names, arrays):
        if array.ndim > 2 or (array.ndim == 2 and array.shape[1] != 1):
            raise DatasetError(f"{file_name}: array '{shown(key)}' has shape {array.shape}; class labels are one per "
                               "row, shape (n,)")
        labels = array.reshape(-1)
        if labels.dtype.kind == "f":
            check_finite(file_name, key, labels.reshape(-1, 1))
            fractional = np.flatnonzero(labels != np.round(labels))
            if fractional.size:
                raise DatasetError(f"{file_name}: array '{shown(key)}' holds {labels[fractional[0]]:g} at index "
                                   f"{fractional[0]}, which is not a whole-number class label")
        flat.append(labels)
    try:
        classes = np.unique(np.concatenate(flat))
    except TypeError:  # NumPy cannot put, say, text labels and numbers in one array
        raise DatasetError(f"array '{shown(key)}' holds {flat[0].dtype} labels in {file_names[0]} but "
                           f"{flat[-1].dtype} in {file_names[-1]}; both files must label classes alike") from None
    names = [f"{c:g}" if classes.dtype.kind == "f" else str(c) for c in classes]
    return names, [np.searchsorted(classes, labels).astype(np.int32) for labels in flat]


def check_finite(file_name: str, key: str, values: np.ndarray, first_row: int = 0) -> None:
    """Refuse NaN and infinity, naming the row (`first_row` is the index of `values`' first row in the array)."""
    rows = values.reshape(len(values), -1)
    bad = np.flatnonzero(~np.isfinite(rows).all(axis=1))
    if bad.size:
        raise DatasetError(f"{file_name}: array '{shown(key)}' holds NaN or infinity in row {first_row + bad[0]} "
                           "(counting from 0)")


def check_float32_range(file_name: str, key: str, values: np.ndarray, first_row: int = 0) -> None:
    if values.dtype.kind != "f" or values.dtype.itemsize <= 4:
        return
    rows = values.reshape(len(values), -1)
    huge = np.flatnonzero((np.abs(rows) > FLOAT32_MAX).any(axis=1))
    if huge.size:
        value = rows[huge[0]][np.abs(rows[huge[0]]) > FLOAT32_MAX][0]
        raise DatasetError(f"{file_name}: array '{shown(key)}' holds {value:g} in row {first_row + huge[0]} "
                           "(counting from 0), "
                           f"beyond the ±{FLOAT32_MAX:.4g} that a model's 32-bit numbers hold; rescale it")
