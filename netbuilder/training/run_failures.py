"""How a run that cannot start or cannot go on says why: one sentence a user can act on, never a traceback.

`Refused` carries a reason that is already such a sentence; `failure_message`
turns any other exception (out of memory, a model that cannot be built, a
damaged file, data that does not fit the model) into one; `first_line` keeps
the line of an exception's text that says what went wrong, without Keras'
call-site decoration. The traceback itself goes to the Python logger.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from netbuilder.training.datasets.spec import DatasetError
from netbuilder.training.settings import SettingsError

if TYPE_CHECKING:
    from netbuilder.training.datasets.loaded import LoadedData


class Refused(Exception):
    """A reason not to train that is already a user-facing sentence."""


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_NOISE = ("Exception encountered when calling", "Arguments received", "Traceback", "File ", "•", "Call arguments")


def first_line(exc: BaseException) -> str:
    """The line of an exception's text that says what went wrong, without Keras' call-site decoration."""
    lines = [line.strip() for line in _ANSI.sub("", str(exc)).splitlines()]
    useful = [line for line in lines if line and not line.startswith(_NOISE)]
    text = (useful or [type(exc).__name__])[0]
    return text if len(text) <= 300 else text[:297] + "…"


def joined(first: str, second: str) -> str:
    return f"{first} {second}".strip()


def failure_message(exc: BaseException, data: LoadedData | None, model: Any) -> str:
    """One paragraph for a failed run: what happened and what to try."""
    import tensorflow as tf

    from netbuilder.keras_bridge.errors import BridgeError

    if isinstance(exc, (MemoryError, tf.errors.ResourceExhaustedError)):
        return ("Out of memory: try a smaller batch size, a smaller model or smaller images, "
                "or close other programs that use the memory.")
    if isinstance(exc, BridgeError):
        return "The model cannot be built: " + "; ".join(str(p) for p in exc.problems) + "."
    if isinstance(exc, (DatasetError, SettingsError)):
        return " ".join(str(exc).splitlines())
    cause = data.failure_cause(exc) if data is not None else None
    if cause is not None:
        return f"Training stopped on a damaged file: {cause}."
    text = first_line(exc)
    if isinstance(exc, ValueError) and "shape" in text.lower() and data is not None and model is not None:
        wanted = ", ".join(f"'{t.name}' expects {tuple(t.shape[1:])}" for t in model.inputs)
        given = ", ".join(f"'{k}' {v}" for k, v in data.input_shapes().items())
        return (f"The data does not fit the model: input {wanted}; the dataset gives {given}. "
                f"Keras said: {text}")
    return f"Training failed: {text} ({type(exc).__name__})."
