"""One recorded call of a layer, nested model or operation → the wires into its node and its call.

Tensors passed positionally become input ports 0, 1, … in order (for attention
layers, `query=`/`value=`/`key=` take the ports their names have). Tensors
passed by any other keyword become further ports, and the keyword stays in
the node's `call_kwargs` with `{"port": N}` where the tensor was
(`initial_state=[{"port": 1}, {"port": 2}]`); other keyword values are kept
as they are. An operation, or a call whose positional arguments are more than
tensors (a dict of tensors, a slice), keeps them as `call_args` the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from netbuilder.catalog.call_ports import PORT_KEY
from netbuilder.graph import Edge
from netbuilder.keras_bridge.import_rewrites import flatten, is_tensor


@dataclass
class Wiring:
    """The edges into one node and how its call is laid out."""

    edges: list[Edge] = field(default_factory=list)
    call_kwargs: dict[str, Any] = field(default_factory=dict)
    call_args: list[Any] | None = None


def jsonable(value: Any) -> Any:
    """Config values as plain JSON (tuples → lists, NumPy → Python)."""

    def default(obj: Any) -> Any:
        if isinstance(obj, np.ndarray):
            return obj.tolist()
        if isinstance(obj, np.generic):
            return obj.item()
        raise TypeError(f"cannot store a {type(obj).__name__} in a project file")

    return json.loads(json.dumps(value, default=default))


class _Ports:
    """Numbers the tensors of one call as input ports."""

    def __init__(self) -> None:
        self.tensors: dict[int, dict[str, Any]] = {}

    def add(self, tensor: dict[str, Any]) -> dict[str, int]:
        """The next port for `tensor`, as its placeholder."""
        port = len(self.tensors)
        self.tensors[port] = tensor
        return {PORT_KEY: port}

    def template(self, value: Any) -> Any:
        """`value` with each tensor replaced by the placeholder of a new port."""
        if is_tensor(value):
            return self.add(value)
        if isinstance(value, dict) and "class_name" not in value:
            return {k: self.template(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.template(v) for v in value]
        return jsonable(value)


def _plain(args: list[Any]) -> bool:
    """Positional arguments that are tensors, or lists of tensors, only."""
    return all(is_tensor(item) for item in flatten(args))


def wire_call(call: dict[str, Any], node_id: str, *, operation: bool, port_names: list[str],
              source_of: Callable[[str, int], str]) -> Wiring:
    """Edges and call templates for one recorded call; `source_of(name, call)` is the node of that call."""
    ports = _Ports()
    wiring = Wiring()
    args = list(call.get("args") or [])
    if operation or not _plain(args):
        template = ports.template(args)
        in_order = template == [{PORT_KEY: i} for i in range(len(ports.tensors))]
        if not (operation and in_order):  # an operation's default call takes its ports in order
            wiring.call_args = template
    else:
        for tensor in flatten(args):
            ports.add(tensor)
    kwargs = dict(call.get("kwargs") or {})
    named = sorted((k for k in kwargs if k in port_names and is_tensor(kwargs[k])), key=port_names.index)
    for key in named:
        if port_names.index(key) == len(ports.tensors):  # `query=`, `value=`: the ports those names have
            ports.add(kwargs.pop(key))
    wiring.call_kwargs = {key: ports.template(value) for key, value in kwargs.items()}
    for port, tensor in sorted(ports.tensors.items()):
        source, index, output = tensor["config"]["keras_history"]
        wiring.edges.append(Edge(source_of(source, index), node_id, output, port))
    return wiring
