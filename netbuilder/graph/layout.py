"""Automatic layered layout: where each node goes when a model is imported or tidied.

A small Sugiyama-style layout, standard library only: nodes are put in layers
by longest path from the inputs (data flows top to bottom), long edges get
invisible waypoints so they take part in ordering, a few barycentre sweeps
reduce wire crossings, and each layer is centred under its parents without
overlaps. It is deterministic, so laying out twice gives the same picture.
"""

from __future__ import annotations

from dataclasses import dataclass

from netbuilder.graph.commands import Compound, MoveNode
from netbuilder.graph.model import Graph


@dataclass(frozen=True)
class Spacing:
    """Canvas units between node centres (the canvas draws nodes about 180×60)."""

    column: float = 220.0
    row: float = 110.0


SWEEPS = 6


def layered_positions(graph: Graph, spacing: Spacing = Spacing()) -> dict[str, tuple[float, float]]:
    """A position for every node; edges point downward whenever the graph has no cycle."""
    ids = [n.id for n in graph.nodes]
    if not ids:
        return {}
    layer_of = _layers(graph, ids)
    rows, up, down = _with_waypoints(graph, ids, layer_of)
    _reduce_crossings(rows, up, down)
    xs = _place(rows, up, spacing.column)
    return {nid: (xs[nid], layer_of[nid] * spacing.row) for nid in ids}


def layout_command(graph: Graph, spacing: Spacing = Spacing()) -> Compound:
    """The layout as one undo-able step (only nodes that actually move are touched)."""
    moves = [
        MoveNode(graph, nid, pos)
        for nid, pos in layered_positions(graph, spacing).items()
        if graph.node(nid).position != pos
    ]
    return Compound("Arrange automatically", list(moves))


def _layers(graph: Graph, ids: list[str]) -> dict[str, int]:
    """Longest path from a source; with a cycle, document order stands in for topology."""
    order = graph.topological_order() or ids
    rank = {nid: i for i, nid in enumerate(order)}
    layer = {nid: 0 for nid in ids}
    for nid in order:
        for e in graph.outgoing(nid):
            if e.target in layer and rank[e.target] > rank[nid]:
                layer[e.target] = max(layer[e.target], layer[nid] + 1)
    return layer


Key = str | tuple[str, int, int]  # a node id, or a waypoint (edge index, layer)


def _with_waypoints(
    graph: Graph, ids: list[str], layer_of: dict[str, int]
) -> tuple[list[list[Key]], dict[Key, list[Key]], dict[Key, list[Key]]]:
    """Rows of nodes and waypoints, and each item's neighbours in the rows above and below."""
    depth = max(layer_of.values()) + 1
    rows: list[list[Key]] = [[] for _ in range(depth)]
    for nid in ids:
        rows[layer_of[nid]].append(nid)
    up: dict[Key, list[Key]] = {}
    down: dict[Key, list[Key]] = {}
    for index, e in enumerate(graph.edges):
        if e.source not in layer_of or e.target not in layer_of:
            continue
        top, bottom = layer_of[e.source], layer_of[e.target]
        if bottom <= top:
            continue  # part of a cycle: drawn as it is, not ordered
        chain: list[Key] = [e.source]
        for level in range(top + 1, bottom):
            waypoint = ("~", index, level)
            rows[level].append(waypoint)  # type: ignore[arg-type]
            chain.append(waypoint)  # type: ignore[arg-type]
        chain.append(e.target)
        for a, b in zip(chain, chain[1:]):
            down.setdefault(a, []).append(b)
            up.setdefault(b, []).append(a)
    return rows, up, down


def crossings(rows: list[list[Key]], down: dict[Key, list[Key]]) -> int:
    """Wire crossings between each pair of adjacent rows (waypoints included)."""
    total = 0
    for upper, lower in zip(rows, rows[1:]):
        below = {k: i for i, k in enumerate(lower)}
        segments = sorted((i, below[t]) for i, k in enumerate(upper) for t in down.get(k, ()) if t in below)
        # Two segments cross when their tops are ordered one way and bottoms the other.
        for a in range(len(segments)):
            top_a, bottom_a = segments[a]
            for top_b, bottom_b in segments[a + 1:]:
                total += top_b > top_a and bottom_b < bottom_a
    return total


def _reduce_crossings(rows: list[list[Key]], up: dict[Key, list[Key]], down: dict[Key, list[Key]]) -> None:
    """Barycentre sweeps, down then up, keeping the best ordering seen (never worse than the start)."""
    best, best_rows = crossings(rows, down), [list(r) for r in rows]
    for sweep in range(SWEEPS):
        downward = sweep % 2 == 0
        levels = range(1, len(rows)) if downward else range(len(rows) - 2, -1, -1)
        for level in levels:
            ref = rows[level - 1] if downward else rows[level + 1]
            where = {k: i for i, k in enumerate(ref)}
            links = up if downward else down
            current = {k: i for i, k in enumerate(rows[level])}

            def barycentre(key: Key) -> float:
                ns = [where[n] for n in links.get(key, ()) if n in where]
                return sum(ns) / len(ns) if ns else float(current[key])

            rows[level].sort(key=barycentre)
        score = crossings(rows, down)
        if score < best:
            best, best_rows = score, [list(r) for r in rows]
    rows[:] = best_rows


def _place(rows: list[list[Key]], up: dict[Key, list[Key]], column: float) -> dict[Key, float]:
    """x for each item: under the mean of its parents, pushed apart to keep one column."""
    xs: dict[Key, float] = {}
    for row in rows:
        wanted = []
        for i, key in enumerate(row):
            parents = [xs[p] for p in up.get(key, ()) if p in xs]
            wanted.append(sum(parents) / len(parents) if parents else (i - (len(row) - 1) / 2) * column)
        placed: list[float] = []
        for x in wanted:
            placed.append(x if not placed else max(x, placed[-1] + column))
        # Pushing right drifts the row; shift it back so it is centred on what it wanted.
        shift = (sum(wanted) - sum(placed)) / len(placed)
        for key, x in zip(row, placed):
            xs[key] = x + shift
    return xs
