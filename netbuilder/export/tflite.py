"""Keras model → one `.tflite` file for phones and small devices, checked by running it.

The model is first written as a SavedModel whose `serving_default` signature
takes and returns tensors named as the user named the Input and output nodes
(Keras 3 models reach TFLite through a SavedModel in any case), so the
file's signature runner speaks the drawing's names. TFLite's built-in ops
are tried first; recurrent layers lower to loops whose shapes must be static,
so a model the built-ins cannot run with a free batch size is tried again
with the batch fixed at 1, and only then with TensorFlow's own ops
(`SELECT_TF_OPS`), which an app must link the Flex delegate to run. The file
goes through a temporary file renamed at the end, then is loaded with
`tf.lite.Interpreter` and run on a seeded sample beside the Keras model. The
converter prints pages of MLIR diagnostics to file descriptor 2 for every
attempt that fails; those are hidden, and what matters in them comes back as
the names of the layers at fault.
"""

from __future__ import annotations

import math
import re
import tempfile
import warnings
from dataclasses import dataclass
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import keras
import numpy as np
from tensorflow.lite.python.convert_phase import ConverterError  # not exported as tf.lite.ConverterError

from netbuilder.export.sample_batch import largest_difference, sample_values
from netbuilder.export.signature_names import signature_keys
from netbuilder.graph.atomic_file import replacing
from netbuilder.keras_bridge.errors import BridgeError
from netbuilder.keras_bridge.model_io import model_arguments, model_output_names
from netbuilder.keras_bridge.quiet_import import quiet_stderr

SUFFIX = ".tflite"
SIGNATURE = "serving_default"
TOLERANCE = 1e-4  # on |TFLite − Keras| / max(1, |Keras|): TFLite's kernels sum in another order
FLEX_DELEGATE = "tensorflow-lite-select-tf-ops"
# The TFLite Python interpreter is deprecated in favour of a package we do not ship; it still works.
INTERPRETER_DEPRECATED = r"\s*Warning: tf.lite.Interpreter is deprecated"


@dataclass(frozen=True)
class TFLiteExport:
    """The written file and how the reload check went."""

    path: Path
    size_bytes: int
    max_difference: float  # largest |TFLite − Keras| / max(1, |Keras|) over the sample; NaN: not run
    verified: bool
    batch_size: int | None = None  # 1 when TFLite's built-in ops needed the batch fixed
    flex_layers: tuple[str, ...] = ()  # "pool (AveragePooling3D: AvgPool3D)": layers run by the Flex delegate

    @property
    def answers_differently(self) -> bool:
        return not self.verified and not math.isnan(self.max_difference)

    def notes(self) -> list[str]:
        """What someone deploying the file must know, one sentence each."""
        notes = []
        if self.batch_size is not None:
            notes.append(f"the batch size is fixed at {self.batch_size}: TFLite's built-in ops cannot run "
                         "this model with a free batch size")
        if self.flex_layers:
            several = len(self.flex_layers) > 1
            layers = f"layer{'s' if several else ''} {', '.join(self.flex_layers)} use{'' if several else 's'}"
            unchecked = "" if self.verified else "; tf.lite.Interpreter here cannot run them, so it was not checked"
            notes.append(f"{layers} TensorFlow ops TFLite lacks: an app needs the Flex delegate "
                         f"({FLEX_DELEGATE}) to run the file{unchecked}")
        return notes


class Tuning(Protocol):
    """Converter options a quantized export adds (`tflite_quantize`); its files keep to TFLite's own kernels."""

    label: str  # "full-integer (int8) quantization": how a refusal names what was asked

    def apply(self, converter: Any) -> None: ...


def check_tflite_name(out: Path) -> None:
    if out.suffix != SUFFIX:
        raise BridgeError([f"{out}: a TFLite model file must end in {SUFFIX}"])


def export_tflite(model: keras.Model, out: Path, *, seed: int = 0, verify: bool = True,
                  tune: Tuning | None = None) -> TFLiteExport:
    """Convert `model`, write it to `out` and (unless told not to) check it answers like `model`.

    `tune` adds quantization options; such a file is never given TensorFlow's
    own ops, which would run in float. Raises BridgeError naming the layers
    when TFLite cannot convert the model even with TensorFlow's ops (or, tuned,
    with its built-in ones), or when `out` cannot be written.
    """
    check_tflite_name(out)
    content, batch, flex_layers = convert_model(model, tune)
    try:
        with replacing(out, suffix=SUFFIX) as tmp:
            tmp.write_bytes(content)
    except OSError as exc:
        raise BridgeError([f"{out}: cannot write the TFLite file: {exc.strerror or exc}"]) from None
    difference = _difference(model, content, seed, batch or 1, flex_layers) if verify else math.nan
    verified = not math.isnan(difference) and difference <= TOLERANCE
    return TFLiteExport(out, len(content), difference, verified, batch, flex_layers)


def convert_model(model: keras.Model, tune: Tuning | None = None) -> tuple[bytes, int | None, tuple[str, ...]]:
    """The flatbuffer, the batch size it fixes (None: free) and the layers that need the Flex delegate."""
    with tempfile.TemporaryDirectory(prefix="netbuilder-tflite-") as folder:
        free = Path(folder, "free")
        _write_saved_model(model, free, batch=None)
        try:
            return _run_converter(free, select_tf_ops=False, tune=tune), None, ()
        except ConverterError as exc:
            builtin_errors = list(exc.errors)
        fixed = Path(folder, "fixed")
        _write_saved_model(model, fixed, batch=1)
        try:
            return _run_converter(fixed, select_tf_ops=False, tune=tune), 1, ()
        except ConverterError:
            pass
        if tune is not None:
            raise BridgeError([_cannot_convert(builtin_errors, model, f"with {tune.label}")]) from None
        try:
            return _run_converter(free, select_tf_ops=True), None, tuple(_layers_at_fault(builtin_errors, model))
        except ConverterError as exc:
            raise BridgeError([_cannot_convert(list(exc.errors), model)]) from None


def _write_saved_model(model: keras.Model, folder: Path, batch: int | None) -> None:
    import tensorflow as tf

    keys = signature_keys([t.name for t in model.inputs])  # a name such as `in` is no parameter name
    specs = [tf.TensorSpec(shape=(batch, *t.shape[1:]), dtype=t.dtype, name=key)
             for t, key in zip(model.inputs, keys)]

    def serve(*tensors: Any) -> dict[str, Any]:
        result = model(model_arguments(model, list(tensors)), training=False)
        return dict(zip(model_output_names(model), keras.tree.flatten(result)))

    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint(SIGNATURE, serve, input_signature=specs)
    archive.write_out(str(folder), verbose=False)


def _run_converter(folder: Path, select_tf_ops: bool, tune: Tuning | None = None) -> bytes:
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_saved_model(str(folder), signature_keys=[SIGNATURE])
    if select_tf_ops:
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS, tf.lite.OpsSet.SELECT_TF_OPS]
    if tune is not None:
        tune.apply(converter)
    with warnings.catch_warnings(), quiet_stderr():
        warnings.filterwarnings("ignore", message=INTERPRETER_DEPRECATED)  # int8 calibration runs one
        return converter.convert()


def _layers_at_fault(errors: list[Any], model: keras.Model) -> list[str]:
    """`"name (Class: Op, Op)"` for each layer the converter's errors point into, in model order."""
    classes = {layer.name: type(layer).__name__ for layer in model.layers}
    ops: dict[str, set[str]] = {}
    for error in errors:
        layer = _layer_of(error, classes)
        if layer is not None:
            op = error.operator.name.removeprefix("tf.")
            ops.setdefault(layer, set()).update({op} if op and op != "Const" else set())
    return [f"{name} ({classes[name]}{': ' + ', '.join(sorted(ops[name])) if ops[name] else ''})"
            for name in classes if name in ops]


def _layer_of(error: Any, layer_names: dict[str, str]) -> str | None:
    """The model's layer whose name scope holds the failing op, e.g. `functional_1/pool_1/AvgPool3D@…`."""
    for call in error.location.call:
        scopes = call.name.split("@", 1)[0].split("/")[1:]  # [0] is the model's own scope
        for scope in scopes:
            # Tracing a second time suffixes every scope with _1, _2, …: an exact name wins.
            for name in (scope, re.sub(r"_\d+$", "", scope)):
                if name in layer_names:
                    return name
    return None


def _cannot_convert(errors: list[Any], model: keras.Model, how: str = "not even with TensorFlow's own ops") -> str:
    layers = _layers_at_fault(errors, model)
    if layers:
        return f"TFLite cannot convert layer{'s' if len(layers) > 1 else ''} {', '.join(layers)}, {how}"
    first = next((e.error_message.splitlines()[0] for e in errors if e.error_message), "no reason given")
    return f"TFLite cannot convert the model: {first}"


def _difference(model: keras.Model, content: bytes, seed: int, batch: int, flex_layers: tuple[str, ...]) -> float:
    """Run the file with tf.lite.Interpreter beside the Keras model on one seeded batch; NaN if it cannot run."""
    rng = np.random.default_rng(seed)
    names = [t.name for t in model.inputs]
    sample = {name: sample_values(t.shape, t.dtype, batch, rng) for name, t in zip(names, model.inputs)}
    try:
        served = tflite_runner(content, model)(sample)
    except RuntimeError:
        if flex_layers:  # TensorFlow's pip package builds this interpreter without the Flex delegate
            return math.nan
        raise
    expected = keras.tree.flatten(model(model_arguments(model, [sample[n] for n in names]), training=False))
    return max(largest_difference(served[name], np.asarray(value))
               for name, value in zip(model_output_names(model), expected))


def tflite_runner(content: bytes, model: keras.Model) -> Callable[[dict[str, np.ndarray]], dict[str, np.ndarray]]:
    """A function that runs the file on a batch keyed by `model`'s input names and returns its answers keyed
    by `model`'s output names; it raises RuntimeError where tf.lite.Interpreter cannot run the file."""
    import tensorflow as tf

    names = [t.name for t in model.inputs]
    with warnings.catch_warnings(), quiet_stderr():
        warnings.filterwarnings("ignore", message=INTERPRETER_DEPRECATED)
        runner = tf.lite.Interpreter(model_content=content).get_signature_runner(SIGNATURE)
    keys = dict(zip(names, signature_keys(names)))
    found = _match(list(keys.values()), runner.get_input_details())
    output_names = model_output_names(model)

    def run(batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        with quiet_stderr():
            served = runner(**{found[keys[name]]: value for name, value in batch.items()})
        outputs = _match(output_names, served)
        return {name: served[outputs[name]] for name in output_names}

    return run


def _match(names: list[str], keys: Any) -> dict[str, str]:
    """Our tensor names → the signature's; TensorFlow may have made `a-b` into `a_b` on the way."""
    found = {}
    for name in names:
        key = next((k for k in keys if k == name), None) or next(
            (k for k in keys if re.sub(r"\W", "_", k) == re.sub(r"\W", "_", name)), None)
        if key is None:
            raise BridgeError([f"the TFLite file has no tensor named {name!r} (it has {', '.join(keys)})"])
        found[name] = key
    return found
