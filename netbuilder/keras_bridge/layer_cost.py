"""What each layer of a model costs: parameters, weight bytes, MACs, FLOPs and activation bytes, and the totals.

Computed from the graph, without training or running the model: parameters
from the built layers, MACs and FLOPs per sample from `cost_formulas` (the
common layers, microseconds each) or else by tracing the call alone
(`cost_trace`), activation bytes from the output shapes. FLOPs are counted as
TensorFlow's profiler counts them (a multiply-accumulate is 2 FLOPs; ops with
no registered statistic, such as Relu, count 0), so totals agree with
`tf.compat.v1.profiler` on the same model traced for batch 1.

Figures for a batch are the per-sample ones times the batch size (the few
per-channel ops of BatchNormalization, which TensorFlow runs once per batch,
are thereby counted per sample: a slight over-count for batches). The dtype
decides the bytes: float32 (4 per weight and per activation), mixed_float16
(weights stay float32 variables, activations are float16) and int8 (1 byte
each, as a fully quantised model stores them). Sub-models are costed by their
own layers, named `outer/inner`; a layer called twice (shared weights, a
sub-model used twice) counts its parameters once and its computation per call.

`Analysis` keeps each layer's cost keyed by its node id, config and input
shapes, so analysing again after an edit recomputes only what the edit
changed: the editor can keep costs current as the user draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

import keras

from netbuilder.keras_bridge.cost_formulas import Shape, formula_cost, size
from netbuilder.keras_bridge.cost_trace import traced_cost

# Bytes per weight and per activation value, by the dtype the model runs in.
DTYPE_BYTES = {"float32": (4, 4), "mixed_float16": (4, 2), "int8": (1, 1)}


@dataclass(frozen=True)
class LayerCost:
    """One layer call's cost for one sample in float32 (`table` scales it to a batch and dtype)."""

    name: str
    cls: str
    output_shapes: tuple[tuple[int | None, ...], ...] = ()
    params: int = 0
    trainable_params: int = 0
    macs: int = 0
    flops: int = 0
    activations: int = 0  # output values per sample
    note: str = ""  # what the figures leave out, for the user to read

    def scaled(self, batch_size: int, dtype: str) -> CostRow:
        weight, activation = DTYPE_BYTES[dtype]
        return CostRow(self.name, self.cls, self.output_shapes, self.params, self.trainable_params,
                       self.macs * batch_size, self.flops * batch_size, self.params * weight,
                       self.activations * activation * batch_size)


@dataclass(frozen=True)
class CostRow:
    """One row of the cost table, for a batch size and dtype (what `netbuilder analyze` prints)."""

    name: str
    cls: str
    output_shapes: tuple[tuple[int | None, ...], ...]
    params: int
    trainable_params: int
    macs: int
    flops: int
    weight_bytes: int
    activation_bytes: int

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "class": self.cls, **{k: getattr(self, k) for k in NUMBERS}}


NUMBERS = ("params", "trainable_params", "macs", "flops", "weight_bytes", "activation_bytes")


@dataclass(frozen=True)
class CostTable:
    """Every layer's row and the totals."""

    rows: list[CostRow]
    total: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"layers": [row.as_json() for row in self.rows], "total": dict(self.total)}


def table(costs: list[LayerCost], batch_size: int = 1, dtype: str = "float32") -> CostTable:
    """The rows for `batch_size` samples in `dtype`, and their sums."""
    rows = [cost.scaled(batch_size, dtype) for cost in costs]
    return CostTable(rows, {k: sum(getattr(row, k) for row in rows) for k in NUMBERS})


class Analysis:
    """Per-layer costs, kept between analyses so that unchanged layers are not costed again.

    A layer's cost is reused while its name (node id), its config and its
    input shapes stay the same. A call the checker did not redo (the same
    Keras call node, with an equal config; an edit replaces a node's
    config, see `Graph.set_config`) is reused without looking at its shapes, so
    only the edited node and those downstream of it are looked at.
    """

    def __init__(self) -> None:
        self._known: dict[str, tuple[Any, tuple[Any, ...], LayerCost]] = {}
        self._used: set[str] = set()  # the slots met by the analysis under way

    def of_model(self, model: Any) -> list[LayerCost]:
        """Every layer call of a built `keras.Model`, in call order; nested models by their layers."""
        seen: dict[int, int] = {}
        return self._forget_the_rest(list(self._model_calls(model, "", seen)))

    def of_calls(self, calls: list[tuple[str, Any, Any]]) -> list[LayerCost]:
        """The costs of `calls`: (node id, Keras call node, what the node's layer was made from), in order."""
        seen: dict[int, int] = {}
        costs = [cost for name, call, config in calls for cost in self._call(name, call, config, seen)]
        return self._forget_the_rest(costs)

    def _forget_the_rest(self, costs: list[LayerCost]) -> list[LayerCost]:
        """Drop the entries of layers this analysis did not meet (deleted nodes): they hold Keras tensors."""
        for slot in self._known.keys() - self._used:
            del self._known[slot]
        self._used = set()
        return costs

    def _model_calls(self, model: Any, prefix: str, seen: dict[int, int]) -> Iterator[LayerCost]:
        # Keras has no public list of a functional model's calls; its own `call` walks this one.
        for depth in sorted(model._nodes_by_depth, reverse=True):
            for call in model._nodes_by_depth[depth]:
                if call.operation is None or (prefix and call.is_input):
                    continue  # a nested model's inputs are its caller's tensors, costed there
                yield from self._call(prefix + call.operation.name, call, call.operation, seen)

    def _call(self, name: str, call: Any, config: Any, seen: dict[int, int]) -> Iterator[LayerCost]:
        layer = call.operation
        if isinstance(layer, keras.Model) and hasattr(layer, "_nodes_by_depth"):
            yield from self._model_calls(layer, f"{name}/", seen)
            return
        calls_before = seen.get(id(layer), 0)
        seen[id(layer)] = calls_before + 1
        # A shared layer's later calls have their own entries (and no parameters of their own).
        slot = name if not calls_before else f"{name}#{calls_before}"
        self._used.add(slot)
        known = self._known.get(slot)
        if known is not None and known[0] is call and known[1][1] == config:
            yield known[2]  # the very same call (layer and input tensors) as last time: nothing to compare
            return
        key = (type(layer), config, tuple(tuple(t.shape) for t in call.input_tensors), calls_before == 0)
        if known is not None and known[1] == key:
            cost = known[2]
        else:
            cost = layer_cost(name, call, with_params=calls_before == 0)
        self._known[slot] = (call, key, cost)  # the call is kept so that its identity stays its own
        yield cost


def layer_cost(name: str, call: Any, with_params: bool = True) -> LayerCost:
    """The cost of one Keras call (a `keras` Node) named `name`; `with_params` False for a shared layer's later calls."""
    layer = call.operation
    ins = [_sample(t.shape) for t in call.input_tensors]
    outs = [tuple(t.shape) for t in call.output_tensors]
    # Formulas are for layers: a `keras.ops` operation (an Operation node) may share a layer's class name.
    counts = formula_cost(layer, ins, [_sample(s) for s in outs]) if isinstance(layer, keras.Layer) else None
    note = ""
    if counts is None:
        try:
            counts = traced_cost(call)
        except Exception as exc:  # a layer TensorFlow cannot trace on its own: say so, count nothing
            counts, note = (0, 0), f"its FLOPs could not be counted ({type(exc).__name__}); counted as 0"
    flops, macs = counts
    params = trainable = 0
    if with_params:
        params = sum(size(tuple(w.shape)) for w in getattr(layer, "weights", ()))
        trainable = sum(size(tuple(w.shape)) for w in getattr(layer, "trainable_weights", ()))
    activations = sum(size(_sample(s)) for s in outs)
    shown = tuple(tuple(s[1:]) for s in outs)
    return LayerCost(name, type(layer).__name__, shown, params, trainable, macs, flops, activations, note)


def _sample(shape: tuple[Any, ...]) -> Shape:
    """One sample's shape: the batch dimension dropped, unknown sizes counted as 1."""
    return tuple(1 if d is None else int(d) for d in shape[1:])
