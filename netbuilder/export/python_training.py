"""The training half of an exported script: the settings, data loading, compile and fit, as code.

`training_code` is the Python-script export's: an idiomatic `compile`/`fit`
on arrays (with Keras' own `validation_split`) or on Keras'
`image_dataset_from_directory`/`text_dataset_from_directory`, and a small
command line; a single file, it reads the data with Keras and NumPy alone.
The training package's `train.py` (`package_train`) shares the compile and
callbacks written here, but loads its data with copies of netbuilder's own
modules, so it reproduces netbuilder's run. Settings become code
(`rmse` as a named `RootMeanSquaredError`, callbacks for early stopping and
learning-rate reduction); CSV text features are one-hot encoded with sorted
categories and text targets become class indices, as netbuilder does. Virtual
epochs (`train_examples`, `evaluations`) become `evaluations` epochs of
`fit_steps_per_epoch` steps over repeated batches. Paths,
column and array names are user text, so they appear only as quoted literals.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keras

from netbuilder.export.python_adapt import adapt_lines, text_inputs
from netbuilder.export.python_code import keyword_args, literal
from netbuilder.graph import Project
from netbuilder.training.datasets.cell_number import is_number
from netbuilder.training.datasets.npz_loader import NPZ_FEATURES, NPZ_TARGET
from netbuilder.training.datasets.source import dataset_kind, source_path
from netbuilder.training.datasets.spec import DatasetError, DatasetSpec
from netbuilder.training.datasets.tfrecord_scan import scan_tfrecord
from netbuilder.training.datasets.tfrecord_stream import TARGETS as TFRECORD_TARGETS
from netbuilder.training.keras_objects import make_optimizer
from netbuilder.training.preflight import SPARSE_LOSSES, loss_key
from netbuilder.training.settings import SettingsError, TrainingSettings


_FOLDER_KINDS = ("images", "text")  # one sub-folder per class, read by Keras' own `…_dataset_from_directory`


@dataclass
class TrainingPlan:
    """What the training code is written from: the settings, the dataset and the model's names."""

    settings: TrainingSettings
    spec: DatasetSpec
    kind: str  # csv, npz, tfrecord, timeseries, images or text
    inputs: list[str]
    outputs: list[str]
    targets: dict[str, list[str]]  # model output -> columns (or the .npz array)
    path: str | None  # the dataset's file or folder; None: the user must give --data
    validation: str | None
    text_inputs: list[str] = field(default_factory=list)  # inputs that take their column's text as written
    adapt: list[str] = field(default_factory=list)  # train()'s lines that adapt Normalizations without a mean

    @property
    def has_validation(self) -> bool:
        return bool(self.spec.validation_file) or self.settings.validation_split > 0


def training_plan(project: Project, input_names: list[str], output_names: list[str]) -> TrainingPlan | None:
    """None when the project has neither settings nor a dataset, or settings netbuilder would refuse."""
    if "training" not in project.sections and "dataset" not in project.sections:
        return None
    try:
        settings = TrainingSettings.from_section(project.sections.get("training"))
        dataset = project.sections.get("dataset")
        spec = DatasetSpec(source="") if dataset is None else DatasetSpec.from_section(dataset)
    except (SettingsError, DatasetError):
        return None  # netbuilder itself would refuse to train with these; so does the script
    base = project.path.parent if project.path is not None else None
    path = _data_path(spec, base) if spec.source.strip() else None
    try:  # what netbuilder reads the data as: a bundled set's kind, or a folder of images, text or TFRecords
        kind = dataset_kind(spec, base) if path else spec.kind or "csv"
    except DatasetError:
        kind = spec.kind or "csv"  # the script says what is wrong when it cannot open the data
    default_target = [NPZ_TARGET] if kind == "npz" else _tfrecord_target(path) if kind == "tfrecord" else []
    default_target = list(spec.target) or default_target
    targets = spec.outputs or ({output_names[0]: list(spec.target) or default_target} if output_names else {})
    validation = str(spec.resolve(spec.validation_file, base)) if spec.validation_file else None
    split = 0 if spec.validation_file else settings.validation_split
    return TrainingPlan(settings, spec, kind, input_names, output_names, targets, path, validation,
                        text_inputs(project), adapt_lines(project, input_names, split, kind in _FOLDER_KINDS))


def _tfrecord_target(path: str | None) -> list[str]:
    """The feature netbuilder predicts when the dataset section names none: `y`, or `label`."""
    try:
        features = scan_tfrecord(Path(path)).features if path else {}
    except DatasetError:
        features = {}  # the script says what is wrong when it reads the file
    return [next((name for name in TFRECORD_TARGETS if name in features), TFRECORD_TARGETS[0])]


def _data_path(spec: DatasetSpec, base: Path | None) -> str:
    """The dataset's file or folder; a bundled set's is inside the installed netbuilder package."""
    try:
        return str(source_path(spec, base))
    except DatasetError:  # an unknown bundled name: the script says so when it cannot open it
        return spec.bundled_name or spec.source


def _constants(plan: TrainingPlan, data: str, validation: str | None) -> list[str]:
    """The dataset as constants; `data` and `validation` are paths as code."""
    lines = [f"DATA_PATH = {data}", *([f"VALIDATION_PATH = {validation}"] if validation is not None else [])]
    if plan.kind in _FOLDER_KINDS:
        return lines  # a folder of images or documents feeds the model's one input and output
    sparse = loss_key(plan.settings.loss) in SPARSE_LOSSES
    return [f"INPUT_NAMES = {literal(plan.inputs)}", f"OUTPUT_NAMES = {literal(plan.outputs)}", *lines,
            f"FEATURES = {literal(plan.spec.inputs)}  # model input -> columns; empty: all but the targets",
            f"TARGETS = {literal(plan.targets)}  # model output -> columns",
            f"CLASS_LABELS = {sparse!r}  # True for a sparse loss: numeric targets are class labels",
            f"TEXT_INPUTS = {literal(plan.text_inputs)}  # inputs that take their column's text as written",
            *([f"WINDOW = {plan.spec.window}  # rows (time steps) one example holds",
               f"HORIZON = {plan.spec.horizon}  # the target lies this many rows after a window's last row"]
              if plan.kind == "timeseries" else [])]


# -- the Python-script export ---------------------------------------------------------------

def training_code(project: Project, input_names: list[str], output_names: list[str]) -> tuple[list[str], str]:
    """(import lines, code) for the Python-script export.

    A project without usable training settings or a dataset still gets a main
    block: running the file, or `--help`, says there is nothing to train and why,
    instead of silently doing nothing.
    """
    plan = training_plan(project, input_names, output_names)
    if plan is None:
        return ["import argparse"], _NOTHING_TO_TRAIN_MAIN.rstrip("\n")
    validation = literal(plan.validation) if plan.validation else None
    constants = _constants(plan, literal(plan.path), validation)
    loader = _folder_loader(plan) if plan.kind in _FOLDER_KINDS else _ARRAY_LOADERS[plan.kind]
    repeats = plan.kind not in _FOLDER_KINDS and plan.settings.fit_steps_per_epoch is not None
    if repeats:
        loader += f"\n\n\n{_REPEATED}"
    imports = ["import argparse", *(["import csv"] if plan.kind in ("csv", "timeseries") else []),
               *(["import os"] if plan.kind == "tfrecord" else []),
               *(["import numpy as np"] if plan.kind not in _FOLDER_KINDS else []),
               *(["import tensorflow as tf"] if repeats or plan.kind in ("tfrecord", "text") else [])]
    code = "\n\n\n".join(["\n".join(constants), loader, _script_train(plan), _SCRIPT_MAIN.rstrip("\n")])
    return imports, code


_ONE_OR_ALL = '''def _one_or_all(arrays: dict):
    """The array itself for a model with one input (output), else the arrays by name, as Keras takes them."""
    return next(iter(arrays.values())) if len(arrays) == 1 else arrays'''

_CSV_LOADER = '''def _column(values: list[str], target: bool) -> np.ndarray:
    """A feature as numbers (text one-hot encoded, sorted categories); a target as numbers or class indices."""
    try:
        numbers = np.array([float(v) for v in values])
    except ValueError:
        categories = {c: i for i, c in enumerate(sorted({v.strip() for v in values}))}
        index = np.array([categories[v.strip()] for v in values], dtype="int32")
        return index if target else np.eye(len(categories), dtype="float32")[index]
    if target and CLASS_LABELS:
        return np.unique(numbers, return_inverse=True)[1].astype("int32")
    return numbers.astype("float32").reshape(-1, 1)


def load_data(path):
    """(x, y) from a CSV file, mapped onto the model's inputs and outputs by column name."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        header, *rows = [row for row in csv.reader(fh) if row]
    columns = {name.strip(): [row[i] for row in rows] for i, name in enumerate(header)}
    target_columns = [c for names in TARGETS.values() for c in names]
    features = FEATURES or {INPUT_NAMES[0]: [c for c in columns if c not in target_columns]}
    # A text Input takes its cells as a string tensor (fit refuses NumPy arrays of text), without the spaces
    # around them, as netbuilder reads them: "Yes " is the category "Yes".
    x = {name: keras.ops.convert_to_tensor(np.array([v.strip() for v in columns[features[name][0]]],
                                                    dtype=object).reshape(-1, 1))
         if name in TEXT_INPUTS else np.hstack([_column(columns[c], False) for c in features[name]])
         for name in INPUT_NAMES}
    y = {name: _column(columns[names[0]], True) if len(names) == 1
         else np.hstack([_column(columns[c], False) for c in names]) for name, names in TARGETS.items()}
    return _one_or_all(x), _one_or_all(y)'''

_NPZ_LOADER = f'''def _array(values: np.ndarray, target: bool) -> np.ndarray:
    """Features and regression targets as float32 columns; integer or text targets as class indices."""
    if target and (CLASS_LABELS or values.dtype.kind not in "fc"):
        return np.unique(values.reshape(-1), return_inverse=True)[1].astype("int32")
    values = values.astype("float32")
    return values.reshape(-1, 1) if values.ndim == 1 else values


def load_data(path):
    """(x, y) from a NumPy .npz file: arrays named in FEATURES/TARGETS (default {NPZ_FEATURES} and {NPZ_TARGET})."""
    with np.load(path) as data:
        x = {{name: _array(data[FEATURES.get(name, [{NPZ_FEATURES!r}])[0]], False) for name in INPUT_NAMES}}
        y = {{name: _array(data[TARGETS.get(name, [{NPZ_TARGET!r}])[0]], True) for name in OUTPUT_NAMES}}
    return _one_or_all(x), _one_or_all(y)'''

_TFRECORD_LOADER = '''def load_data(path):
    """(x, y) from TFRecord files of tf.train.Example records (one file, or a folder of them): the features named
    in FEATURES/TARGETS, as long as in the first record; int64 targets (or any, with CLASS_LABELS) as class indices."""
    files = [path] if not os.path.isdir(path) else sorted(
        os.path.join(path, name) for name in os.listdir(path) if name.lower().endswith((".tfrecord", ".tfrecords")))
    records = tf.data.TFRecordDataset(files)
    first = tf.train.Example.FromString(next(iter(records)).numpy()).features.feature
    kinds = {name: (f.WhichOneof("kind"), len(getattr(f, f.WhichOneof("kind")).value)) for name, f in first.items()}
    targets = [names[0] for names in TARGETS.values()]
    features = FEATURES or {INPUT_NAMES[0]: [n for n in sorted(kinds) if n not in targets and kinds[n][0] != "bytes_list"]}
    wanted = sorted({*targets, *(n for names in features.values() for n in names)})
    spec = {n: tf.io.FixedLenFeature([kinds[n][1]], tf.float32 if kinds[n][0] == "float_list" else tf.int64)
            for n in wanted}
    parts = {n: [] for n in wanted}
    for batch in records.batch(4096).map(lambda r: tf.io.parse_example(r, spec)):
        for n in wanted:
            parts[n].append(batch[n].numpy())
    columns = {n: np.concatenate(parts[n]) for n in wanted}
    x = {name: np.hstack([columns[n].astype("float32") for n in features[name]]) for name in INPUT_NAMES}
    y = {name: np.unique(columns[names[0]].reshape(-1), return_inverse=True)[1].astype("int32")
         if CLASS_LABELS or kinds[names[0]][0] == "int64_list" else columns[names[0]].astype("float32")
         for name, names in TARGETS.items()}
    return _one_or_all(x), _one_or_all(y)'''

_SERIES_LOADER = '''def load_data(path):
    """(x, y) windows of a CSV time series, in time order: WINDOW rows of the feature columns in, the
    target columns HORIZON rows after each window's last row out."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        header, *rows = [row for row in csv.reader(fh) if row]
    columns = {name.strip(): [row[i] for row in rows] for i, name in enumerate(header)}

    def numbers(names):
        return np.stack([np.array(columns[n], dtype="float32") for n in names], axis=1)

    # Every numeric column by default: the target's past feeds the model too.
    features = FEATURES or {INPUT_NAMES[0]: [n for n, cells in columns.items() if all(map(is_number, cells))]}
    span = WINDOW + HORIZON
    starts = np.arange(len(rows) - span + 1)
    x = {name: numbers(names)[starts[:, None] + np.arange(WINDOW)] for name, names in features.items()}
    y = {name: numbers(names)[starts + span - 1] for name, names in TARGETS.items()}
    return _one_or_all(x), _one_or_all(y)'''

_ARRAY_LOADERS = {"csv": f"{_ONE_OR_ALL}\n\n\n{_CSV_LOADER}", "npz": f"{_ONE_OR_ALL}\n\n\n{_NPZ_LOADER}",
                  "tfrecord": f"{_ONE_OR_ALL}\n\n\n{_TFRECORD_LOADER}",
                  # netbuilder's own test of a numeric cell, copied from its source rather than rewritten
                  "timeseries": f"{_ONE_OR_ALL}\n\n\n{inspect.getsource(is_number).strip()}\n\n\n{_SERIES_LOADER}"}


_REPEATED = '''def repeated(x, y, batch_size: int, shuffle: bool, validation_split: float):
    """(training batches repeated without end, validation batches or None), for epochs of a fixed number of
    steps, which may span the data more than once; the last `validation_split` of the rows is held out, as
    fit's own `validation_split` holds it out."""
    rows = len(next(iter(x.values()))) if isinstance(x, dict) else len(x)
    kept = rows - int(rows * validation_split)
    data = tf.data.Dataset.from_tensor_slices((x, y))
    train = data.take(kept)
    if shuffle:
        train = train.shuffle(kept, reshuffle_each_iteration=True)
    validation = data.skip(kept).batch(batch_size) if kept < rows else None
    return train.batch(batch_size).repeat(), validation'''


def _folder_loader(plan: TrainingPlan) -> str:
    """`load_data` for a folder with one sub-folder per class, through Keras' own `…_dataset_from_directory`."""
    settings = plan.settings
    split = settings.validation_split if not plan.spec.validation_file else 0
    args: dict[str, Any] = {"batch_size": settings.batch_size, "shuffle": settings.shuffle,
                            "seed": settings.seed if settings.seed is not None else 0}
    if plan.kind == "images":
        args = {"image_size": tuple(plan.spec.image_size), "color_mode": plan.spec.color_mode, **args}
    if split:
        args.update(validation_split=split, subset="both")
    returns = "one dataset" if not split else "(training, validation) datasets"
    if plan.kind == "images":
        return (f'def load_data(path: str):\n'
                f'    """Images in one sub-folder per class, as {returns} of batches."""\n'
                f"    return keras.utils.image_dataset_from_directory(path, {keyword_args(args)})")
    ending = ("return tuple(one_column(part) for part in parts)" if split else "return one_column(parts)")
    return (f'def load_data(path: str):\n'
            f'    """Documents in class sub-folders, as {returns} of (text, class index) batches."""\n'
            f"    parts = keras.utils.text_dataset_from_directory(path, {keyword_args(args)})\n\n"
            f"    def one_column(data):  # the model's text Input takes each document as one string: shape (1,)\n"
            f"        return data.map(lambda text, label: (tf.reshape(text, (-1, 1)), label))\n\n"
            f"    {ending}")


def _script_train(plan: TrainingPlan) -> str:
    settings = plan.settings
    lines = ["def train(data_path: str | None = DATA_PATH, epochs: int = "
             f"{settings.fit_epochs}) -> keras.callbacks.History:",
             '    """Compile with the project\'s settings and fit on its dataset; the history has the model."""']
    if settings.seed is not None:
        lines.append(f"    keras.utils.set_random_seed({settings.seed})")
    lines += ["    model = build_model()", compile_code(plan, 4)]
    fit: dict[str, str] = {"epochs": "epochs"}
    steps = settings.fit_steps_per_epoch  # virtual epochs: train_examples in `evaluations` epochs of these
    if plan.kind in _FOLDER_KINDS:
        split = settings.validation_split and not plan.spec.validation_file
        lines.append("    train_data, validation_data = load_data(data_path)" if split
                     else "    train_data = load_data(data_path)")
        data = "train_data"
        if split:
            fit["validation_data"] = "validation_data"
        fit["shuffle"] = "False"  # image_dataset_from_directory shuffles; fit's own would only warn
        if steps is not None:
            lines.append("    train_data = train_data.repeat()  # epochs of fixed steps may span the data")
    elif steps is not None:
        split = 0 if plan.spec.validation_file else settings.validation_split
        lines += ["    x, y = load_data(data_path)",
                  f"    train_data, validation_data = repeated(x, y, {settings.batch_size!r}, "
                  f"{settings.shuffle!r}, {split!r})"]
        data = "train_data"
        if split:
            fit["validation_data"] = "validation_data"
        fit["shuffle"] = "False"  # tf.data shuffles the rows; fit's own shuffle would only warn
    else:
        lines.append("    x, y = load_data(data_path)")
        data = "x, y"
        fit.update(batch_size=repr(settings.batch_size), shuffle=repr(settings.shuffle))
        if not plan.spec.validation_file:
            fit["validation_split"] = repr(settings.validation_split)
    lines += plan.adapt
    if plan.validation:
        lines.append("    validation_data = load_data(VALIDATION_PATH)")
        fit["validation_data"] = "validation_data"
    if steps is not None:
        fit["steps_per_epoch"] = repr(steps)
    callbacks = callbacks_code(plan, literal(settings.tensorboard_dir))
    if callbacks:
        lines.append(wrapped_code("callbacks = [", callbacks, "]", 4))
        fit["callbacks"] = "callbacks"
    lines.append(wrapped_code("return model.fit(", [data, *(f"{k}={v}" for k, v in fit.items())], ")", 4))
    return "\n".join(lines)


NOTHING_TO_TRAIN = ("Nothing to train: the project had no dataset or training settings netbuilder could use "
                    "when this file was exported. Set them in netbuilder and export the script again.")

_NOTHING_TO_TRAIN_MAIN = f'''if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Build the model and print its summary. {NOTHING_TO_TRAIN}")
    parser.add_argument("--save", help="write the model, with fresh weights, to this .keras file")
    args = parser.parse_args()
    model = build_model()
    model.summary()
    print({NOTHING_TO_TRAIN!r})
    if args.save:
        model.save(args.save)
'''


_SCRIPT_MAIN = '''if __name__ == "__main__":
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


# -- what both scripts compile and fit with --------------------------------------------------

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


def compile_code(plan: TrainingPlan, indent: int) -> str:
    """`model.compile(…)`; a model with several outputs gets the metrics per output, as netbuilder compiles it."""
    metrics = "[" + ", ".join(_metric(m) for m in plan.settings.metrics) + "]"
    if len(plan.outputs) > 1:  # fresh metric objects for each output
        metrics = f"{{name: {metrics} for name in OUTPUT_NAMES}}"
    args = [f"optimizer={_optimizer(plan.settings)}", f"loss={literal(plan.settings.loss)}", f"metrics={metrics}"]
    return wrapped_code("model.compile(", args, ")", indent)


def wrapped_code(head: str, items: list[str], tail: str, indent: int, width: int = 110) -> str:
    """`head` + items joined by commas + `tail` as code, the items wrapped under the first past `width`."""
    line = " " * indent + head
    pad, lines = " " * len(line), []
    for i, item in enumerate(items):
        piece = item + (", " if i < len(items) - 1 else tail)
        if len(line) + len(piece.rstrip()) > width and not line.endswith("("):
            lines.append(line.rstrip())
            line = pad
        line += piece
    return "\n".join([*lines, line])


def callbacks_code(plan: TrainingPlan, log_dir: str) -> list[str]:
    """The callbacks' constructors; `log_dir` is the TensorBoard folder as code."""
    settings, made = plan.settings, []

    def watched(monitor: str) -> str:
        # Without validation data there is no val_loss: watch the training value, as netbuilder does.
        return monitor if plan.has_validation else monitor.removeprefix("val_")

    for cls, part in (("EarlyStopping", settings.early_stopping), ("ReduceLROnPlateau", settings.reduce_lr)):
        if part is not None:
            made.append(f"keras.callbacks.{cls}({keyword_args({**vars(part), 'monitor': watched(part.monitor)})})")
    if settings.tensorboard_dir:
        made.append(f"keras.callbacks.TensorBoard(log_dir={log_dir})")
    return made
