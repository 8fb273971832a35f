"""A layer call's FLOPs and MACs as TensorFlow's profiler counts them, by tracing that call alone.

The fallback of `layer_cost` for layers `cost_formulas` has no formula for
(attention, recurrent, normalisation variants, custom layers): the call is
traced for batch 1 into a `tf.function` graph and the registered "flops"
statistics of its ops are summed, exactly as
`tf.compat.v1.profiler.profile(graph, options=ProfileOptionBuilder.float_operation())`
does (`tensorflow.python.framework.ops.get_stats_for_node_def`; an op without
a statistic, such as Relu, Sigmoid or ConcatV2, counts 0). One difference, on
purpose: where Keras runs part of a layer as a nested function (a grouped
convolution is an XLA-compiled `StatefulPartitionedCall`), the profiler sees
one call op with no statistic and counts 0, while this walk goes into the
function and counts its ops, so a grouped convolution costs what it computes.
MACs are the FLOPs of the matrix products and convolutions halved (the
profiler counts a multiply-accumulate as 2 FLOPs).

Where else the whole-model profiler and these per-layer counts can differ:
the profiler skips every op whose shapes the graph does not know statically,
so in a model whose text goes through `TextVectorization` (its output length
is lost in the string ops) it counts nothing downstream, while each layer
here is traced at the shapes Keras infers. Ops with no registered statistic
count 0 on both sides: Relu, Relu6, Sigmoid, Tanh, Elu, LeakyRelu, Erfc,
Max (global max pooling), MaxPool3D/AvgPool3D, Conv3DBackpropInputV2
(Conv3DTranspose), resizing, gathers (Embedding's lookup), casts and copies.

Tracing costs tens of milliseconds, so results are cached by what decides
them: the layer's class, its config without its name, and the input shapes.
"""

from __future__ import annotations

import json
from typing import Any

import keras
import tensorflow as tf
from tensorflow.python.framework import ops as tf_ops

# Ops whose FLOPs are multiply-accumulates (2 FLOPs each in the profiler's registry).
MAC_OPS = frozenset({
    "MatMul", "BatchMatMul", "BatchMatMulV2", "BatchMatMulV3", "Conv2D", "Conv3D", "DepthwiseConv2dNative",
    "Conv2DBackpropInput",
})
_CALL_OPS = frozenset({"StatefulPartitionedCall", "PartitionedCall"})

_cache: dict[str, tuple[int, int]] = {}


def graph_flops(graph: Any) -> tuple[int, int]:
    """(FLOPs, MACs) of every op of `graph` and of the functions it calls, by the profiler's registry."""
    flops = macs = 0
    for op in graph.get_operations():
        if op.type in _CALL_OPS:
            inner = graph._get_function(op.get_attr("f").name)
            if inner is not None:
                sub_flops, sub_macs = graph_flops(inner.graph)
                flops, macs = flops + sub_flops, macs + sub_macs
            continue
        try:
            stats = tf_ops.get_stats_for_node_def(graph, op.node_def, "flops")
        except ValueError:  # a shape the graph does not know: the profiler skips the op too
            continue
        value = int(stats.value) if stats is not None and stats.value else 0
        flops += value
        if op.type in MAC_OPS:
            macs += value // 2
    return flops, macs


def traced_cost(call: Any) -> tuple[int, int]:
    """(FLOPs, MACs) per sample of one Keras call (a `keras` Node: operation and symbolic arguments).

    Unknown dimensions other than the batch are taken as 1: a sequence of
    unknown length is costed per step.
    """
    operation = call.operation
    tensors = call.arguments.keras_tensors
    shapes = [_sample_shape(t.shape) for t in tensors]
    options = {k: v for k, v in call.arguments.kwargs.items() if not isinstance(v, keras.KerasTensor)}
    key = _cache_key(operation, (shapes, [str(t.dtype) for t in tensors], options))
    known = _cache.get(key) if key is not None else None
    if known is not None:
        return known
    specs = [tf.TensorSpec(shape, t.dtype) for shape, t in zip(shapes, tensors)]

    def run(*values: Any) -> Any:
        args, kwargs = call.arguments.fill_in({id(t): v for t, v in zip(tensors, values)})
        return operation(*args, **kwargs)

    graph = tf.function(run, autograph=False).get_concrete_function(*specs).graph
    cost = graph_flops(graph)
    if key is not None:
        _cache[key] = cost
    return cost


def _sample_shape(shape: tuple[Any, ...]) -> tuple[int, ...]:
    return tuple(1 if d is None else int(d) for d in shape)


def _cache_key(operation: Any, inputs: tuple[Any, ...]) -> str | None:
    """What decides a call's cost: class, config without the name, the inputs (shapes, dtypes, call options).

    None where the config cannot be read.
    """
    get_config = getattr(operation, "get_config", None)
    try:
        config = dict(get_config()) if get_config is not None else {}
        config.pop("name", None)
        text = json.dumps(config, sort_keys=True, default=repr)
    except Exception:  # a custom layer whose config cannot be read: traced each time
        return None
    cls = type(operation)
    return f"{cls.__module__}.{cls.__qualname__}|{text}|{inputs!r}"
