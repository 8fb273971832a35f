"""Loading a NumPy `.npz` archive: model inputs and targets are arrays picked by name.

By default `x` feeds the model's only input and `y` is the target; a spec's
`inputs`/`target`/`outputs` name other arrays (one array each). Integer, bool
and text targets are class labels (classification) unless the caller asks for
regression; float targets are regression values. Pickled object arrays are
never loaded: a data file must not be able to run code.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from netbuilder.training.datasets.loaded import LoadedData, Split, Task
from netbuilder.training.datasets.mapping import input_mapping, output_mapping
from netbuilder.training.datasets.spec import DatasetError, DatasetSpec
from netbuilder.training.datasets.text_file import check_file

WHAT = "a NumPy .npz file"
NPZ_FEATURES, NPZ_TARGET = "x", "y"  # the arrays used when the dataset section names none


def read_npz(path: Path) -> dict[str, np.ndarray]:
    """Every array in the archive, by name."""
    check_file(path, WHAT)
    if not zipfile.is_zipfile(path):  # np.load would try a non-zip file as a pickle
        raise DatasetError(f"{path.name}: is not a NumPy .npz archive (np.savez writes one)")
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}
    except (zipfile.BadZipFile, EOFError, OSError):
        raise DatasetError(f"{path.name}: is not a NumPy .npz archive (np.savez writes one)") from None
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise DatasetError(f"{path.name}: holds pickled Python objects, which netbuilder does not load; "
                               "save plain numeric arrays") from None
        raise DatasetError(f"{path.name}: cannot be read: {exc}") from None


def load_npz(spec: DatasetSpec, path: Path, validation: Path | None, *, input_names: list[str],
             output_names: list[str], task: Task | None, source_name: str) -> LoadedData:
    archives = [(path.name, read_npz(path))] + ([(validation.name, read_npz(validation))] if validation else [])
    name, arrays = archives[0]
    choices = f"the arrays in {name}: {', '.join(arrays) or 'none'}"
    inputs = _one_array_each(input_mapping(spec, input_names, [NPZ_FEATURES], name, "arrays"), "input")
    outputs = _one_array_each(output_mapping(spec, output_names, [NPZ_TARGET], name, choices), "output")
    used = list(dict.fromkeys([*inputs.values(), *outputs.values()]))
    splits: list[Split] = []
    for file_name, found in archives:
        missing = [key for key in used if key not in found]
        if missing:
            raise DatasetError(f"{file_name}: has no array '{missing[0]}'; its arrays are: "
                               f"{', '.join(found) or 'none'}")
        _same_rows(file_name, {key: found[key] for key in used})
        splits.append(Split({model_input: _features(file_name, key, found[key])
                             for model_input, key in inputs.items()}, {}))
    file_names = [file_name for file_name, _ in archives]
    tasks: list[Task] = []
    class_names: list[str] | None = None
    for model_output, key in outputs.items():
        values = [found[key] for _, found in archives]
        tasks.append(task or ("regression" if values[0].dtype.kind in "fc" else "classification"))
        if tasks[-1] == "classification":
            names, labels = _class_labels(file_names, key, values)
            class_names = names if class_names is None else class_names
        else:
            labels = [_regression_target(file_name, key, v) for file_name, v in zip(file_names, values)]
        for split, label in zip(splits, labels):
            split.targets[model_output] = label
    return LoadedData(
        train=splits[0], validation=splits[1] if len(splits) == 2 else None, task=tasks[0],
        feature_columns={model_input: [key] for model_input, key in inputs.items()},
        target_columns={model_output: [key] for model_output, key in outputs.items()},
        class_names=class_names, source_name=source_name,
    )


def _one_array_each(mapping: dict[str, list[str]], role: str) -> dict[str, str]:
    for name, keys in mapping.items():
        if len(keys) != 1:
            raise DatasetError(f"{role} '{name}' must be fed by one array of the .npz file, not {len(keys)}"
                               f" ({', '.join(keys)})")
    return {name: keys[0] for name, keys in mapping.items()}


def _same_rows(file_name: str, arrays: dict[str, np.ndarray]) -> None:
    for key, array in arrays.items():
        if array.ndim == 0:
            raise DatasetError(f"{file_name}: array '{key}' is a single value, not one row per sample")
    counts = {key: array.shape[0] for key, array in arrays.items()}
    if len(set(counts.values())) > 1:
        raise DatasetError(f"{file_name}: the arrays have different numbers of rows: "
                           + ", ".join(f"{key} has {n}" for key, n in counts.items()))


def _features(file_name: str, key: str, array: np.ndarray) -> np.ndarray:
    if array.dtype.kind not in "biuf":
        raise DatasetError(f"{file_name}: array '{key}' holds {array.dtype} values; model inputs must be numbers")
    values = array.astype(np.float32)
    if values.ndim == 1:
        values = values.reshape(-1, 1)
    _check_finite(file_name, key, values)
    return values


def _regression_target(file_name: str, key: str, array: np.ndarray) -> np.ndarray:
    if array.dtype.kind not in "biuf":
        raise DatasetError(f"{file_name}: array '{key}' holds {array.dtype} values; a regression target "
                           "must be numbers")
    values = array.astype(np.float32)
    values = values.reshape(-1, 1) if values.ndim == 1 else values
    _check_finite(file_name, key, values)
    return values


def _class_labels(file_names: list[str], key: str, arrays: list[np.ndarray]) -> tuple[list[str], list[np.ndarray]]:
    flat = []
    for file_name, array in zip(file_names, arrays):
        if array.ndim > 2 or (array.ndim == 2 and array.shape[1] != 1):
            raise DatasetError(f"{file_name}: array '{key}' has shape {array.shape}; class labels are one per "
                               "row, shape (n,)")
        labels = array.reshape(-1)
        if labels.dtype.kind == "f":
            _check_finite(file_name, key, labels.reshape(-1, 1))
            fractional = np.flatnonzero(labels != np.round(labels))
            if fractional.size:
                raise DatasetError(f"{file_name}: array '{key}' holds {labels[fractional[0]]:g} at index "
                                   f"{fractional[0]}, which is not a whole-number class label")
        flat.append(labels)
    classes = np.unique(np.concatenate(flat))
    names = [f"{c:g}" if classes.dtype.kind == "f" else str(c) for c in classes]
    return names, [np.searchsorted(classes, labels).astype(np.int32) for labels in flat]


def _check_finite(file_name: str, key: str, values: np.ndarray) -> None:
    bad = np.flatnonzero(~np.isfinite(values.reshape(len(values), -1)).all(axis=1))
    if bad.size:
        raise DatasetError(f"{file_name}: array '{key}' holds NaN or infinity in row {bad[0]} (counting from 0)")
