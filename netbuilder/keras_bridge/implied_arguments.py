"""Call arguments Keras records although nobody wrote them, so that import can leave them out.

When a layer is called on a tensor that carries a mask (after
`Embedding(mask_zero=True)` or `Masking`), Keras passes that mask as the
call's `mask=` (or `query_mask=`, …) and records it, together with the
operation that computed it and the call signature's default `training`. A
rebuilt model gets exactly these again from Keras, so a project that drew
them would only show a wire and a node nobody wrote. This finds them on the
live model: a recorded mask is implied when it *is* the mask carried by the
tensor it belongs to (or the same operations computing it from the same
tensors, as in a model Keras loaded from a file).
"""

from __future__ import annotations

import inspect
from typing import Any

import keras
import numpy as np


def implied_arguments(model: keras.Model) -> dict[str, list[set[str]]]:
    """Per operation name, per call in the order the model's config lists them, the implied keywords."""
    from keras.src.ops.function import make_node_key

    own = getattr(model, "_nodes", None)
    if own is None:  # a Sequential is described as its chain, which records no keywords
        return {}
    found: dict[str, list[set[str]]] = {}
    for operation in model.operations:
        calls = [node for i, node in enumerate(operation._inbound_nodes)
                 if make_node_key(operation, i) in own and node.input_tensors]
        found[operation.name] = [_implied(operation, node) for node in calls]
    return found


def _implied(operation: Any, node: Any) -> set[str]:
    args, kwargs = node.arguments.args, node.arguments.kwargs
    try:
        signature = inspect.signature(operation.call)
        bound = signature.bind_partial(*args, **kwargs).arguments
    except (TypeError, ValueError):  # a signature Python cannot bind: keep everything
        return set()
    implied = set()
    training = signature.parameters.get("training")
    if "training" in kwargs and training is not None and kwargs["training"] == training.default:
        implied.add("training")
    tensor_args = {name: value for name, value in bound.items()
                   if not _is_mask_name(name) and any(isinstance(t, keras.KerasTensor) for t in _flat(value))}
    for name, value in kwargs.items():
        if not _is_mask_name(name):
            continue
        source = bound.get(name[: -len("_mask")]) if name != "mask" else (
            next(iter(tensor_args.values())) if len(tensor_args) == 1 else None)
        if source is not None and _carried(value, source):
            implied.add(name)
    return implied


def _is_mask_name(name: str) -> bool:
    return name == "mask" or name.endswith("_mask")


def _flat(value: Any) -> list[Any]:
    return list(keras.tree.flatten(value))


def _carried(mask: Any, source: Any) -> bool:
    """Whether `mask` computes exactly the mask (or lack of one) each tensor of `source` carries."""
    carried = [getattr(t, "_keras_mask", None) for t in _flat(source)]
    recorded = _flat(mask)
    return len(carried) == len(recorded) and all(_same(a, b, _DEPTH) for a, b in zip(carried, recorded))


_DEPTH = 8  # masks are a few operations deep (Masking: any(not_equal(x, value)))


def _same(a: Any, b: Any, depth: int) -> bool:
    """Whether two values are one tensor, or computed by the same operations from the same tensors.

    A model Keras loaded from a file holds the recorded mask and the carried
    mask as two computations of the same value, not as one tensor.
    """
    if a is b:
        return True
    tensors = isinstance(a, keras.KerasTensor), isinstance(b, keras.KerasTensor)
    if not all(tensors):
        return not any(tensors) and _equal(a, b)
    if depth == 0:
        return False
    (op_a, node_a, out_a), (op_b, node_b, out_b) = a._keras_history, b._keras_history
    if isinstance(op_a, keras.layers.Layer) or type(op_a) is not type(op_b) or out_a != out_b:
        return False  # a layer (weights, state) counts only as itself
    if _settings(op_a) != _settings(op_b):
        return False
    call_a, call_b = op_a._inbound_nodes[node_a].arguments, op_b._inbound_nodes[node_b].arguments
    flat_a, flat_b = _flat([call_a.args, call_a.kwargs]), _flat([call_b.args, call_b.kwargs])
    return len(flat_a) == len(flat_b) and all(_same(x, y, depth - 1) for x, y in zip(flat_a, flat_b))


def _settings(operation: Any) -> dict[str, Any]:
    return {k: v for k, v in operation.get_config().items() if k != "name"}


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(np.all(np.asarray(a) == np.asarray(b)))
    except (TypeError, ValueError):
        return False
