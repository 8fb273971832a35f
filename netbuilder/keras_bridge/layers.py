"""Make one Keras layer (or Input) from a node, and call it the way its spec says.

Layers are made by Keras' own deserialiser in safe mode: the config is Keras'
own vocabulary, and nothing in it can make Keras run code.
"""

from __future__ import annotations

from typing import Any

import keras

from netbuilder.catalog.call_ports import fill_ports, ports_in
from netbuilder.catalog.config_check import name_problem
from netbuilder.catalog.spec import LayerSpec
from netbuilder.graph import Node

INPUT_KEYS = {"shape", "dtype", "name", "sparse", "batch_size"}


def input_config_problems(node: Node) -> list[str]:
    """What is wrong with an Input node's config, as short sentences."""
    problems = []
    unknown = sorted(set(node.config) - INPUT_KEYS)
    for key in unknown:
        problems.append(f'unknown setting "{key}" for an Input (it takes shape, dtype and name)')
    shape = node.config.get("shape")
    if shape is None:
        problems.append('"shape" is missing: give the size of one sample, e.g. [28, 28, 1]')
    elif not isinstance(shape, list) or not all(
        d is None or (isinstance(d, int) and not isinstance(d, bool) and d > 0) for d in shape
    ):
        problems.append(f"shape must be a list of positive whole numbers (or null), got {shape!r}")
    if node.config.get("name") is not None:
        problem = name_problem(node.config["name"])
        if problem:
            problems.append(problem)
    dtype = node.config.get("dtype", "float32")
    if not isinstance(dtype, str):
        problems.append(f"dtype must be a type name such as \"float32\", got {dtype!r}")
    else:
        try:
            keras.backend.standardize_dtype(dtype)
        except (ValueError, TypeError):
            problems.append(f'dtype "{dtype}" is not a type Keras knows')
    name = node.config.get("name")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        problems.append("name must be a non-empty string")
    return problems


def make_input(node: Node) -> Any:
    """The symbolic model input for an Input node."""
    cfg = node.config
    return keras.Input(
        shape=tuple(cfg["shape"]),
        dtype=cfg.get("dtype"),
        name=node.name,
        sparse=cfg.get("sparse", False),
        batch_size=cfg.get("batch_size"),
    )


def layer_from_config(class_name: str, config: dict[str, Any], defaults: dict[str, Any]) -> keras.Layer:
    """A `keras.layers` layer from its config, through Keras' deserialiser in safe mode.

    A few `from_config` methods index keys that their constructor treats as
    optional (Rescaling's `offset`); those keys are filled from the catalog's
    `defaults`, one at a time, only when Keras asks for them. Merging every
    default up front would be wrong: some defaults depend on other settings.
    """
    config = dict(config)
    while True:
        serialized = {"module": "keras.layers", "class_name": class_name, "config": config, "registered_name": None}
        try:
            return keras.saving.deserialize_keras_object(serialized, safe_mode=True)
        except KeyError as exc:
            key = exc.args[0] if exc.args else None
            if key in config or key not in defaults:
                raise
            config[key] = defaults[key]


def make_layer(node: Node, spec: LayerSpec) -> keras.Layer:
    """A fresh layer from the node's config; its name defaults to the node id."""
    return layer_from_config(node.layer, {**node.config, "name": node.name}, spec.defaults())


def revive(template: Any) -> Any:
    """A call template's serialised Keras values (`__slice__`, `__tensor__`) as objects, in safe mode."""
    if not template:
        return template
    from keras.src.saving import serialization_lib

    return serialization_lib.deserialize_keras_object(template, safe_mode=True)


def call_layer(layer: Any, inputs: list[Any], spec: LayerSpec | None, kwargs: dict[str, Any],
               call_args: list[Any] | None = None) -> list[Any]:
    """Call `layer` on `inputs` as its spec says, returning its outputs as a flat list.

    `inputs` are in port order. Ports that `kwargs` (or `call_args`) name with
    `{"port": N}` are passed there (see `call_ports`); the others positionally.
    """
    named = set(ports_in(kwargs))
    filled = fill_ports(revive(kwargs), inputs)
    if call_args is not None:
        return list(keras.tree.flatten(layer(*fill_ports(revive(call_args), inputs), **filled)))
    kwargs = filled
    inputs = [t for i, t in enumerate(inputs) if i not in named]
    mode = spec.input_mode if spec is not None else "single"
    if mode == "list":
        out = layer(list(inputs), **kwargs)
    elif mode == "positional":
        out = layer(*inputs, **kwargs)
    else:
        out = layer(inputs[0] if len(inputs) == 1 else list(inputs), **kwargs)
    return list(keras.tree.flatten(out))
