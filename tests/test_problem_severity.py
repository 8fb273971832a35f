"""Which problems mean "not finished yet" and which are errors, and that the command line still fails on both."""

import json

import pytest

from netbuilder.cli import main
from netbuilder.graph import Edge, Graph, Node, validate
from netbuilder.graph.validation import ERROR, INCOMPLETE, Problem

RANGES = {"Input": (0, 0), "Dense": (1, 1), "Add": (2, None), "Concatenate": (2, 4)}


def build(nodes, edges=()):
    graph = Graph()
    for nid, layer in nodes:
        graph.add_node(Node(nid, layer))
    for edge in edges:
        graph.add_edge(edge if isinstance(edge, Edge) else Edge(*edge))
    return graph


def severities(graph):
    return [(p.node_id, p.severity) for p in validate(graph, lambda node: RANGES.get(node.layer))]


@pytest.mark.parametrize("nodes, edges, expected", [
    ([], [], [(None, INCOMPLETE)]),  # an empty graph
    ([("h", "Dense")], [], [(None, INCOMPLETE), ("h", INCOMPLETE)]),  # no Input yet, a layer not wired yet
    ([("x", "Input")], [], [("x", INCOMPLETE)]),  # an Input not connected yet
    ([("x", "Input"), ("add", "Add")], [("x", "add")], [("add", INCOMPLETE)]),  # a merge with a free input
    ([("x", "Input"), ("y", "Input"), ("cat", "Concatenate")], [("x", "cat"), Edge("y", "cat", target_port=2)],
     [("cat", INCOMPLETE)]),  # a gap between a merge's inputs
], ids=["empty", "no-input", "lonely-input", "merge-half-wired", "merge-gap"])
def test_what_is_only_unfinished(nodes, edges, expected):
    assert severities(build(nodes, edges)) == expected


@pytest.mark.parametrize("nodes, edges, bad", [
    ([("x", "Input"), ("a", "Add"), ("b", "Dense")], [("x", "a"), ("a", "b"), Edge("b", "a", target_port=1)], "a"),
    ([("x", "Input"), ("y", "Input"), ("h", "Dense")], [("x", "h"), ("y", "h")], "h"),  # one port, two wires
    ([("x", "Input"), ("h", "Dense")], [("x", "h"), ("h", "x")], "x"),  # an Input fed by a wire
    ([("x", "Input"), ("h", "Dense")], [("x", "h"), ("x", "gone")], "x"),  # a wire to a node that is not there
], ids=["cycle", "port-twice", "input-fed", "dangling"])
def test_what_is_an_error(nodes, edges, bad):
    assert (bad, ERROR) in severities(build(nodes, edges))


def test_severity_grades_a_problem_without_making_another_one():
    assert Problem("h", "has no inputs", "Dense", severity=INCOMPLETE) == Problem("h", "has no inputs", "Dense")
    assert not Problem("h", "x", severity=INCOMPLETE).is_error and Problem("h", "x").is_error


def test_validate_still_fails_an_unfinished_project_with_its_lines_as_before(tmp_path, capsys):
    path = tmp_path / "unfinished.nbproj"
    path.write_text(json.dumps({"format": "netbuilder", "version": 1, "name": "u", "graph": {
        "nodes": [{"id": "x", "layer": "Input", "config": {"shape": [4]}}, {"id": "h", "layer": "Dense",
                                                                         "config": {"units": 2}}],
        "edges": []}}))
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}: Input 'x': is not connected to anything" in err
    assert f"{path}: Dense 'h': has no inputs; it needs 1 input" in err
