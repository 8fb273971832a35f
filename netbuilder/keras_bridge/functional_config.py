"""Keras' functional description of any model, with what Keras would redo by itself left out.

A functional model describes itself (`get_config()`: layers with their calls,
`input_layers`, `output_layers`); a Sequential is described here as the
chain it is. Calls lose the arguments Keras records without being told
(`implied_arguments`), and operations that only computed such arguments (an
`Embedding`'s mask) are dropped with them.
"""

from __future__ import annotations

from typing import Any

import keras

from netbuilder.keras_bridge.errors import BridgeError
from netbuilder.keras_bridge.implied_arguments import implied_arguments
from netbuilder.keras_bridge.import_rewrites import is_tensor, tensor_ref


def functional_config(model: keras.Model) -> dict[str, Any]:
    """`layers`, `input_layers` and `output_layers` of `model`, as its config lists them."""
    if isinstance(model, keras.Sequential):
        return _sequential_config(model)
    config = model.get_config()
    if "layers" not in config:
        raise BridgeError([f"model '{model.name}' is a subclassed {type(model).__name__}, which describes "
                           "itself only as Python code; netbuilder can import functional and Sequential models"])
    implied = implied_arguments(model)
    for entry in config["layers"]:
        for call, names in zip(entry.get("inbound_nodes") or [], implied.get(entry["name"], [])):
            for name in names:
                call.get("kwargs", {}).pop(name, None)
    config["layers"] = _without_unused(config["layers"], config["output_layers"])
    return config


def _sequential_config(model: keras.Sequential) -> dict[str, Any]:
    if not model.inputs:
        raise BridgeError([f"model '{model.name}' was never built, so its input shape is unknown"])
    tensor = model.inputs[0]
    in_name = tensor._keras_history.operation.name
    input_config = {"batch_shape": list(tensor.shape), "dtype": tensor.dtype}
    entries: list[dict[str, Any]] = [
        {"class_name": "InputLayer", "name": in_name, "config": input_config, "inbound_nodes": []}
    ]
    previous = in_name
    for layer in model.layers:
        entries.append({"class_name": type(layer).__name__, "module": type(layer).__module__, "name": layer.name,
                        "config": layer.get_config(),
                        "inbound_nodes": [{"args": [tensor_ref(previous, 0, 0)], "kwargs": {}}]})
        previous = layer.name
    return {"layers": entries, "input_layers": [[in_name, 0, 0]], "output_layers": [[previous, 0, 0]]}


def _referenced(value: Any) -> set[str]:
    """Names of the layers whose outputs a call's arguments use."""
    if is_tensor(value):
        return {value["config"]["keras_history"][0]}
    if isinstance(value, dict):
        return {name for item in value.values() for name in _referenced(item)}
    if isinstance(value, (list, tuple)):
        return {name for item in value for name in _referenced(item)}
    return set()


def _without_unused(entries: list[dict[str, Any]], outputs: Any) -> list[dict[str, Any]]:
    """Drop the entries (other than inputs) whose outputs nothing uses any more."""
    while True:
        used = {ref[0] for ref in refs(outputs)}
        for entry in entries:
            used |= _referenced(entry.get("inbound_nodes") or [])
        kept = [e for e in entries if e["name"] in used or e["class_name"] == "InputLayer"]
        if len(kept) == len(entries):
            return entries
        entries = kept


def refs(raw: Any) -> list[list[Any]]:
    """The `[name, node_index, tensor_index]` leaves of an `input_layers`/`output_layers` structure, in
    Keras' flattening order (dicts by sorted key)."""
    if is_ref(raw):
        return [list(raw)]
    if isinstance(raw, dict):
        return [r for key in sorted(raw) for r in refs(raw[key])]
    return [r for item in raw for r in refs(item)]


def is_ref(raw: Any) -> bool:
    """Whether `raw` is one `[name, node_index, tensor_index]` leaf."""
    return isinstance(raw, (list, tuple)) and len(raw) == 3 and isinstance(raw[0], str) and isinstance(raw[1], int)

