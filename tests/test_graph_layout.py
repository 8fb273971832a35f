"""The automatic layered layout: downward edges, no overlaps, fewer crossings, undo-able."""

import importlib.util
import random

import pytest

from netbuilder.graph import Edge, Graph, Node, UndoStack, project_file
from netbuilder.graph.layout import (
    Spacing,
    _layers,
    _reduce_crossings,
    _with_waypoints,
    crossings,
    layered_positions,
    layout_command,
)

from helpers import EXAMPLES, REPO


def make(nodes, edges):
    graph = Graph()
    for nid in nodes:
        graph.add_node(Node(nid, "Input" if nid.startswith("in") else "Dense"))
    for source, target in edges:
        graph.add_edge(Edge(source, target))
    return graph


def random_dag(seed, size=300):
    rng = random.Random(seed)
    ids = [f"in{i}" for i in range(3)] + [f"n{i}" for i in range(size)]
    edges = set()
    for i, nid in enumerate(ids[3:], start=3):
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            edges.add((ids[rng.randrange(max(0, i - 40), i)], nid))
    return make(ids, sorted(edges))


def crossings_between_nodes(graph, positions):
    """Pairs of one-row edges whose ends swap sides (enough for small graphs)."""
    count = 0
    edges = graph.edges
    for i, a in enumerate(edges):
        for b in edges[i + 1:]:
            ya, yb = positions[a.source][1], positions[b.source][1]
            if ya != yb or positions[a.target][1] != positions[b.target][1]:
                continue
            dx_top = positions[a.source][0] - positions[b.source][0]
            dx_bottom = positions[a.target][0] - positions[b.target][0]
            count += dx_top * dx_bottom < 0
    return count


def assert_well_formed(graph, positions, spacing=Spacing()):
    assert set(positions) == {n.id for n in graph.nodes}
    for e in graph.edges:
        assert positions[e.target][1] > positions[e.source][1], e
    rows = {}
    for nid, (x, y) in positions.items():
        rows.setdefault(y, []).append(x)
    for xs in rows.values():
        xs.sort()
        assert all(b - a >= spacing.column - 1e-6 for a, b in zip(xs, xs[1:]))


def test_every_bundled_example_lays_out_top_to_bottom():
    for path in EXAMPLES.glob("*.nbproj"):
        project = project_file.load(path)
        for graph in [project.graph, *project.submodels.values()]:
            assert_well_formed(graph, layered_positions(graph))


def test_random_graphs_have_downward_edges_and_no_overlaps():
    for seed in range(5):
        graph = random_dag(seed)
        assert_well_formed(graph, layered_positions(graph))


def test_layout_is_deterministic():
    graph = random_dag(7)
    assert layered_positions(graph) == layered_positions(graph)


def test_barycentre_sweeps_remove_avoidable_crossings():
    # Document order puts x before y, but a feeds y and b feeds x: untangled, no crossing.
    graph = make(["in_a", "in_b", "x", "y"], [("in_a", "y"), ("in_b", "x")])
    positions = layered_positions(graph)
    assert crossings_between_nodes(graph, positions) == 0
    assert positions["y"][0] < positions["x"][0]


def test_sweeps_reduce_crossings_on_a_big_graph():
    graph = random_dag(3, size=400)
    ids = [n.id for n in graph.nodes]
    rows, up, down = _with_waypoints(graph, ids, _layers(graph, ids))
    before = crossings(rows, down)
    _reduce_crossings(rows, up, down)
    after = crossings(rows, down)
    assert after < before * 0.8, (before, after)


def test_crossing_count():
    rows = [["a", "b"], ["x", "y"]]
    assert crossings(rows, {"a": ["y"], "b": ["x"]}) == 1
    assert crossings(rows, {"a": ["x"], "b": ["y"]}) == 0


def test_a_cycle_still_gets_positions():
    graph = make(["in0", "a", "b"], [("in0", "a"), ("a", "b"), ("b", "a")])
    positions = layered_positions(graph)
    assert set(positions) == {"in0", "a", "b"}


def test_empty_graph():
    assert layered_positions(Graph()) == {}


def test_layout_command_is_one_undo_step():
    graph = random_dag(1, size=50)
    before = graph.to_dict()
    stack = UndoStack()
    stack.push(layout_command(graph))
    assert all(n.position is not None for n in graph.nodes)
    assert stack.undo_text == "Arrange automatically"
    stack.undo()
    assert graph.to_dict() == before


def big_graphs():
    spec = importlib.util.spec_from_file_location("big_graphs", REPO / "bench" / "big_graphs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_fast_crossing_count_equals_comparing_every_pair():
    rng = random.Random(5)
    for _ in range(200):
        rows = [[f"r{r}c{c}" for c in range(rng.randint(1, 7))] for r in range(2)]
        down = {k: rng.sample(rows[1], rng.randint(0, len(rows[1]))) for k in rows[0]}
        segments = [(i, rows[1].index(t)) for i, k in enumerate(rows[0]) for t in down[k]]
        pairs = sum(a[0] < b[0] and a[1] > b[1] for a in segments for b in segments)
        assert crossings(rows, down) == pairs


def test_big_graphs_of_every_shape_lay_out_well_formed():
    shapes = big_graphs()
    for shape in shapes.SHAPES:
        graph = project_file.from_dict(shapes.big_project(shape, 600, positioned=False)).graph
        assert_well_formed(graph, layered_positions(graph))


def test_a_skip_wire_runs_straight_down_its_own_column_clear_of_the_block_beside_it():
    # The canvas draws a wire as one curve from end to end (cards 190 wide, ports on
    # their centre line): a skip wire clears its block only if its ends stand in one
    # line and the block's cards leave room beside it for the wire's shape label.
    card, label = 190.0, 70.0
    graph = project_file.from_dict(big_graphs().big_project("residual", 31, positioned=False)).graph
    positions = layered_positions(graph)
    for edge in graph.edges:
        (xs, ys), (xt, yt) = positions[edge.source], positions[edge.target]
        if yt - ys <= Spacing().row:
            continue
        assert xs == pytest.approx(xt), edge
        wire = xs + card / 2
        beside = [x for nid, (x, y) in positions.items() if ys < y < yt]
        assert beside and all(abs(x + card / 2 - wire) >= card / 2 + label / 2 for x in beside), edge
