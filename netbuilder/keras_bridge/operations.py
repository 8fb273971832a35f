"""Operation nodes: `keras.ops` calls that no `keras.layers` layer computes, built back as themselves.

Keras records `keras.ops.mean(x, axis=1)` or `x[:, 0]` on a symbolic tensor
as an operation in the functional model (`keras.src.ops.numpy.Mean` with its
settings). An `Operation` node keeps it by its public name (`config.operation`:
`"mean"`, `"image.resize"` — the path under `keras.ops`) and its settings in
Keras' own vocabulary; its call is laid out by `call_ports`. Only operations
that `keras.ops` exports are accepted, and they are made through Keras'
deserialiser in safe mode, so a project can name nothing but Keras' own code.
"""

from __future__ import annotations

import functools
import importlib
import inspect
from typing import Any

import keras

from netbuilder.catalog.call_ports import fill_ports, ports_in
from netbuilder.graph import Node
from netbuilder.keras_bridge.layers import revive

OPERATION_KEY = "operation"
_OPS_PREFIX = "keras.src.ops."
_SUBMODULES = ("image", "linalg", "nn", "numpy", "math", "core")


@functools.cache
def _public_operations() -> dict[str, tuple[str, str]]:
    """Public `keras.ops` name → (module, class) of the operation it records."""
    from keras.src.ops.operation import Operation

    found: dict[str, tuple[str, str]] = {}
    spaces = [("", keras.ops)] + [(f"{s}.", getattr(keras.ops, s)) for s in _SUBMODULES if hasattr(keras.ops, s)]
    for prefix, space in spaces:
        for name in dir(space):
            fn = getattr(space, name)
            module = getattr(fn, "__module__", "") or ""
            if name.startswith("_") or not callable(fn) or not module.startswith(_OPS_PREFIX):
                continue
            classes = [c for c_name, c in vars(importlib.import_module(module)).items()
                       if inspect.isclass(c) and issubclass(c, Operation) and c.__module__ == module
                       and c_name.lower() == name.replace("_", "")]
            public = f"{prefix}{name}" if prefix and not hasattr(keras.ops, name) else name
            if len(classes) == 1:
                found.setdefault(public, (module, classes[0].__name__))
    return found


@functools.cache
def _names_by_class() -> dict[tuple[str, str], str]:
    names: dict[tuple[str, str], str] = {}
    for name, kind in sorted(_public_operations().items(), key=lambda kv: (-len(kv[0]), kv[0])):
        names[kind] = name  # shorter names come later and win: `mean` over `numpy.mean`
    return names


def public_name(module: str | None, class_name: str) -> str | None:
    """The `keras.ops` name that records this operation class (None: Keras exports none)."""
    return _names_by_class().get((str(module), class_name))


def operation_problems(node: Node) -> list[str]:
    """What is wrong with an Operation node's settings, as sentences."""
    name = node.config.get(OPERATION_KEY)
    if not isinstance(name, str) or name not in _public_operations():
        return [f"operation {name!r} is not a keras.ops function netbuilder knows"
                if name is not None else 'an Operation needs "operation": the name of a keras.ops function, e.g. "mean"']
    template = node.extra.get("call_args")
    if template is not None and not isinstance(template, list):
        return ["call_args must be a list of the operation's positional arguments"]
    return []


def make_operation(node: Node) -> Any:
    """A fresh operation object for the node, made by Keras' deserialiser in safe mode."""
    module, class_name = _public_operations()[node.config[OPERATION_KEY]]
    config = {k: v for k, v in node.config.items() if k != OPERATION_KEY}
    config["name"] = node.name
    serialized = {"module": module, "class_name": class_name, "config": config, "registered_name": class_name}
    return keras.saving.deserialize_keras_object(serialized, safe_mode=True)


def call_arguments(node: Node, inputs: list[Any]) -> tuple[list[Any], dict[str, Any]]:
    """The positional and keyword arguments of the node's call, its tensors filled in from `inputs`."""
    template = node.extra.get("call_args")
    kwargs_template = node.extra.get("call_kwargs") or {}
    if template is None:
        named = set(ports_in(kwargs_template))
        template = [{"port": i} for i in range(len(inputs)) if i not in named]
    return fill_ports(list(revive(template)), inputs), fill_ports(dict(revive(kwargs_template)), inputs)


def call_operation(operation: Any, node: Node, inputs: list[Any]) -> list[Any]:
    """Call the operation as the node lays its call out; its outputs as a flat list."""
    args, kwargs = call_arguments(node, inputs)
    return list(keras.tree.flatten(operation(*args, **kwargs)))


def operation_function(name: str) -> Any:
    """The public `keras.ops` function called `name` (`"image.resize"` → `keras.ops.image.resize`)."""
    target: Any = keras.ops
    for part in name.split("."):
        target = getattr(target, part)
    return target
