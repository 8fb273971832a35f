"""Ask the real converters whether one layer, alone at its input shapes, can be deployed to a target.

Each probe takes a tiny `keras.Model` made of a single call (the layer on
inputs of the shapes and dtypes it gets in the user's graph) and a
`tf.function` serving it with a free batch size, as the exports do, and
returns the ops the target refuses (empty when it takes them all):

- TFLite: `tf.lite.TFLiteConverter` restricted to `TFLITE_BUILTINS`; its
  error names each op that would need Select TF ops (Flex) or is missing.
- ONNX: `tf2onnx` at the opset `onnx_export` uses; it leaves the TensorFlow
  ops it cannot map in the graph, so every node whose op the ONNX schema
  (`onnx.defs`) does not know is refused.
- TF Serving: the function is traced for a SavedModel; ops that call back
  into Python (`PyFunc`, `EagerPyFunc`) are not saved with it, and a layer
  that cannot be traced at all is refused with TensorFlow's reason.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import keras

from netbuilder.keras_bridge.quiet_import import quiet_stderr

# Ops a SavedModel stores only as a reference to a Python function of this process.
PYTHON_OPS = frozenset({"PyFunc", "PyFuncStateless", "EagerPyFunc"})
_FLEX_LIST = re.compile(r"TF Select ops: ([\w, ]+)")
_NO_OP = re.compile(r"'tf\.(\w+)' op is neither a custom op nor a flex op")
_CUSTOM_LIST = re.compile(r"Custom ops: ([\w, ]+)")


def serving_function(model: keras.Model) -> Any:
    """`model` as a `tf.function` of one tensor per input, the batch size left free."""
    import tensorflow as tf

    specs = [tf.TensorSpec((None, *tuple(t.shape)[1:]), t.dtype) for t in model.inputs]

    @tf.function(input_signature=specs)
    def serve(*tensors: Any) -> Any:
        return model(list(tensors) if len(tensors) > 1 else tensors[0], training=False)

    return serve


def tflite_refusals(model: keras.Model) -> list[str]:
    """The TensorFlow ops of `model` that TFLite's built-in op set cannot run."""
    import tensorflow as tf

    serve = serving_function(model)
    try:
        converter = tf.lite.TFLiteConverter.from_concrete_functions([serve.get_concrete_function()], model)
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
        with quiet_stderr():
            converter.convert()
    except Exception as exc:  # the converter raises ConverterError (and others) with the ops in its text
        text = str(exc)
        ops = set(_NO_OP.findall(text))
        for listed in _FLEX_LIST.findall(text) + _CUSTOM_LIST.findall(text):
            ops.update(op.strip() for op in listed.split(",") if op.strip())
        return sorted(ops) or [_first_line(text)]
    return []


def onnx_refusals(model: keras.Model, opset: int) -> list[str]:
    """The ops tf2onnx leaves unconverted (not ONNX ops) in `model` at `opset`."""
    import onnx

    with quiet_stderr():
        import tf2onnx  # logs its version banner to stderr on import

    serve = serving_function(model)
    quiet = logging.getLogger("tf2onnx")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # it logs every unsupported op as an error; they are returned instead
    try:
        with quiet_stderr():
            proto, _ = tf2onnx.convert.from_function(serve, input_signature=serve.input_signature, opset=opset)
    except Exception as exc:  # the converter raises plain exceptions naming TensorFlow ops
        return [_first_line(str(exc))]
    finally:
        quiet.setLevel(level)
    return sorted({node.op_type for node in proto.graph.node if not onnx.defs.has(node.op_type, node.domain or "")})


def serving_refusals(model: keras.Model) -> list[str]:
    """Ops of `model` that a SavedModel served by TF Serving cannot run, or why it cannot be traced."""
    serve = serving_function(model)
    try:
        graph = serve.get_concrete_function().graph
    except Exception as exc:  # a layer TensorFlow cannot trace into a graph: TensorFlow's reason
        return [f"tracing fails: {_first_line(str(exc))}"]
    ops = {op.type for op in graph.get_operations()}
    for function in graph.as_graph_def().library.function:  # control flow and nested functions
        ops.update(node.op for node in function.node_def)
    return sorted(ops & PYTHON_OPS)


def _first_line(text: str) -> str:
    line = next((part.strip() for part in text.splitlines() if part.strip()), "unknown error")
    return line[:200]
