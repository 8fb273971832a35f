"""Automatic layered layout: where each node goes when a model is imported or tidied.

A small Sugiyama-style layout, standard library only: nodes are put in layers
by longest path from the inputs (data flows top to bottom), long edges get
invisible waypoints so they take part in ordering, a few barycentre sweeps
reduce wire crossings, and each layer is centred under its parents without
overlaps, long wires kept straight so they pass beside cards, not over them.
It is deterministic, so laying out twice gives the same picture, and it takes
time roughly linear in the graph's size (10,000 layers in a fraction of a second).
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
# How much more a waypoint weighs than a node in placement: enough to keep long
# wires nearly straight, while the cards beside them make way.
WAYPOINT_WEIGHT = 8.0


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
    """Wire crossings between each pair of adjacent rows (waypoints included).

    Two wires cross when their tops are ordered one way and their bottoms the
    other (wires sharing an end never cross). Counted as inversions with a
    Fenwick tree over the lower row, so a row 10,000 wide costs milliseconds,
    not the seconds a comparison of every pair would.
    """
    total = 0
    for upper, lower in zip(rows, rows[1:]):
        below = {k: i for i, k in enumerate(lower)}
        tree = [0] * (len(lower) + 1)  # tree[i]: wires so far ending at bottoms in a range below i
        seen = 0
        for key in upper:
            bottoms = [below[t] + 1 for t in down.get(key, ()) if t in below]
            for bottom in bottoms:  # earlier wires (tops further left) ending right of this one
                i, at_or_left = bottom, 0
                while i:
                    at_or_left += tree[i]
                    i &= i - 1
                total += seen - at_or_left
            for bottom in bottoms:  # added after counting: wires of one top never cross each other
                i = bottom
                while i < len(tree):
                    tree[i] += 1
                    i += i & -i
            seen += len(bottoms)
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
    """x for each item: under the mean of its parents, a column apart, long wires kept straight.

    The canvas draws a wire as one curve from end to end, not through its
    waypoints, so a long wire (a skip connection) only clears the cards beside
    it if its waypoints, and its ends, stand in one line: waypoints therefore
    weigh more, both where they sit and in pulling the wire's target under them.
    """
    xs: dict[Key, float] = {}
    for row in rows:
        wanted, weights = [], []
        for i, key in enumerate(row):
            parents = [p for p in up.get(key, ()) if p in xs]
            pull = [_weight(p) for p in parents]
            wanted.append(sum(xs[p] * w for p, w in zip(parents, pull)) / sum(pull) if parents
                          else (i - (len(row) - 1) / 2) * column)
            weights.append(_weight(key))
        for key, x in zip(row, _spread(wanted, weights, column)):
            xs[key] = x
    return xs


def _weight(key: Key) -> float:
    return WAYPOINT_WEIGHT if isinstance(key, tuple) else 1.0


def _spread(wanted: list[float], weights: list[float], gap: float) -> list[float]:
    """The positions, in order and at least `gap` apart, nearest to `wanted` (weighted least squares).

    Pool-adjacent-violators on x_i - i·gap, which must not decrease: items
    that would overlap are pooled and the pool centred on what they wanted
    (weighted), so a row neither drifts nor overlaps, in linear time.
    """
    pools: list[list[float]] = []  # [weighted sum of x_i - i·gap, total weight, items]
    for i, (x, w) in enumerate(zip(wanted, weights)):
        pools.append([(x - i * gap) * w, w, 1])
        while len(pools) > 1 and pools[-2][0] / pools[-2][1] > pools[-1][0] / pools[-1][1]:
            total, weight, count = pools.pop()
            pools[-1][0] += total
            pools[-1][1] += weight
            pools[-1][2] += count
    placed: list[float] = []
    for total, weight, count in pools:
        for _ in range(int(count)):
            placed.append(total / weight + len(placed) * gap)
    return placed
