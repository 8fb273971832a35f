"""ONNX export: the model converted by tf2onnx, written atomically, checked with onnxruntime.

ONNX runs the model outside TensorFlow (onnxruntime on servers and phones,
ONNX.js in browsers, TensorRT). The model is traced with the same signature
keys as the SavedModel and TFLite exports (`signature_names`), converted by
`tf2onnx` (the converter Keras' own `model.export(format="onnx")` uses) at
opset `OPSET`, written under a temporary name and renamed, then run with
`onnxruntime` on one seeded batch beside the Keras model, like the other
exports' checks. A layer the converter cannot handle is named with its class
from the converter's message.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np

from netbuilder.export.sample_batch import largest_difference, sample_values
from netbuilder.export.signature_names import signature_keys
from netbuilder.graph.atomic_file import replacing
from netbuilder.keras_bridge.errors import BridgeError
from netbuilder.keras_bridge.model_io import model_arguments, model_output_names
from netbuilder.keras_bridge.quiet_import import quiet_stderr

SUFFIX = ".onnx"
OPSET = 17  # onnxruntime 1.17+ and TensorRT 8.6+ run it; new enough for LayerNormalization
TOLERANCE = 1e-4


@dataclass(frozen=True)
class OnnxExport:
    path: Path
    size_bytes: int
    inputs: list[str]
    outputs: list[str]
    max_difference: float  # largest |onnxruntime − Keras| over the sample batch; NaN when not checked

    @property
    def verified(self) -> bool:
        return not math.isnan(self.max_difference) and self.max_difference <= TOLERANCE


def check_onnx_name(out: Path) -> None:
    if out.suffix != SUFFIX:
        raise BridgeError([f"{out}: an ONNX model file must end in {SUFFIX}"])


def export_onnx(model: keras.Model, out: Path, *, seed: int = 0, verify: bool = True) -> OnnxExport:
    """Convert `model`, write it to `out` and (unless told not to) check it answers like `model` under onnxruntime."""
    check_onnx_name(out)
    names = [t.name for t in model.inputs]
    keys = signature_keys(names)
    content = _convert(model, keys)
    # Checked before writing: a file onnxruntime refuses (text ops it has no kernel for) is not left behind.
    difference = _difference(model, content, names, keys, seed) if verify else math.nan
    try:
        with replacing(out, suffix=SUFFIX) as tmp:
            tmp.write_bytes(content)
    except OSError as exc:
        raise BridgeError([f"{out}: cannot write the ONNX file: {exc.strerror or exc}"]) from None
    return OnnxExport(out, len(content), keys, model_output_names(model), difference)


def _convert(model: keras.Model, keys: list[str]) -> bytes:
    import tensorflow as tf

    with quiet_stderr():
        import tf2onnx  # logs its version banner to stderr on import

    specs = [tf.TensorSpec(shape=t.shape, dtype=t.dtype, name=key) for t, key in zip(model.inputs, keys)]
    outputs = model_output_names(model)

    @tf.function(input_signature=specs)
    def serve(*tensors: Any) -> dict[str, Any]:
        result = model(model_arguments(model, list(tensors)), training=False)
        return dict(zip(outputs, keras.tree.flatten(result)))

    try:
        with quiet_stderr():
            proto, _ = tf2onnx.convert.from_function(serve, input_signature=specs, opset=OPSET)
    except Exception as exc:  # the converter raises plain exceptions naming TensorFlow ops
        raise BridgeError([_cannot_convert(exc, model)]) from None
    return proto.SerializeToString()


def _cannot_convert(exc: Exception, model: keras.Model) -> str:
    text = str(exc)
    first = next((line.strip() for line in text.splitlines() if line.strip()), type(exc).__name__)
    layers = [f"{layer.name} ({type(layer).__name__})" for layer in model.layers
              if re.search(rf"(?<![\w]){re.escape(layer.name)}(?![\w])", text)]
    where = f" in layer {', '.join(layers)}" if layers else ""
    return f"ONNX cannot convert the model{where}: {first[:300]}"


def _cannot_run(exc: Exception, model: keras.Model) -> str:
    """onnxruntime's refusal as a sentence naming the op and the layer it comes from (`words_1/StringLower`)."""
    text = str(exc)
    op = re.search(r"No Op registered for (\w+)", text)
    layers = [f"{layer.name} ({type(layer).__name__})" for layer in model.layers
              if re.search(rf"/{re.escape(layer.name)}(_\d+)?/", text)]
    what = f"the op {op.group(1)}" if op else "an op"
    where = f" of layer {', '.join(layers)}" if layers else ""
    return (f"onnxruntime cannot run the converted model: it has no kernel for {what}{where}; export it as a "
            "SavedModel or a .keras file instead")


def _difference(model: keras.Model, content: bytes, names: list[str], keys: list[str], seed: int) -> float:
    """Run the file with onnxruntime beside the Keras model on one seeded batch of 4."""
    import onnxruntime

    rng = np.random.default_rng(seed)
    sample = {name: sample_values(t.shape, t.dtype, 4, rng) for name, t in zip(names, model.inputs)}
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # errors only: its warnings about unused initialisers are not the user's
    try:
        session = onnxruntime.InferenceSession(content, options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types, naming the op it cannot run
        raise BridgeError([_cannot_run(exc, model)]) from None
    served = session.run(None, {key: sample[name] for name, key in zip(names, keys)})
    by_name = dict(zip([o.name for o in session.get_outputs()], served))
    expected = keras.tree.flatten(model(model_arguments(model, [sample[n] for n in names]), training=False))
    return max(largest_difference(by_name[name], np.asarray(value))
               for name, value in zip(model_output_names(model), expected))
