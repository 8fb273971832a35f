"""The calls of the generated script: arguments with their ports, `keras.ops` operations, model inputs and outputs.

A node's call is written from its ports' variables: positional ports in
order, keyword ports where `call_kwargs`/`call_args` place them
(`layers.LSTM(64)(x, initial_state=[h, c])`). Keras' serialised values in a
call (`__slice__`, `__tensor__`) are written as the Python they stand for
(`x[:, 1:3]`'s key as `slice(1, 3, None)`). An Operation node is written as
its public `keras.ops` function when calling that function records the very
operation netbuilder built, else through Keras' deserialiser. Named or nested
model inputs and outputs are written as the dicts and lists they are.
"""

from __future__ import annotations

import keyword
from typing import Any, Callable

import keras

from netbuilder.catalog.call_ports import is_port, ports_in
from netbuilder.catalog.spec import LayerSpec
from netbuilder.graph import Node
from netbuilder.keras_bridge.layers import revive
from netbuilder.keras_bridge.model_io import as_leaf
from netbuilder.keras_bridge.operations import OPERATION_KEY, call_arguments, operation_function


def value_code(value: Any, ports: list[str], literal: Callable[[Any], str]) -> str:
    """A call template value as Python: ports as their variables, Keras' serialised values as objects."""
    if is_port(value):
        return ports[value["port"]]
    if isinstance(value, dict) and value.get("class_name") == "__slice__":
        cfg = value.get("config") or {}
        return f"slice({literal(cfg.get('start'))}, {literal(cfg.get('stop'))}, {literal(cfg.get('step'))})"
    if isinstance(value, dict) and value.get("class_name") == "__ellipsis__":
        return "..."
    if isinstance(value, dict) and value.get("class_name") == "__tensor__":
        cfg = value.get("config") or {}
        return f"keras.ops.convert_to_tensor({literal(cfg.get('value'))}, dtype={literal(cfg.get('dtype'))})"
    if isinstance(value, dict) and "class_name" in value:
        return f"keras.saving.deserialize_keras_object({literal(value)})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {value_code(v, ports, literal)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(value_code(v, ports, literal) for v in value) + "]"
    return literal(value)


def keyword_code(values: dict[str, Any], ports: list[str], literal: Callable[[Any], str]) -> list[str]:
    """`k=v` for identifier keys, the rest as `**{…}`."""
    plain = [f"{k}={value_code(v, ports, literal)}" for k, v in values.items() if _is_name(k)]
    odd = {k: v for k, v in values.items() if not _is_name(k)}
    return plain + ([f"**{value_code(odd, ports, literal)}"] if odd else [])


def _is_name(text: str) -> bool:
    return text.isidentifier() and text.isascii() and not keyword.iskeyword(text)


def call_code(ports: list[str], spec: LayerSpec | None, node: Node, literal: Callable[[Any], str]) -> str:
    """The argument list of a layer's (or sub-model's) call."""
    kwargs = node.extra.get("call_kwargs") or {}
    template = node.extra.get("call_args")
    if template is not None:
        parts = [value_code(a, ports, literal) for a in template]
    else:
        named = set(ports_in(kwargs))
        args = [p for i, p in enumerate(ports) if i not in named]
        mode = spec.input_mode if spec is not None else "single"
        parts = list(args) if mode == "positional" or (mode == "single" and len(args) == 1) else [
            "[" + ", ".join(args) + "]"]
    return ", ".join(parts + keyword_code(kwargs, ports, literal))


def operation_code(node: Node, ports: list[str], inputs: list[Any], built: Any,
                   literal: Callable[[Any], str]) -> str:
    """`keras.ops.NAME(…)` when that records the very operation netbuilder built; else Keras' deserialiser."""
    name = node.config[OPERATION_KEY]
    settings = {k: v for k, v in node.config.items() if k not in (OPERATION_KEY, "name")}
    template = node.extra.get("call_args")
    named = set(ports_in(node.extra.get("call_kwargs") or {}))
    if template is None:
        template = [{"port": i} for i in range(len(ports)) if i not in named]
    args = [value_code(a, ports, literal) for a in template]
    kwargs = keyword_code({**settings, **(node.extra.get("call_kwargs") or {})}, ports, literal)
    if _records_same(name, settings, node, inputs, built):
        return f"keras.ops.{name}({', '.join(args + kwargs)})"
    serialized = {"module": type(built).__module__, "class_name": type(built).__name__,
                  "config": {**settings, "name": node.name}, "registered_name": type(built).__name__}
    call_kwargs = keyword_code(node.extra.get("call_kwargs") or {}, ports, literal)
    return f"keras.saving.deserialize_keras_object({literal(serialized)})({', '.join(args + call_kwargs)})"


def _records_same(name: str, settings: dict[str, Any], node: Node, inputs: list[Any], built: Any) -> bool:
    """Whether calling the public function on the node's inputs makes an operation like `built`."""
    if built is None:
        return False
    try:
        args, kwargs = call_arguments(node, inputs)
        out = operation_function(name)(*args, **{**revive(settings), **kwargs})
        made = keras.tree.flatten(out)[0]._keras_history.operation
    except Exception:  # a function whose arguments are named otherwise than its operation's settings
        return False
    return type(made) is type(built) and _settings(made) == _settings(built)


def _settings(operation: Any) -> dict[str, Any]:
    return {k: v for k, v in operation.get_config().items() if k != "name"}


def structure_code(structure: Any, tensor: Callable[[str, int], str], literal: Callable[[Any], str]) -> str:
    """A model's named or nested inputs/outputs (`io`) as the dicts and lists of variables they are."""
    leaf = as_leaf(structure)
    if leaf is not None:
        return tensor(*leaf)
    if isinstance(structure, dict):
        return "{" + ", ".join(f"{literal(k)}: {structure_code(v, tensor, literal)}" for k, v in structure.items()) + "}"
    return "[" + ", ".join(structure_code(v, tensor, literal) for v in structure) + "]"
