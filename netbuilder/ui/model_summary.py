"""The rows and totals of Keras' `model.summary()`, taken from the shape checker's results.

Building a `keras.Model` just to summarise it is slow for big graphs, yet the
checker has already called every layer: its layers know their weights and its
tensors their shapes. This module says what a node's row shows and does the
arithmetic Keras does for its footer (each weight counted once, 4 bytes per
parameter); `summary_table` keeps the rows in Keras' order as the graph is
edited. It never imports Keras: it only asks the layer objects it is handed,
so it can live in the UI package.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
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


def param_count(node: Node, layer: Any) -> int | None:
    """What the row of `node` shows under Param # (None: not known, its layer is not built)."""
    if node.layer == INPUT_LAYER:
        return 0
    if layer is None or not getattr(layer, "built", False):
        return None
    return int(layer.count_params())


class ParamTally:
    """The totals, kept current one node at a time: each weight counted once, however many nodes use it.

    Summing every layer's weights again after each edit costs a Keras property
    call per layer (tens of milliseconds at 10,000 layers); here a node's
    weights are added when its layer changes and taken away when it goes. The
    weights themselves are held, not just their ids, so an id stays unique
    while it is counted.
    """

    def __init__(self) -> None:
        self._of: dict[str, list[Any]] = {}  # node id -> the weights of its layer
        self._users: Counter[int] = Counter()  # weight id -> nodes whose layer has it
        self._counted: dict[int, tuple[int, bool]] = {}  # weight id -> (size, trainable) as added
        self._sums = {True: 0, False: 0}  # trainable, frozen

    def set(self, node_id: str, layer: Any) -> None:
        """`node_id` now calls `layer` (None: no layer); an unbuilt layer has no weights yet."""
        self.remove(node_id)
        if layer is None or not getattr(layer, "built", False):
            return
        trainable = list(layer.trainable_weights)
        weights = [*trainable, *layer.non_trainable_weights]
        self._of[node_id] = weights
        trainable_ids = {id(w) for w in trainable}
        for weight in weights:
            key = id(weight)
            self._users[key] += 1
            if key not in self._counted:
                size = math.prod(weight.shape)
                self._counted[key] = (size, key in trainable_ids)
                self._sums[key in trainable_ids] += size

    def remove(self, node_id: str) -> None:
        for weight in self._of.pop(node_id, ()):
            key = id(weight)
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key]
                size, trainable = self._counted.pop(key)
                self._sums[trainable] -= size

    def totals(self) -> Totals:
        return Totals(self._sums[True], self._sums[False])
