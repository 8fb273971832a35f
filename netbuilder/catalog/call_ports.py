"""Input ports that a layer call receives by keyword, and operation nodes.

Keras code passes some tensors by keyword — `LSTM(...)(x, initial_state=[h, c])`,
`layer(x, mask=m)`, `attention(q, v, attention_mask=m)`. A node keeps such a
call in its `call_kwargs`, where `{"port": N}` stands for the tensor wired into
its input port N; the ports not named there are passed positionally, in port
order. An `Operation` node is a `keras.ops` call that no `keras.layers` layer
computes (`keras.ops.mean(x, axis=1)`); its optional `call_args` lay out the
positional arguments the same way (default: every input port, in order).

Plain data only: the catalog counts ports without Keras; the bridge fills them.
"""

from __future__ import annotations

from typing import Any

OPERATION_LAYER = "Operation"
PORT_KEY = "port"


def is_port(value: Any) -> bool:
    """Whether `value` is a `{"port": N}` placeholder."""
    return (isinstance(value, dict) and set(value) == {PORT_KEY} and isinstance(value[PORT_KEY], int)
            and not isinstance(value[PORT_KEY], bool) and value[PORT_KEY] >= 0)


def ports_in(value: Any) -> list[int]:
    """The port numbers of every placeholder in a call template, in order of appearance."""
    if is_port(value):
        return [value[PORT_KEY]]
    if isinstance(value, dict):
        return [p for item in value.values() for p in ports_in(item)]
    if isinstance(value, (list, tuple)):
        return [p for item in value for p in ports_in(item)]
    return []


def fill_ports(value: Any, tensors: list[Any]) -> Any:
    """The template with each placeholder replaced by `tensors[N]` (lists and dicts rebuilt)."""
    if is_port(value):
        return tensors[value[PORT_KEY]]
    if isinstance(value, dict):
        return {k: fill_ports(v, tensors) for k, v in value.items()}
    if isinstance(value, list):
        return [fill_ports(v, tensors) for v in value]
    return value


def keyword_ports(extra: dict[str, Any]) -> list[int]:
    """The input ports a node's call passes by keyword (in its `call_kwargs`)."""
    kwargs = extra.get("call_kwargs")
    return sorted(set(ports_in(kwargs))) if isinstance(kwargs, dict) else []


def operation_range(extra: dict[str, Any]) -> tuple[int, int | None]:
    """How many inputs an Operation node takes: those its call templates name, else one or more."""
    template = extra.get("call_args")
    named = keyword_ports(extra)
    if isinstance(template, list):
        count = len(set(ports_in(template)) | set(named))
        return (count, count)
    return (1 + len(named), None)
