"""The pre-flight check: does this dataset fit this model and this loss, before any training?

Keras would find most mismatches too, but as a traceback from deep inside
`fit`. This compares what the model declares (per-sample input and output
shapes by name, `None` for free dimensions) with the loaded arrays and the
loss, and returns one sentence per problem that says what to change. Pure
Python and NumPy: no Keras import, so it can also run against shapes the
canvas already knows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from netbuilder.training.datasets.loaded import LoadedData, Task
from netbuilder.training.datasets.spec import MODE_FOR_CHANNELS

Shape = Sequence[int | None]

SPARSE_LOSSES = {"sparse_categorical_crossentropy", "categorical_generalized_cross_entropy"}
ONE_HOT_LOSSES = {"categorical_crossentropy", "categorical_focal_crossentropy", "categorical_hinge"}
BINARY_LOSSES = {"binary_crossentropy", "binary_focal_crossentropy", "hinge", "squared_hinge"}
REGRESSION_LOSSES = {
    "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error", "huber", "log_cosh", "poisson", "cosine_similarity",
}
ALIASES = {"mse": "mean_squared_error", "mae": "mean_absolute_error", "mape": "mean_absolute_percentage_error",
           "msle": "mean_squared_logarithmic_error", "logcosh": "log_cosh", "huber_loss": "huber",
           "kld": "kl_divergence", "kullback_leibler_divergence": "kl_divergence"}
SHOWN_COLUMNS = 6


def loss_key(loss: str) -> str:
    """`loss` spelled as Keras' function: `SparseCategoricalCrossentropy` → `sparse_categorical_crossentropy`."""
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", loss.strip()).lower()
    return ALIASES.get(snake, snake)


def task_for_loss(loss: str) -> Task | None:
    """The task a loss implies for `load_dataset(task=...)`: sparse losses need class indices even
    from a column of whole numbers; other losses leave it to the data."""
    return "classification" if loss_key(loss) in SPARSE_LOSSES else None


def preflight(inputs: dict[str, Shape], outputs: dict[str, Shape], data: LoadedData, loss: str) -> list[str]:
    """One sentence per way `data` does not fit a model with these per-sample shapes and this loss."""
    problems = _matching("Input", "dataset inputs", inputs, data.input_shapes(), "columns (or an array)")
    problems += _matching("Output", "dataset outputs", outputs, data.target_shapes(), "target columns")
    for name, expected in inputs.items():
        given = data.input_shapes().get(name)
        if given is not None and not _fits(expected, given):
            problems.append(f"Input '{name}' expects {_shape(expected)}, the dataset gives {_shape(given)}"
                            + _columns_note(data.feature_columns.get(name, []), given)
                            + _image_hint(data.feature_columns.get(name, []), expected))
    key = loss_key(loss)
    for name, expected in outputs.items():
        if name in data.train.targets:
            problems += _output_problems(name, tuple(expected), data, key)
    return problems


def _matching(role: str, section: str, model: dict[str, Shape], data: dict[str, tuple[int, ...]],
              what: str) -> list[str]:
    unfed = [f"{role} '{name}' gets no data: map it to {what} in the {section}" for name in model if name not in data]
    listing = ", ".join(model) or "none"
    extra = [f"The {section} map '{name}', which is not an {role.lower()} of the model (its {role.lower()}s: "
             f"{listing})" for name in data if name not in model]
    return unfed + extra


def _output_problems(name: str, expected: tuple[int | None, ...], data: LoadedData, loss: str) -> list[str]:
    targets = data.target_values(name)
    columns = data.target_columns.get(name, [])
    label = f"'{', '.join(columns)}'" if columns else f"the target of output '{name}'"
    units = expected[-1] if expected else 1
    if targets.ndim == 1 and targets.dtype.kind in "iu":
        return _label_problems(name, units, targets, data, label, loss)
    if loss in SPARSE_LOSSES:
        whole = targets.shape[1:] == (1,) and bool((targets >= 0).all() and (targets == np.round(targets)).all())
        if not whole:
            return [f"{loss} needs class labels, but {label} holds numbers such as {targets.flat[0]:g}: "
                    "use a regression loss such as mean_squared_error"]
        needed = int(targets.max()) + 1
        return [] if units is None or units >= needed else [
            f"Output '{name}' has {_units(units)}, but the labels in {label} go up to {needed - 1}: "
            f"{loss} needs {needed} units (one per class)"]
    if loss in BINARY_LOSSES and targets.size and (targets.min() < 0 or targets.max() > 1):
        return [f"{loss} needs targets between 0 and 1, but {label} goes from {targets.min():g} to "
                f"{targets.max():g}: use a regression loss such as mean_squared_error"]
    given = tuple(int(d) for d in targets.shape[1:])
    if not _fits(expected, given):
        return [f"Output '{name}' gives {_shape(expected)}, the targets are {_shape(given)}"
                + _columns_note(columns, given)]
    return []


def _label_problems(name: str, units: int | None, labels: np.ndarray, data: LoadedData, label: str,
                    loss: str) -> list[str]:
    n = int(labels.max()) + 1 if labels.size else 0
    names = data.class_names if data.class_names and len(data.class_names) == n else [str(i) for i in range(n)]
    classes = f"{n} classes ({_listing(names)})"
    if loss in SPARSE_LOSSES:
        if units is None or units == n:
            return []
        hint = "; or use binary_crossentropy with 1 sigmoid unit" if units == 1 and n == 2 else ""
        return [f"Output '{name}' has {_units(units)} for {classes}: {loss} needs {n} units (softmax){hint}"]
    if loss in BINARY_LOSSES:
        if n > 2:
            return [f"{loss} suits 2 classes, but {label} has {classes}: use sparse_categorical_crossentropy "
                    f"with {n} units"]
        return [] if units in (None, 1) else [
            f"Output '{name}' has {_units(units)}; {loss} with 2 classes needs 1 unit (sigmoid), or use "
            f"sparse_categorical_crossentropy with {units} units"]
    if loss in ONE_HOT_LOSSES:
        return [f"{loss} expects one-hot targets, but {label} holds class labels ({_listing(names)}): use "
                f"sparse_categorical_crossentropy with {n} units"]
    if loss in REGRESSION_LOSSES:
        return [f"{loss} is a regression loss, but {label} holds class labels ({_listing(names)}): use "
                f"sparse_categorical_crossentropy with {n} units"]
    return []


def _fits(expected: Shape, given: Sequence[int]) -> bool:
    return len(expected) == len(given) and all(e is None or e == g for e, g in zip(expected, given))


def _units(n: int) -> str:
    return "1 unit" if n == 1 else f"{n} units"


def _shape(shape: Shape) -> str:
    return repr(tuple(shape))


def _columns_note(columns: list[str], given: Sequence[int]) -> str:
    if len(given) != 1 or len(columns) != given[0] or not columns:
        return ""
    return f" ({len(columns)} column{'s' if len(columns) != 1 else ''}: {_listing(columns)})"


def _image_hint(columns: list[str], expected: Shape) -> str:
    # Image folders are resized on loading, so the fix is in the dataset settings, not the model.
    if columns != ["image"] or len(expected) != 3 or None in expected or expected[2] not in MODE_FOR_CHANNELS:
        return ""
    height, width, channels = expected
    return f"; set the dataset's image size to {height}×{width} and its colour mode to {MODE_FOR_CHANNELS[channels]}"


def _listing(names: list[str]) -> str:
    shown = ", ".join(names[:SHOWN_COLUMNS])
    return shown + (", …" if len(names) > SHOWN_COLUMNS else "")
