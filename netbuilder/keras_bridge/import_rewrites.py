"""Entries of a functional config that `keras.layers` lacks, rewritten before they become nodes.

A functional config lists layers and, for `keras.ops` calls on symbolic
tensors (`x * y`, `keras.activations.swish(x)`, `keras.ops.mean(x)`),
operations. Each operation that a `keras.layers` layer computes exactly —
the same numbers from the same inputs — becomes that layer (Activation,
ReLU, Add, Subtract, Multiply, Concatenate, an exact Rescaling for `x * 2.0`),
so the drawing reads as layers; any other public operation becomes an
`Operation` node. The helper layers Keras uses without exporting them
(ConvNeXt's LayerScale, InceptionResNetV2's CustomScaleLayer, FeatureSpace's
concatenation) become the layers that compute them with the same weights.
"""

from __future__ import annotations

import functools
import json
from typing import Any, Callable

import keras

from netbuilder.catalog.call_ports import OPERATION_LAYER
from netbuilder.keras_bridge.errors import BridgeError
from netbuilder.keras_bridge.operations import OPERATION_KEY, public_name

TENSOR = "__keras_tensor__"
_OPS_MODULES = ("keras.src.ops.", "keras.src.activations.")
_LAYER_SCALE = ("keras.src.applications.convnext", "LayerScale")
_CUSTOM_SCALE = ("keras.src.applications.inception_resnet_v2", "CustomScaleLayer")
_FEATURE_SPACE_CONCAT = ("keras.src.layers.preprocessing.feature_space", "TFDConcat")
_MERGES = {"Add", "Subtract", "Multiply"}
_RELU_OP = ("keras.src.activations.activations", "ReLU")
# Operations that compute what an activation computes though it records another operation:
# `keras.ops.relu(x)` and `keras.activations.relu(x)` both come down to `backend.nn.relu(x)`.
_SAME_AS_ACTIVATION = {("keras.src.ops.nn", "Relu"): "relu"}


def flatten(value: Any) -> list[Any]:
    """Nested lists/tuples as one flat list."""
    if isinstance(value, (list, tuple)):
        return [t for item in value for t in flatten(item)]
    return [value]


def is_tensor(value: Any) -> bool:
    return isinstance(value, dict) and value.get("class_name") == TENSOR


def tensor_ref(name: str, call: int, index: int) -> dict[str, Any]:
    return {"class_name": TENSOR, "config": {"keras_history": [name, call, index]}}


def is_operation(entry: dict[str, Any]) -> bool:
    return str(entry.get("module")).startswith(_OPS_MODULES)


def keras_layers_entries(entries: list[dict[str, Any]], fresh: Callable[[str], str]) -> list[dict[str, Any]]:
    """`entries` with each one `keras.layers` lacks replaced; `fresh(stem)` gives an unused name."""
    out: list[dict[str, Any]] = []
    for entry in entries:
        kind = (entry.get("module"), entry["class_name"])
        if kind == _LAYER_SCALE:
            out.append(_layer_scale_twin(entry))
        elif kind == _CUSTOM_SCALE:
            out.extend(_custom_scale_twins(entry, fresh(f"{entry['name']}_scale")))
        elif kind == _FEATURE_SPACE_CONCAT:  # FeatureSpace joins its encoded features: a Concatenate
            out.append(_twin(entry, "Concatenate", {"axis": entry["config"]["axis"]}, entry.get("inbound_nodes") or []))
        elif is_operation(entry):
            out.append(_operation_entry(entry))
        else:
            out.append(entry)
    return out


def _twin(entry: dict[str, Any], class_name: str, config: dict[str, Any], calls: list[Any],
          name: str | None = None) -> dict[str, Any]:
    """A `keras.layers` entry keeping `entry`'s name, trainability and dtype policy."""
    name = name or entry["name"]
    kept = {k: v for k, v in entry["config"].items() if k in ("trainable", "dtype")}
    return {"module": "keras.layers", "class_name": class_name, "name": name,
            "config": {**kept, **config, "name": name}, "inbound_nodes": calls}


def _layer_scale_twin(entry: dict[str, Any]) -> dict[str, Any]:
    """ConvNeXt's LayerScale (`x * gamma`, one gamma per channel): an EinsumDense whose kernel is gamma."""
    cfg = entry["config"]
    initializer = {"module": "keras.initializers", "class_name": "Constant",
                   "config": {"value": cfg["init_values"]}, "registered_name": None}
    return _twin(entry, "EinsumDense", {"equation": "...c,c->...c", "output_shape": [cfg["projection_dim"]],
                                        "kernel_initializer": initializer}, entry.get("inbound_nodes") or [])


def _custom_scale_twins(entry: dict[str, Any], scaled_name: str) -> list[dict[str, Any]]:
    """InceptionResNetV2's `a + b * scale`: a Rescaling of b, then an Add (same rounding: b * scale + 0)."""
    firsts, seconds = [], []
    for call in entry.get("inbound_nodes") or []:
        tensors = flatten(call.get("args", []))
        if len(tensors) != 2 or not all(is_tensor(t) for t in tensors):
            raise BridgeError([f"layer '{entry['name']}' (CustomScaleLayer) is not called on two tensors"])
        firsts.append(tensors[0])
        seconds.append({"args": [tensors[1]], "kwargs": {}})
    scaled = [tensor_ref(scaled_name, k, 0) for k in range(len(firsts))]
    rescale = _twin(entry, "Rescaling", {"scale": entry["config"]["scale"], "offset": 0.0}, seconds, scaled_name)
    add = _twin(entry, "Add", {}, [{"args": [[a, b]], "kwargs": {}} for a, b in zip(firsts, scaled)])
    return [rescale, add]


def _operation_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """An operation as the layer that computes it exactly, else as an Operation node."""
    calls = entry.get("inbound_nodes") or []
    if len(calls) == 1 and not calls[0].get("kwargs"):
        twin = _layer_twin(entry, calls[0])
        if twin is not None:
            return twin
    name = public_name(entry.get("module"), entry["class_name"])
    if name is None:
        raise BridgeError([f"operation '{entry['name']}' ({entry['class_name']} from {entry.get('module')}) "
                           "is not a public keras.ops function, so netbuilder cannot call it"])
    config = {k: v for k, v in entry["config"].items() if k != "name"}
    return {"module": "netbuilder", "class_name": OPERATION_LAYER, "name": entry["name"],
            "config": {OPERATION_KEY: name, **config, "name": entry["name"]}, "inbound_nodes": calls}


def _float32(tensors: list[Any]) -> bool:
    """Layers compute in their own float32 policy: only float32 tensors keep their dtype through one."""
    return all(t["config"].get("dtype", "float32") == "float32" for t in tensors)


def _layer_twin(entry: dict[str, Any], call: dict[str, Any]) -> dict[str, Any] | None:
    """The layer that computes this one call exactly, or None."""
    args = flatten(call.get("args", []))
    tensors = [a for a in args if is_tensor(a)]
    if not tensors or not _float32(tensors):
        return None
    module, op = entry.get("module"), entry["class_name"]
    config = {k: v for k, v in entry["config"].items() if k != "name"}
    one = [{"args": [tensors[0]], "kwargs": {}}]
    if len(args) == 1:
        activation = _activation_names().get((module, op, json.dumps(config, sort_keys=True))) or (
            None if config else _SAME_AS_ACTIVATION.get((module, op)))
        if activation is not None:
            return _twin(entry, "Activation", {"activation": activation}, one)
        if (module, op) == _RELU_OP:
            return _twin(entry, "ReLU", config, one)
    if module != "keras.src.ops.numpy":
        return None
    if op == "Concatenate" and len(call["args"]) == 1 and len(tensors) == len(args) >= 2:
        rank = len(tensors[0]["config"].get("shape") or [])
        along_batch = rank == 0 or config.get("axis", 0) % rank == 0  # the layer joins features, never samples
        return None if along_batch else _twin(entry, "Concatenate", config, [{"args": [tensors], "kwargs": {}}])
    if op not in _MERGES or len(args) != 2:
        return None
    if len(tensors) == 2:
        shapes = [t["config"].get("shape") for t in tensors]
        return _twin(entry, op, {}, [{"args": [tensors], "kwargs": {}}]) if shapes[0] == shapes[1] else None
    number = args[1] if is_tensor(args[0]) else args[0]
    if isinstance(number, bool) or not isinstance(number, (int, float)):
        return None
    # x * scale + offset, with one of the two a no-op, rounds exactly as the operation does.
    scale, offset = {"Add": (1.0, number), "Multiply": (number, 0.0),
                     "Subtract": (1.0, -number) if is_tensor(args[0]) else (-1.0, number)}[op]
    return _twin(entry, "Rescaling", {"scale": scale, "offset": offset}, one)


@functools.cache
def _activation_names() -> dict[tuple[str, str, str], str]:
    """(module, operation, settings) → the `keras.activations` name whose function records exactly it.

    Worked out by applying each activation to a symbolic tensor, so an
    `Activation(name)` layer is known to make the very operation it replaces.
    """
    from keras.src.ops.operation import Operation

    probe = keras.Input((4,))
    found: dict[tuple[str, str, str], str] = {}
    for name in sorted(dir(keras.activations)):
        if name.startswith("_") or name in ("get", "serialize", "deserialize"):
            continue
        try:
            operation = getattr(keras.activations, name)(probe)._keras_history.operation
        except Exception:  # activations that need arguments, or TensorFlow functions that refuse symbols
            continue
        if isinstance(operation, Operation) and str(type(operation).__module__).startswith(_OPS_MODULES):
            config = {k: v for k, v in operation.get_config().items() if k != "name"}
            found.setdefault((type(operation).__module__, type(operation).__name__,
                              json.dumps(config, sort_keys=True)), name)
    return found
