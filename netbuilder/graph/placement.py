"""Where copies go: beside the originals, on a free spot that covers no other card.

A pasted or duplicated card dropped on top of another hides that card's ports,
and the user can no longer wire either of them. Placement therefore starts just
right of the copied nodes' bounding box and moves further right until no copy
(with a little clearance for the ports sticking out) overlaps a card already in
the graph. The graph knows no pixels: the editor says how big each card is.
"""

from __future__ import annotations

from typing import Callable, Iterable

from netbuilder.graph.model import Graph, Node

Footprint = Callable[[Node], tuple[float, float]]  # (width, height) of a node's card
CARD = (190.0, 66.0)  # a plain card on the canvas, for callers without a view
GAP = 40.0  # between the originals and their copies
CLEARANCE = 16.0  # around every card: its ports stick out above and below it

Rect = tuple[float, float, float, float]  # left, top, right, bottom


def card_size(node: Node) -> tuple[float, float]:
    """The default footprint: every card the size of a plain one."""
    return CARD


def _rect(node: Node, footprint: Footprint, dx: float = 0.0, dy: float = 0.0) -> Rect:
    assert node.position is not None
    width, height = footprint(node)
    x, y = node.position[0] + dx, node.position[1] + dy
    return (x, y, x + width, y + height)


def bounding_box(nodes: Iterable[Node], footprint: Footprint = card_size) -> Rect | None:
    """The box around the placed nodes' cards; None when none of them has a position."""
    rects = [_rect(n, footprint) for n in nodes if n.position is not None]
    if not rects:
        return None
    return (min(r[0] for r in rects), min(r[1] for r in rects), max(r[2] for r in rects), max(r[3] for r in rects))


def _overlap(a: Rect, b: Rect, margin: float) -> bool:
    return a[0] - margin < b[2] and b[0] - margin < a[2] and a[1] - margin < b[3] and b[1] - margin < a[3]


def free_offset(graph: Graph, nodes: Iterable[Node], start: tuple[float, float],
                footprint: Footprint = card_size) -> tuple[float, float]:
    """The offset, `start` or further right, at which no card of `nodes` covers a card of `graph`.

    `nodes` are the cards to be added (at their own positions plus the offset);
    nodes without a position are left for the automatic layout and ignored.
    """
    moving = [n for n in nodes if n.position is not None]
    taken = [_rect(n, footprint) for n in graph.nodes if n.position is not None]
    dx, dy = start
    while True:
        # Each round jumps every colliding copy past the card it hits, so dx only
        # grows and the loop ends once the copies are right of every card.
        needed = [
            blocker[2] + GAP - node.position[0]  # type: ignore[index]
            for node in moving
            for blocker in taken
            if _overlap(_rect(node, footprint, dx, dy), blocker, CLEARANCE)
        ]
        if not needed:
            return dx, dy
        dx = max(needed)


def beside_offset(graph: Graph, nodes: Iterable[Node], footprint: Footprint = card_size) -> tuple[float, float]:
    """The offset that puts copies of `nodes` right of their bounding box, on the first free spot."""
    nodes = list(nodes)
    box = bounding_box(nodes, footprint)
    start = (0.0, 0.0) if box is None else (box[2] - box[0] + GAP, 0.0)
    return free_offset(graph, nodes, start, footprint)
