"""Optimizers, losses and metrics by name, listed from Keras itself.

The choices the GUI offers and the names the command line accepts are read
from `keras.optimizers`, `keras.losses` and `keras.metrics` rather than typed
in here, so a Keras upgrade that adds an optimizer makes it appear without a
change to netbuilder. Names are Keras' own string names: lower case class
names for optimizers (`adam`, `rmsprop`, as `compile(optimizer="adam")`
takes them) and snake_case for losses and metrics, plus `rmse`, which
netbuilder accepts everywhere a metric is asked for.
"""

from __future__ import annotations

import functools
import inspect
import re
from typing import Any

import keras

from netbuilder.training.settings import SettingsError

RMSE = "rmse"
# Keras' helpers, not objects a user would pick.
_NOT_OBJECTS = {"get", "serialize", "deserialize"}


def _snake(name: str) -> str:
    """Keras' own class-name → string-name rule (`R2Score` → `r2_score`, `AUC` → `auc`)."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _needs_arguments(cls: type) -> bool:
    """Whether the class cannot be made from its defaults alone (e.g. `MeanIoU(num_classes)`)."""
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    return any(p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
               and p.name != "learning_rate" for p in params)


def _public(module: Any) -> dict[str, Any]:
    return {n: getattr(module, n) for n in dir(module) if not n.startswith("_") and n not in _NOT_OBJECTS}


@functools.cache
def _optimizers() -> dict[str, type]:
    return {name.lower(): cls for name, cls in _public(keras.optimizers).items()
            if inspect.isclass(cls) and issubclass(cls, keras.optimizers.Optimizer)
            and cls is not keras.optimizers.Optimizer and not _needs_arguments(cls)}


@functools.cache
def _losses() -> dict[str, Any]:
    return {name: fn for name, fn in _public(keras.losses).items()
            if name.islower() and callable(fn) and not inspect.isclass(fn)}


@functools.cache
def _metrics() -> tuple[str, ...]:
    names = {name for name, fn in _public(keras.metrics).items()
             if name.islower() and callable(fn) and not inspect.isclass(fn)}
    for cls in _public(keras.metrics).values():
        # Mean, Sum and the base class take `values`, not (y_true, y_pred): they are building blocks.
        if (inspect.isclass(cls) and issubclass(cls, keras.metrics.Metric) and not _needs_arguments(cls)
                and "y_true" in inspect.signature(cls.update_state).parameters):
            names.add(_snake(cls.__name__))
    return (RMSE, *sorted(names))


def optimizer_names() -> list[str]:
    """Every optimizer Keras can build from a learning rate alone (`adam`, `sgd`, …), sorted."""
    return sorted(_optimizers())


def loss_names() -> list[str]:
    """Every loss function in `keras.losses`, by its snake_case name, sorted."""
    return sorted(_losses())


def metric_names() -> list[str]:
    """`rmse` first, then every metric in `keras.metrics` usable by name, sorted."""
    return list(_metrics())


def _unknown(kind: str, name: str, choices: list[str]) -> SettingsError:
    return SettingsError([f"{kind}: '{name}' is not a Keras {kind}; choose one of {', '.join(choices)}"])


def make_optimizer(name: str, learning_rate: float) -> keras.optimizers.Optimizer:
    """A fresh optimizer; the name is matched like Keras does (`Adam`, `adam`) and may use underscores."""
    cls = _optimizers().get(name.replace("_", "").lower())
    if cls is None:
        raise _unknown("optimizer", name, optimizer_names())
    return cls(learning_rate=learning_rate)


def make_loss(name: str) -> Any:
    """The loss function for `name`; Keras' short aliases (`mse`, `mae`) work too."""
    fn = _losses().get(name)
    if fn is None:
        try:
            fn = keras.losses.get(name)
        except ValueError:
            fn = None
    if fn is None:
        raise _unknown("loss", name, loss_names())
    return fn


def make_metrics(names: list[str]) -> list[Any]:
    """What `compile(metrics=...)` takes: `rmse` as a named RootMeanSquaredError, other names as given.

    Names are passed to Keras as strings so its own conveniences apply (for
    `accuracy` it picks binary, categorical or sparse accuracy from the
    labels) and the history keys are exactly the names the user typed.
    """
    made: list[Any] = []
    functions = _public(keras.metrics)
    for name in names:
        if name == RMSE:
            made.append(keras.metrics.RootMeanSquaredError(name=RMSE))
        elif name in ("accuracy", "acc") or _resolves(name):
            made.append(name)
        elif name.islower() and callable(functions.get(name)):
            # Public functions Keras' lookup table misses (`huber`, `log_cosh`): Keras
            # wraps a function in a mean metric named after it, the same name again.
            made.append(functions[name])
        else:
            raise _unknown("metric", name, metric_names())
    return made


def _resolves(name: str) -> bool:
    try:
        return keras.metrics.get(name) is not None
    except (ValueError, TypeError):
        return False


def check_names(optimizer: str, loss: str, metrics: list[str]) -> list[str]:
    """Every unknown name among the three, one sentence each (for reporting all at once)."""
    problems: list[str] = []
    for check in (lambda: make_optimizer(optimizer, 0.001), lambda: make_loss(loss), lambda: make_metrics(metrics)):
        try:
            check()
        except SettingsError as exc:
            problems += exc.problems
    return problems
