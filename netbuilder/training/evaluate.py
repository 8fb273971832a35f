"""How well a trained model does, and what it says about given rows or typed values.

After a run the user wants two things at a glance: a score on data the model
did not train on (RMSE/MAE and residuals for regression; a confusion matrix and
per-class precision/recall for classification) and the model's answer for
particular rows or for values they type in, shown beside the targets. This
module computes both as plain numpy so the Qt views only draw, and so it can
be tested without a window. Keras is never imported here: the trained model is
only asked to `predict`. The scores of a dataset streamed from its file cover
its whole split, read a batch at a time (`tf_dataset`), so memory stays
bounded; the plots keep the first `PLOTTED_ROWS` rows, the tables show the
rows they list.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np

from netbuilder.training.datasets.loaded import LoadedData, Split

SplitName = Literal["train", "validation"]
SPLIT_WORDS: dict[str, str] = {"train": "training", "validation": "validation"}
ONE_HOT_MARK = "="  # the loaders name one-hot columns "column=category"
# Inputs with more values per row than this are shown by shape, not value by value.
MAX_SHOWN_FEATURES = 32
PLOTTED_ROWS = 10_000  # of a streamed split: the scatter and histogram need no more to show the shape
STREAM_BATCH = 1_024


class Predictor(Protocol):
    """What evaluation needs of a trained model (a `keras.Model` is one)."""

    output_names: list[str]

    def predict(self, x: Any, verbose: Any = ...) -> Any: ...


@dataclass(frozen=True)
class RegressionReport:
    """Scores of the first output on one split; arrays are flattened over its columns.

    The scores cover `rows` rows; the arrays (what the plots draw) may hold only the first of them.
    """

    output: str
    split: SplitName
    y_true: np.ndarray
    y_pred: np.ndarray
    rmse: float
    mae: float
    residuals: np.ndarray  # y_pred - y_true
    note: str = ""
    covered: int | None = None  # rows the scores cover, when more than the arrays hold

    @property
    def rows(self) -> int:
        return len(self.y_true) if self.covered is None else self.covered


@dataclass(frozen=True)
class ClassificationReport:
    """Scores of the first output on one split.

    `confusion[i, j]` counts rows of true class i predicted as class j.
    A class never predicted has precision 0; a class absent from the split has recall 0.
    """

    output: str
    split: SplitName
    class_names: list[str]
    confusion: np.ndarray
    precision: list[float]
    recall: list[float]
    support: list[int]
    accuracy: float
    note: str = ""

    @property
    def rows(self) -> int:
        return int(self.confusion.sum())


Evaluation = RegressionReport | ClassificationReport


@dataclass(frozen=True)
class PredictionTable:
    """Rows of the dataset with the model's predictions beside the targets, as text.

    `correct[i]` says whether row i's predicted class matches its target (first
    output of a classifier); it is empty for regression.
    """

    columns: list[str]
    rows: list[list[str]]
    correct: list[bool] = field(default_factory=list)


@dataclass(frozen=True)
class TypedField:
    """One field of the type-in form: a number, or a category for one-hot columns."""

    name: str
    choices: list[str] | None = None


class TypedValuesError(ValueError):
    """Typed values that cannot be fed to the model; `problems` maps each bad field to its message."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def split_of(data: LoadedData, split: SplitName) -> Split:
    chosen = data.train if split == "train" else data.validation
    if chosen is None:
        raise ValueError("this dataset has no validation split")
    return chosen


def evaluate(model: Predictor, data: LoadedData, split: SplitName = "validation") -> Evaluation:
    """Score the model's first output on `split`, or on the training data when there is no validation split.

    A split held in memory is scored at once; a streamed one (more rows than its sample holds) is read
    through in batches, so the scores cover every row of it.
    """
    note = ""
    if split == "validation" and data.validation is None:
        split = "train"
        note = "No validation split: these scores are on the training data, which flatters the model."
    rows = split_of(data, split)
    if len(rows) == 0:
        raise ValueError(f"the {SPLIT_WORDS[split]} split has no rows to evaluate")
    if data.n_rows(split) <= len(rows):
        output, y_true, y_pred = _first_output(model, rows)
        if data.task == "classification":
            return _classification_report(output, split, y_true, y_pred, data.class_names, note)
        return _regression_report(output, split, y_true, y_pred, note)
    totals = _Totals()
    for part in _batches(data, split, rows):
        output, y_true, y_pred = _first_output(model, part)
        totals.add(data.task, output, y_true, y_pred)
    if data.task == "classification":
        return totals.classification(output, split, data.class_names, note)
    return totals.regression(output, split, note)


def _first_output(model: Predictor, rows: Split) -> tuple[str, np.ndarray, np.ndarray]:
    """(name, targets, predictions) of the model's first output on `rows`."""
    predictions = predict_outputs(model, rows.model_x())
    output = next(iter(predictions))
    y_true = target_of(rows, output, len(predictions))
    if y_true is None:
        raise ValueError(f"the dataset has no targets for output '{output}'")
    return output, y_true, predictions[output]


def _batches(data: LoadedData, split: SplitName, sample: Split) -> Iterator[Split]:
    """The whole split, a batch at a time, keyed like its sample."""
    inputs, outputs = list(sample.features), list(sample.targets)
    for x, y in data.tf_dataset(split, STREAM_BATCH, shuffle=False):
        features = {k: np.asarray(v) for k, v in x.items()} if isinstance(x, dict) else {inputs[0]: np.asarray(x)}
        targets = {k: np.asarray(v) for k, v in y.items()} if isinstance(y, dict) else {outputs[0]: np.asarray(y)}
        yield Split(features, targets)


class _Totals:
    """What the scores of a streamed split need, summed batch by batch, and the first rows for the plots."""

    def __init__(self) -> None:
        self.count = 0
        self.squares = self.absolutes = 0.0
        self.kept: list[tuple[np.ndarray, np.ndarray]] = []
        self.kept_rows = 0
        self.confusion = np.zeros((0, 0), dtype=np.int64)

    def add(self, task: str, output: str, y_true: np.ndarray, y_pred: np.ndarray) -> None:
        if task == "classification":
            truth = true_classes(y_true)
            probabilities = class_probabilities(y_pred)
            guess = probabilities.argmax(axis=1)
            k = max(self.confusion.shape[0], probabilities.shape[1], int(truth.max(initial=0)) + 1)
            grown = np.zeros((k, k), dtype=np.int64)
            grown[:self.confusion.shape[0], :self.confusion.shape[1]] = self.confusion
            np.add.at(grown, (truth, guess), 1)
            self.confusion = grown
            return
        truth = y_true.astype(np.float64).reshape(-1)
        guess = y_pred.astype(np.float64).reshape(-1)
        if truth.shape != guess.shape:
            raise ValueError(f"output '{output}' gives {guess.size} values for {truth.size} targets")
        residuals = guess - truth
        self.count += truth.size
        self.squares += float(np.sum(residuals ** 2))
        self.absolutes += float(np.sum(np.abs(residuals)))
        if self.kept_rows < PLOTTED_ROWS:
            room = PLOTTED_ROWS - self.kept_rows
            self.kept.append((truth[:room], guess[:room]))
            self.kept_rows += min(room, truth.size)

    def regression(self, output: str, split: SplitName, note: str) -> RegressionReport:
        truth = np.concatenate([t for t, _ in self.kept]) if self.kept else np.zeros(0)
        guess = np.concatenate([g for _, g in self.kept]) if self.kept else np.zeros(0)
        count = max(1, self.count)
        return RegressionReport(output, split, truth, guess, rmse=float(np.sqrt(self.squares / count)),
                                mae=self.absolutes / count, residuals=guess - truth, note=note, covered=self.count)

    def classification(self, output: str, split: SplitName, class_names: list[str] | None,
                       note: str) -> ClassificationReport:
        k = max(self.confusion.shape[0], len(class_names or []))
        confusion = np.zeros((k, k), dtype=np.int64)
        confusion[:self.confusion.shape[0], :self.confusion.shape[1]] = self.confusion
        return _scores(output, split, confusion, class_names, note)


def target_of(split: Split, output: str, outputs: int) -> np.ndarray | None:
    """The targets of `output`; for a one-output model, the only targets whatever name they were given."""
    if output in split.targets:
        return np.asarray(split.targets[output])
    return np.asarray(next(iter(split.targets.values()))) if outputs == len(split.targets) == 1 else None


PREDICT_CHUNK = 1024


def predict_outputs(model: Predictor, x: Any) -> dict[str, np.ndarray]:
    """The model's predictions for `x`, keyed by output name, in the model's output order.

    A Keras model is called directly, eagerly, in chunks, rather than through
    `predict`: `predict` first traces and optimises a graph function, which holds
    Python's lock long enough (100-200 ms) to freeze the window while the
    evaluation runs on a worker thread. For the few thousand rows of a
    validation split the eager call is as fast.
    """
    raw = _call_in_chunks(model, x) if callable(model) else model.predict(x, verbose=0)
    names = list(model.output_names)
    if isinstance(raw, dict):
        return {name: np.asarray(raw[name]) for name in names}
    if isinstance(raw, (list, tuple)):
        return {name: np.asarray(value) for name, value in zip(names, raw)}
    return {names[0]: np.asarray(raw)}


def _call_in_chunks(model: Any, x: Any) -> Any:
    rows = len(next(iter(x.values()))) if isinstance(x, dict) else len(x)
    parts = []
    for start in range(0, rows, PREDICT_CHUNK):
        chunk = {k: v[start:start + PREDICT_CHUNK] for k, v in x.items()} if isinstance(x, dict) else x[start:start + PREDICT_CHUNK]
        out = model(chunk, training=False)
        parts.append({k: np.asarray(v) for k, v in out.items()} if isinstance(out, dict)
                     else [np.asarray(v) for v in out] if isinstance(out, (list, tuple)) else np.asarray(out))
    if not parts:
        return model.predict(x, verbose=0)
    first = parts[0]
    if isinstance(first, dict):
        return {k: np.concatenate([p[k] for p in parts]) for k in first}
    if isinstance(first, list):
        return [np.concatenate([p[i] for p in parts]) for i in range(len(first))]
    return np.concatenate(parts)


def _regression_report(output: str, split: SplitName, y_true: np.ndarray, y_pred: np.ndarray,
                       note: str) -> RegressionReport:
    truth = y_true.astype(np.float64).reshape(-1)
    guess = y_pred.astype(np.float64).reshape(-1)
    if truth.shape != guess.shape:
        raise ValueError(f"output '{output}' gives {guess.size} values for {truth.size} targets")
    residuals = guess - truth
    return RegressionReport(output, split, truth, guess, rmse=float(np.sqrt(np.mean(residuals ** 2))),
                            mae=float(np.mean(np.abs(residuals))), residuals=residuals, note=note)


def _classification_report(output: str, split: SplitName, y_true: np.ndarray, y_pred: np.ndarray,
                           class_names: list[str] | None, note: str) -> ClassificationReport:
    truth = true_classes(y_true)
    probabilities = class_probabilities(y_pred)
    guess = probabilities.argmax(axis=1)
    k = max(len(class_names or []), probabilities.shape[1], int(truth.max(initial=0)) + 1)
    confusion = np.zeros((k, k), dtype=np.int64)
    np.add.at(confusion, (truth, guess), 1)
    return _scores(output, split, confusion, class_names, note)


def _scores(output: str, split: SplitName, confusion: np.ndarray, class_names: list[str] | None,
            note: str) -> ClassificationReport:
    """Accuracy, precision and recall from a confusion matrix (rows: true classes)."""
    k = confusion.shape[0]
    names = [class_names[i] if class_names and i < len(class_names) else str(i) for i in range(k)]
    hits = np.diag(confusion).astype(np.float64)
    predicted, support = confusion.sum(axis=0), confusion.sum(axis=1)
    precision = np.divide(hits, predicted, out=np.zeros(k), where=predicted > 0)
    recall = np.divide(hits, support, out=np.zeros(k), where=support > 0)
    return ClassificationReport(output, split, names, confusion, precision.tolist(), recall.tolist(),
                                support.astype(int).tolist(), accuracy=float(hits.sum() / max(1, confusion.sum())),
                                note=note)


def true_classes(y_true: np.ndarray) -> np.ndarray:
    """Integer labels from class indices, 0/1 floats of shape (n, 1), or one-hot rows."""
    y = np.asarray(y_true)
    if y.ndim == 2 and y.shape[1] > 1:
        return y.argmax(axis=1)
    return np.rint(y.reshape(len(y))).astype(np.int64)


def class_probabilities(y_pred: np.ndarray) -> np.ndarray:
    """(n, classes) probabilities from the model's output.

    One sigmoid unit becomes two columns (1 - p, p). Outputs that are not
    probabilities already (a model that ends without softmax, trained
    `from_logits`) go through softmax or sigmoid, so that argmax and the
    probability shown agree.
    """
    p = np.asarray(y_pred, dtype=np.float64).reshape(len(y_pred), -1)
    if p.shape[1] == 1:
        if p.min(initial=0.0) < 0 or p.max(initial=0.0) > 1:
            p = 1.0 / (1.0 + np.exp(-p))
        return np.hstack([1.0 - p, p])
    if p.min(initial=0.0) < 0 or not np.allclose(p.sum(axis=1), 1.0, atol=1e-3):
        e = np.exp(p - p.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
    return p


def shown_by_shape(values: np.ndarray) -> bool:
    """Images and long vectors are summarised by their shape rather than listed value by value."""
    return values.ndim > 2 or (values.ndim == 2 and values.shape[1] > MAX_SHOWN_FEATURES)


def column_names(names: list[str] | None, prefix: str, count: int) -> list[str]:
    return list(names) if names and len(names) == count else [f"{prefix}[{i}]" for i in range(count)]


def predict_rows(model: Predictor, data: LoadedData, split: SplitName, rows: list[int]) -> PredictionTable:
    """Features, targets and predictions of the given rows of `split`, side by side, as text."""
    part = split_of(data, split)
    bad = [r for r in rows if not 0 <= r < len(part)]
    if bad:
        raise ValueError(f"row {bad[0]} is out of range: the {SPLIT_WORDS[split]} split has rows 0 to {len(part) - 1}")
    chosen = part.rows(np.asarray(rows, dtype=np.int64))
    predictions = predict_outputs(model, chosen.model_x())
    columns = ["row"]
    cells: list[list[str]] = [[str(r)] for r in rows]
    for name, values in chosen.features.items():
        _add_feature_columns(columns, cells, name, values, data.feature_columns.get(name), len(chosen.features) > 1)
    correct: list[bool] = []
    for index, (name, guess) in enumerate(predictions.items()):
        label = f"{name}: " if len(predictions) > 1 else ""
        truth = target_of(chosen, name, len(predictions))
        if data.task == "classification":
            hits = _add_class_columns(columns, cells, label, truth, guess, data.class_names)
            if index == 0:
                correct = hits
        else:
            _add_value_columns(columns, cells, label, truth, guess, data.target_columns.get(name))
    return PredictionTable(columns, cells, correct)


def _add_feature_columns(columns: list[str], cells: list[list[str]], name: str, values: np.ndarray,
                         names: list[str] | None, several_inputs: bool) -> None:
    if shown_by_shape(values):
        columns.append(name)
        shape = "×".join(str(d) for d in values.shape[1:])
        for row in cells:
            row.append(f"{shape} values")
        return
    flat = values.reshape(len(values), -1)
    prefix = f"{name}." if several_inputs else ""
    columns += [prefix + c for c in column_names(names, name, flat.shape[1])]
    for row, line in zip(cells, flat):
        row += [format_number(v) for v in line]


def _add_value_columns(columns: list[str], cells: list[list[str]], label: str, truth: np.ndarray | None,
                       guess: np.ndarray, names: list[str] | None) -> None:
    flat = guess.reshape(len(guess), -1)
    targets = column_names(names, "target", flat.shape[1])
    if truth is not None:
        columns += [label + t for t in targets]
        for row, line in zip(cells, truth.reshape(len(truth), -1)):
            row += [format_number(v) for v in line]
    columns += [f"{label}predicted {t}" for t in targets]
    for row, line in zip(cells, flat):
        row += [format_number(v) for v in line]


def _add_class_columns(columns: list[str], cells: list[list[str]], label: str, truth: np.ndarray | None,
                       guess: np.ndarray, class_names: list[str] | None) -> list[bool]:
    probabilities = class_probabilities(guess)
    predicted = probabilities.argmax(axis=1)
    names = class_names or [str(i) for i in range(probabilities.shape[1])]

    def name_of(i: int) -> str:
        return names[i] if 0 <= i < len(names) else str(i)

    hits: list[bool] = []
    if truth is not None:
        actual = true_classes(truth)
        columns.append(f"{label}actual")
        for row, cls in zip(cells, actual):
            row.append(name_of(int(cls)))
        hits = [bool(a == p) for a, p in zip(actual, predicted)]
    columns += [f"{label}predicted", f"{label}probability"]
    for row, cls, p in zip(cells, predicted, probabilities):
        row += [name_of(int(cls)), f"{p[cls]:.2f}"]
    return hits


def format_number(value: Any) -> str:
    """A number to 4 significant digits; a document fed raw (a text folder's) as it is, on one line."""
    if isinstance(value, (str, bytes)):
        return " ".join((value.decode("utf-8", "replace") if isinstance(value, bytes) else value).split())
    return f"{float(value):.4g}"


def typed_fields(data: LoadedData, input_name: str) -> list[TypedField]:
    """The type-in form of one input: a field per feature column, one-hot groups as a category choice."""
    values = data.train.features[input_name]
    if shown_by_shape(values):
        raise ValueError(f"Input '{input_name}' takes {'×'.join(map(str, values.shape[1:]))} values per row; "
                         "predict on rows of the dataset instead of typing them")
    # name -> its categories (None for a number), in the order the columns come
    fields: dict[str, list[str] | None] = {}
    for column in column_names(data.feature_columns.get(input_name), input_name, values.shape[1]):
        base, mark, category = column.partition(ONE_HOT_MARK)
        if mark:
            fields[base] = [*(fields.get(base) or []), category]
        else:
            fields[column] = None
    return [TypedField(name, choices) for name, choices in fields.items()]


def typed_values_of_row(data: LoadedData, input_name: str, index: int = 0) -> dict[str, str]:
    """A training row as the type-in form shows it, so the form starts from a real example."""
    values = data.train.features[input_name][index].reshape(-1)
    typed: dict[str, str] = {}
    position = 0
    for field_ in typed_fields(data, input_name):
        if field_.choices is None:
            typed[field_.name] = format_number(values[position])
            position += 1
        else:
            width = len(field_.choices)
            typed[field_.name] = field_.choices[int(np.argmax(values[position:position + width]))]
            position += width
    return typed


def parse_typed_values(values: dict[str, str], data: LoadedData, input_name: str) -> np.ndarray:
    """One row (shape (1, columns), float32) for `input_name` from text typed per field.

    Raises TypedValuesError naming every bad field, e.g. "petal_width: 'abc' is not a number".
    """
    if data.train.features[input_name].dtype == object:  # one document fed raw (a text folder): taken as typed
        return np.asarray([[values.get(typed_fields(data, input_name)[0].name, "")]], dtype=object)
    row: list[float] = []
    problems: dict[str, str] = {}
    for typed in typed_fields(data, input_name):
        text = values.get(typed.name, "").strip()
        if typed.choices is not None:
            if text not in typed.choices:
                problems[typed.name] = (f"{typed.name}: choose one of {', '.join(typed.choices)}" if not text else
                                        f"{typed.name}: '{text}' is not one of {', '.join(typed.choices)}")
            row += [1.0 if text == choice else 0.0 for choice in typed.choices]
            continue
        try:
            number = float(text)
        except ValueError:
            number = float("nan")
        if not np.isfinite(number):
            problems[typed.name] = (f"{typed.name}: enter a number" if not text else
                                    f"{typed.name}: '{text}' is not a number")
        row.append(number)
    if problems:
        raise TypedValuesError(problems)
    return np.asarray([row], dtype=np.float32)


def describe_prediction(model: Predictor, data: LoadedData, x: Any) -> str:
    """The model's answer for one row: "species: virginica (0.91)", then the runners-up on a line of their own."""
    lines = []
    for name, guess in predict_outputs(model, x).items():
        if data.task == "classification":
            p = class_probabilities(guess)[0]
            order = np.argsort(p)[::-1][:3]
            names = data.class_names or [str(i) for i in range(len(p))]
            ranked = [f"{names[i] if i < len(names) else i} ({p[i]:.2f})" for i in order]
            target = data.target_columns.get(name) or [name]
            lines.append(f"{target[0]}: {ranked[0]}")
            if len(ranked) > 1:
                lines.append(f"  next: {', '.join(ranked[1:])}")
        else:
            targets = column_names(data.target_columns.get(name), name, guess.reshape(1, -1).shape[1])
            lines += [f"{t}: {format_number(v)}" for t, v in zip(targets, guess.reshape(-1))]
    return "\n".join(lines)
