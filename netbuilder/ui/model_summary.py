"""The rows and totals of Keras' `model.summary()`, taken from the shape checker's results.

Building a `keras.Model` just to summarise it is slow for big graphs, yet the
checker has already called every layer: its layers know their weights and its
tensors their shapes. This module reads those per node, in the order Keras
would list them, and does the arithmetic Keras does for its footer (each
weight counted once, 4 bytes per parameter). It never imports Keras: it only
asks the layer objects it is handed, so it can live in the UI package.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from netbuilder.graph import INPUT_LAYER, SUBMODEL_LAYER, Graph, Node
from netbuilder.ui.canvas.node_text import fmt_shape

SHARED = "shared"
UNKNOWN = "?"
_BYTES_PER_PARAM = 4
_SIZE_UNITS = ("B", "KB", "MB", "GB", "TB", "PB")


@dataclass(frozen=True)
class SummaryRow:
    """One line of the summary table; `params` is None when the count is not known."""

    node_id: str
    name: str
    layer: str
    shapes: str
    params: int | None
    shared: bool
    connected_to: str

    @property
    def params_text(self) -> str:
        if self.shared:
            return SHARED
        return UNKNOWN if self.params is None else f"{self.params:,}"

    def cells(self) -> tuple[str, str, str, str, str]:
        return (self.name, self.layer, self.shapes, self.params_text, self.connected_to)


@dataclass(frozen=True)
class Totals:
    """The footer of the summary: parameters by kind."""

    trainable: int = 0
    non_trainable: int = 0

    @property
    def total(self) -> int:
        return self.trainable + self.non_trainable

    def text(self) -> str:
        return (f"Total params: {self.total:,} ({readable_size(self.total * _BYTES_PER_PARAM)})"
                f" · Trainable: {self.trainable:,} · Non-trainable: {self.non_trainable:,}")


def readable_size(size: float) -> str:
    """Bytes as Keras' summary prints them: "1.29 KB"."""
    for unit in _SIZE_UNITS[:-1]:
        if size < 1024:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} {_SIZE_UNITS[-1]}"


def layer_type(node: Node) -> str:
    """The layer class, the sub-model it calls, and the node id when the name hides it."""
    kind = node.layer
    if node.layer == SUBMODEL_LAYER:
        kind = f"{SUBMODEL_LAYER} {node.config.get('submodel', UNKNOWN)}"
    return kind if node.name == node.id else f"{kind} · {node.id}"


def shapes_text(shapes: Sequence[Sequence[Any]] | None) -> str:
    return UNKNOWN if shapes is None else ", ".join(fmt_shape(s) for s in shapes)


def connected_to(graph: Graph, node: Node) -> str:
    """The source layers in input order, with the output index when it is not the first."""
    parts = []
    for edge in graph.incoming(node.id):
        source = graph.get(edge.source)
        name = source.name if source is not None else edge.source
        parts.append(f"{name}[{edge.source_port}]" if edge.source_port else name)
    return ", ".join(parts)


def _param_count(node: Node, layer: Any) -> int | None:
    if node.layer == INPUT_LAYER:
        return 0
    if layer is None or not getattr(layer, "built", False):
        return None
    return int(layer.count_params())


def summary_rows(graph: Graph, shapes_of: Callable[[str], Sequence[Sequence[Any]] | None],
                 layer_of: Callable[[str], Any]) -> tuple[list[SummaryRow], Totals]:
    """One row per node in topological order (document order if there is a cycle), and the totals.

    A node whose layer an earlier row already listed (it `shares` weights, or
    calls the same sub-model again) shows "shared": Keras counts those weights once.
    """
    order = graph.topological_order() or [n.id for n in graph.nodes]
    rows: list[SummaryRow] = []
    layers: list[Any] = []
    seen: set[int] = set()
    for nid in order:
        node = graph.node(nid)
        layer = layer_of(nid)
        shared = bool(node.extra.get("shares")) or (layer is not None and id(layer) in seen)
        if layer is not None and id(layer) not in seen:
            seen.add(id(layer))
            layers.append(layer)
        rows.append(SummaryRow(
            node_id=nid,
            name=node.name,
            layer=layer_type(node),
            shapes=shapes_text(shapes_of(nid)),
            params=0 if shared else _param_count(node, layer),
            shared=shared,
            connected_to=connected_to(graph, node),
        ))
    return rows, totals_of(layers)


def totals_of(layers: Iterable[Any]) -> Totals:
    """Trainable and frozen parameters of `layers`, each weight counted once as Keras does."""
    counted: set[int] = set()

    def size(weights: Iterable[Any]) -> int:
        total = 0
        for weight in weights:
            if id(weight) not in counted:
                counted.add(id(weight))
                total += math.prod(weight.shape)
        return total

    built = [layer for layer in layers if getattr(layer, "built", False)]
    trainable = sum(size(layer.trainable_weights) for layer in built)
    return Totals(trainable, sum(size(layer.non_trainable_weights) for layer in built))
