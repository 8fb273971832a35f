"""The training half of an exported script: data loading, `train()` and the command line.

Written only when the project has a `training` or `dataset` section. The
settings become an idiomatic `compile`/`fit` (`rmse` as a named
`RootMeanSquaredError`, callbacks for early stopping and learning-rate
reduction), and the dataset a small `load_data` for its kind: a CSV read with
the standard library (text features one-hot encoded with sorted categories,
text targets as class indices, as netbuilder does), an `.npz` file, or a folder
of images through `keras.utils.image_dataset_from_directory`. Paths, column
and array names are user text, so they appear only as quoted literals.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras

from netbuilder.graph import Project
from netbuilder.keras_bridge.python_code import keyword_args, literal
from netbuilder.training.datasets.npz_loader import NPZ_TARGET
from netbuilder.training.datasets.source import SUFFIX_KINDS, source_path
from netbuilder.training.datasets.spec import DatasetError, DatasetSpec
from netbuilder.training.keras_objects import make_optimizer
from netbuilder.training.settings import SettingsError, TrainingSettings


def training_code(project: Project, input_names: list[str], output_names: list[str]) -> tuple[list[str], str]:
    """(import lines, code) for training; nothing when the project has no settings or dataset."""
    if "training" not in project.sections and "dataset" not in project.sections:
        return [], ""
    try:
        settings = TrainingSettings.from_section(project.sections.get("training"))
        dataset = project.sections.get("dataset")
        spec = DatasetSpec(source="") if dataset is None else DatasetSpec.from_section(dataset)
    except (SettingsError, DatasetError):
        return [], ""  # netbuilder itself would refuse to train with these; so does the script
    base = project.path.parent if project.path is not None else None
    path = _data_path(spec, base) if spec.source.strip() else None  # None: the user must give --data
    suffix_kind = SUFFIX_KINDS.get(Path(path).suffix.lower()) if path else None
    kind = spec.kind or suffix_kind or ("images" if path and Path(path).is_dir() else "csv")
    default_target = [NPZ_TARGET] if kind == "npz" else list(spec.target)
    targets = spec.outputs or ({output_names[0]: list(spec.target) or default_target} if output_names else {})
    constants = [
        f"INPUT_NAMES = {literal(input_names)}",
        f"OUTPUT_NAMES = {literal(output_names)}",
        f"DATA_PATH = {literal(path)}",
    ]
    if kind != "images":
        constants.append(f"FEATURES = {literal(spec.inputs)}  # model input -> columns; empty: all but the targets")
        constants.append(f"TARGETS = {literal(targets)}  # model output -> columns")
    loader = {"csv": _CSV_LOADER, "npz": _NPZ_LOADER}.get(kind) or _images_loader(spec, settings)
    imports = ["import argparse", *(["import csv"] if kind == "csv" else []),
               *(["import numpy as np"] if kind != "images" else [])]
    code = "\n\n\n".join(["\n".join(constants), loader, _train(settings, spec, kind, base), _MAIN.rstrip("\n")])
    return imports, code


def _data_path(spec: DatasetSpec, base: Path | None) -> str:
    """The dataset's file or folder; a bundled set's is inside the installed netbuilder package."""
    try:
        return str(source_path(spec, base))
    except DatasetError:  # an unknown bundled name: the script says so when it cannot open it
        return spec.bundled_name or spec.source


_CSV_LOADER = '''def _column(values: list[str], as_labels: bool) -> np.ndarray:
    """Numbers as a float column; text one-hot encoded (features) or as class indices (targets)."""
    try:
        return np.array([float(v) for v in values], dtype="float32").reshape(-1, 1)
    except ValueError:
        categories = sorted(set(values))
        index = np.array([categories.index(v) for v in values], dtype="int32")
        return index if as_labels else np.eye(len(categories), dtype="float32")[index]


def load_data(path: str):
    """(x, y) from a CSV file, mapped onto the model's inputs and outputs by column name."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    target_columns = [c for columns in TARGETS.values() for c in columns]
    features = FEATURES or {INPUT_NAMES[0]: [c for c in rows[0] if c not in target_columns]}
    x = [np.hstack([_column([r[c] for r in rows], False) for c in features[name]]) for name in INPUT_NAMES]
    y = []
    for name in OUTPUT_NAMES:
        columns = TARGETS[name]
        if len(columns) == 1:
            y.append(_column([r[columns[0]] for r in rows], True))
        else:
            y.append(np.hstack([_column([r[c] for r in rows], False) for c in columns]))
    return (x[0] if len(x) == 1 else x), (y[0] if len(y) == 1 else y)'''

_NPZ_LOADER = '''def load_data(path: str):
    """(x, y) from a NumPy .npz file: arrays named in FEATURES/TARGETS (default x and y)."""
    data = np.load(path)
    x = [data[FEATURES.get(name, ["x"])[0]] for name in INPUT_NAMES]
    y = [data[TARGETS.get(name, ["y"])[0]] for name in OUTPUT_NAMES]
    return (x[0] if len(x) == 1 else x), (y[0] if len(y) == 1 else y)'''


def _images_loader(spec: DatasetSpec, settings: TrainingSettings) -> str:
    split = settings.validation_split if not spec.validation_file else 0
    args: dict[str, Any] = {"image_size": tuple(spec.image_size), "color_mode": spec.color_mode,
                            "batch_size": settings.batch_size, "shuffle": settings.shuffle,
                            "seed": settings.seed if settings.seed is not None else 0}
    if split:
        args.update(validation_split=split, subset="both")
    returns = "one dataset" if not split else "(training, validation) datasets"
    return (f'def load_data(path: str):\n'
            f'    """Images in one sub-folder per class, as {returns} of batches."""\n'
            f"    return keras.utils.image_dataset_from_directory(path, {keyword_args(args)})")


def _optimizer(settings: TrainingSettings) -> str:
    try:
        cls = type(make_optimizer(settings.optimizer, settings.learning_rate))
        if getattr(keras.optimizers, cls.__name__, None) is cls:
            return f"keras.optimizers.{cls.__name__}(learning_rate={settings.learning_rate!r})"
    except SettingsError:
        pass
    config = {"class_name": settings.optimizer, "config": {"learning_rate": settings.learning_rate}}
    return f"keras.optimizers.get({literal(config)})"


def _metric(name: str) -> str:
    return 'keras.metrics.RootMeanSquaredError(name="rmse")' if name == "rmse" else literal(name)


def _callbacks(settings: TrainingSettings) -> list[str]:
    made = []
    if settings.early_stopping is not None:
        made.append(f"keras.callbacks.EarlyStopping({keyword_args(vars(settings.early_stopping))})")
    if settings.reduce_lr is not None:
        made.append(f"keras.callbacks.ReduceLROnPlateau({keyword_args(vars(settings.reduce_lr))})")
    if settings.tensorboard_dir:
        made.append(f"keras.callbacks.TensorBoard(log_dir={literal(settings.tensorboard_dir)})")
    return made


def _train(settings: TrainingSettings, spec: DatasetSpec, kind: str, base: Path | None) -> str:
    lines = ["def train(data_path: str | None = DATA_PATH, epochs: int = "
             f"{settings.epochs}) -> keras.callbacks.History:",
             '    """Compile with the project\'s settings and fit on its dataset; the history has the model."""']
    if settings.seed is not None:
        lines.append(f"    keras.utils.set_random_seed({settings.seed})")
    metrics = "[" + ", ".join(_metric(m) for m in settings.metrics) + "]"
    lines += ["    model = build_model()",
              f"    model.compile(optimizer={_optimizer(settings)}, loss={literal(settings.loss)}, metrics={metrics})"]
    fit: dict[str, str] = {"epochs": "epochs"}
    if kind == "images":
        split = settings.validation_split and not spec.validation_file
        lines.append("    train_data, validation_data = load_data(data_path)" if split
                     else "    train_data = load_data(data_path)")
        data = "train_data"
        if split:
            fit["validation_data"] = "validation_data"
    else:
        lines.append("    x, y = load_data(data_path)")
        data = "x, y"
        fit.update(batch_size=repr(settings.batch_size), shuffle=repr(settings.shuffle))
        if not spec.validation_file:
            fit["validation_split"] = repr(settings.validation_split)
    if spec.validation_file:
        validation = str(spec.resolve(spec.validation_file, base))
        lines.append(f"    validation_data = load_data({literal(validation)})")
        fit["validation_data"] = "validation_data"
    if settings.steps_per_epoch is not None:
        fit["steps_per_epoch"] = repr(settings.steps_per_epoch)
    callbacks = _callbacks(settings)
    if callbacks:
        fit["callbacks"] = "[" + ", ".join(callbacks) + "]"
    lines.append(f"    return model.fit({data}, " + ", ".join(f"{k}={v}" for k, v in fit.items()) + ")")
    return "\n".join(lines)


_MAIN = '''if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Train the model on its dataset.")
    parser.add_argument("--data", default=DATA_PATH, required=DATA_PATH is None,
                        help="the dataset (default: the project's)")
    parser.add_argument("--epochs", type=int, default=None, help="how many epochs (default: the project's)")
    parser.add_argument("--save", help="write the trained model to this .keras file")
    args = parser.parse_args()
    history = train(args.data) if args.epochs is None else train(args.data, args.epochs)
    if args.save:
        history.model.save(args.save)
'''
