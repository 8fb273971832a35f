"""Structural checks without Keras: the exact sentences a user reads for each problem."""

import pytest

from netbuilder.graph import Edge, Graph, Node, Problem, connection_problem, validate

RANGES = {"Input": (0, 0), "Dense": (1, 1), "Add": (2, None), "Subtract": (2, 2), "Concatenate": (2, 4)}


def input_range(node):
    """Like the catalog's: merge layers take several inputs; unknown layers give None."""
    return RANGES.get(node.layer)


def build(nodes, edges=(), outputs=None):
    graph = Graph()
    for nid, layer in nodes:
        graph.add_node(Node(nid, layer))
    for edge in edges:
        graph.add_edge(edge if isinstance(edge, Edge) else Edge(*edge))
    if outputs is not None:
        graph.set_outputs(outputs)
    return graph


def messages(graph, rng=input_range):
    return [str(p) for p in validate(graph, rng)]


def test_a_valid_graph_has_no_problems():
    graph = build([("x", "Input"), ("h1", "Dense"), ("h2", "Dense"), ("add", "Add"), ("out", "Dense")],
                  [("x", "h1"), ("x", "h2"), ("h1", "add"), Edge("h2", "add", target_port=1), ("add", "out")])
    assert validate(graph, input_range) == []
    assert validate(graph) == []


def test_empty_graph():
    assert messages(Graph()) == ["the graph is empty: add an Input and at least one layer"]
    assert validate(Graph()) == [Problem(None, "the graph is empty: add an Input and at least one layer")]


def test_no_input_and_a_layer_without_inputs():
    graph = build([("h1", "Dense")])
    assert messages(graph) == [
        "the graph has no Input node: add one to feed the model",
        "Dense 'h1': has no inputs; it needs 1 input",
    ]
    assert messages(graph, rng=lambda node: (1, None)) == [
        "the graph has no Input node: add one to feed the model",
        "Dense 'h1': has no inputs; it needs at least 1 input",
    ]


def test_default_input_range_is_none_for_input_and_one_or_more_otherwise():
    graph = build([("x", "Input"), ("a", "Dense"), ("b", "Dense"), ("c", "Dense")],
                  [("x", "c"), ("a", "c", 0, 1), ("b", "c", 0, 2), ("a", "x")])
    assert [str(p) for p in validate(graph)] == [
        "Input 'x': an Input cannot have incoming connections",
        "Dense 'a': has no inputs; it needs at least 1 input",
        "Dense 'b': has no inputs; it needs at least 1 input",
    ]


def test_problem_carries_node_and_layer():
    (problem,) = validate(build([("x", "Input")]), input_range)
    assert (problem.node_id, problem.layer, problem.scope) == ("x", "Input", "")
    assert problem.message == "is not connected to anything"


def test_cycle_names_the_nodes_in_order():
    graph = build([("x", "Input"), ("a", "Add"), ("b", "Dense")],
                  [("x", "a"), ("a", "b"), Edge("b", "a", target_port=1)])
    assert messages(graph) == ["Add 'a': is part of a cycle: a → b → a"]


def test_longer_cycle_and_self_loop():
    graph = build([("x", "Input"), ("a", "Add"), ("b", "Dense"), ("c", "Dense")],
                  [("x", "a"), ("a", "b"), ("b", "c"), Edge("c", "a", target_port=1)])
    assert messages(graph) == ["Add 'a': is part of a cycle: a → b → c → a"]
    loop = build([("x", "Input"), ("a", "Add")], [("x", "a"), Edge("a", "a", target_port=1)])
    assert messages(loop) == ["Add 'a': is part of a cycle: a → a"]


def test_edges_to_missing_nodes_name_the_node_that_exists():
    graph = build([("x", "Input"), ("h", "Dense")], [("x", "ghost"), ("phantom", "h")])
    assert messages(graph) == [
        "Input 'x': connected to node 'ghost', which does not exist",
        "Dense 'h': connected to node 'phantom', which does not exist",
        "Dense 'h': has no inputs; it needs 1 input",
    ]


def test_output_list_naming_a_missing_node():
    graph = build([("x", "Input"), ("h", "Dense")], [("x", "h")], outputs=["h", "zz"])
    assert messages(graph) == ["the output list names node 'zz', which does not exist"]


def test_input_with_incoming_edges():
    graph = build([("x", "Input"), ("y", "Input"), ("h", "Dense")], [("x", "h"), ("h", "y")])
    assert messages(graph) == [
        "Input 'y': an Input cannot have incoming connections",
        "Input 'y': is not connected to anything",
    ]


def test_unconnected_input_unless_it_is_an_output():
    graph = build([("x", "Input"), ("spare", "Input"), ("h", "Dense")], [("x", "h")])
    assert messages(graph) == ["Input 'spare': is not connected to anything"]
    graph.set_outputs(["h", "spare"])
    assert messages(graph) == []


def test_too_few_inputs():
    graph = build([("x", "Input"), ("add", "Add"), ("sub", "Subtract")], [("x", "add"), ("x", "sub")])
    assert messages(graph) == [
        "Add 'add': has 1 input; it needs at least 2 inputs",
        "Subtract 'sub': has 1 input; it needs 2 inputs",
    ]


def test_no_inputs_on_a_merge_layer():
    graph = build([("x", "Input"), ("h", "Dense"), ("cat", "Concatenate")], [("x", "h")])
    assert messages(graph) == ["Concatenate 'cat': has no inputs; it needs 2 to 4 inputs"]


def test_too_many_inputs():
    sources = [("x", "Input")] + [(f"h{i}", "Dense") for i in range(5)]
    feeds = [("x", f"h{i}") for i in range(5)]
    graph = build(sources + [("sub", "Subtract"), ("cat", "Concatenate"), ("d", "Dense")],
                  feeds + [Edge(f"h{i}", "sub", target_port=i) for i in range(3)]
                  + [Edge(f"h{i}", "cat", target_port=i) for i in range(5)]
                  + [("h0", "d"), Edge("h1", "d", target_port=1)])
    assert messages(graph) == [
        "Subtract 'sub': has 3 inputs; it takes 2 inputs",
        "Concatenate 'cat': has 5 inputs; it takes 2 to 4 inputs",
        "Dense 'd': has 2 inputs; it takes 1 input",
    ]


def test_a_port_connected_twice():
    graph = build([("x", "Input"), ("y", "Input"), ("h", "Dense")], [("x", "h"), ("y", "h")])
    assert messages(graph) == ["Dense 'h': input port 0 is connected 2 times; a port takes one wire"]


def test_a_port_gap():
    graph = build([("x", "Input"), ("a", "Dense"), ("b", "Dense"), ("cat", "Concatenate")],
                  [("x", "a"), ("x", "b"), ("a", "cat"), Edge("b", "cat", target_port=2)])
    assert messages(graph) == ["Concatenate 'cat': input port 1 is not connected"]


def test_several_missing_ports_read_as_plural():
    graph = build([("x", "Input"), ("a", "Dense"), ("b", "Dense"), ("cat", "Concatenate")],
                  [("x", "a"), ("x", "b"), Edge("a", "cat", target_port=1), Edge("b", "cat", target_port=3)])
    assert messages(graph) == ["Concatenate 'cat': input ports 0, 2 are not connected"]


def test_unknown_layers_are_left_to_the_catalog():
    graph = build([("x", "Input"), ("w", "Wobble")], [("x", "w"), Edge("x", "w", target_port=5)])
    assert messages(graph) == []


def test_graph_wide_problems_come_first_then_node_order():
    graph = build([("b", "Dense"), ("a", "Dense")], outputs=["zz"])
    assert messages(graph) == [
        "the graph has no Input node: add one to feed the model",
        "the output list names node 'zz', which does not exist",
        "Dense 'b': has no inputs; it needs 1 input",
        "Dense 'a': has no inputs; it needs 1 input",
    ]


def test_problem_text_in_a_sub_model():
    assert str(Problem("h", "has no inputs", "Dense", "encoder")) == "Dense 'h' in sub-model 'encoder': has no inputs"
    assert str(Problem(None, "the graph is empty", scope="encoder")) == "sub-model 'encoder': the graph is empty"
    assert str(Problem("h", "is odd")) == "node 'h': is odd"


# -- connection_problem: what the canvas asks while a wire is dragged ------------------
@pytest.fixture
def graph():
    return build([("x", "Input"), ("h", "Dense"), ("sub", "Subtract"), ("add", "Add"), ("w", "Wobble")],
                 [("x", "h"), ("h", "sub")])


@pytest.mark.parametrize("edge, message", [
    (Edge("ghost", "h"), "node 'ghost' does not exist"),
    (Edge("h", "ghost"), "node 'ghost' does not exist"),
    (Edge("h", "h", target_port=1), "a node cannot feed itself"),
    (Edge("h", "x"), "an Input cannot have incoming connections"),
    (Edge("x", "h"), "these ports are already connected"),
    (Edge("add", "h"), "input port 0 of 'h' is already connected"),
    (Edge("x", "sub"), "input port 0 of 'sub' is already connected"),
    (Edge("x", "h", target_port=1), "Dense takes 1 input and 'h' has all it can take"),
    (Edge("x", "sub", target_port=2), "Subtract has no input port 2"),
    (Edge("sub", "h", target_port=1), "Dense takes 1 input and 'h' has all it can take"),
    (Edge("sub", "add"), None),
    (Edge("x", "sub", target_port=1), None),
    (Edge("x", "w", target_port=7), None),
])
def test_connection_problem(graph, edge, message):
    assert connection_problem(graph, edge, input_range) == message


def test_connection_problem_refuses_cycles(graph):
    graph.add_edge(Edge("x", "add"))
    graph.add_edge(Edge("add", "w"))
    assert connection_problem(graph, Edge("w", "add", target_port=1), input_range) == (
        "this would create a cycle: 'w' already depends on 'add'"
    )
    assert connection_problem(graph, Edge("w", "add", target_port=1)) == (
        "this would create a cycle: 'w' already depends on 'add'"
    )


def test_connection_problem_refuses_a_full_layer(graph):
    graph.add_edge(Edge("x", "sub", target_port=1))
    assert connection_problem(graph, Edge("add", "sub", target_port=2), input_range) == (
        "Subtract takes 2 inputs and 'sub' has all it can take"
    )


def test_connection_problem_refuses_the_last_wire_that_closes_a_long_cycle():
    graph = build([("a", "Add"), ("b", "Dense"), ("c", "Dense"), ("d", "Dense")],
                  [("a", "b"), ("b", "c"), ("c", "d")])
    assert connection_problem(graph, Edge("d", "a"), input_range) == (
        "this would create a cycle: 'd' already depends on 'a'"
    )
    assert connection_problem(graph, Edge("a", "d", target_port=0), input_range) == (
        "input port 0 of 'd' is already connected"
    )


def test_connection_problem_with_the_default_range_allows_more_ports(graph):
    assert connection_problem(graph, Edge("x", "h", target_port=1)) is None
    assert connection_problem(graph, Edge("h", "x")) == "an Input cannot have incoming connections"


def test_allowed_edges_keep_the_graph_valid():
    graph = build([("x", "Input"), ("a", "Dense"), ("b", "Dense"), ("sub", "Subtract")])
    for edge in [Edge("x", "a"), Edge("x", "b"), Edge("a", "sub"), Edge("b", "sub", target_port=1)]:
        assert connection_problem(graph, edge, input_range) is None
        graph.add_edge(edge)
    assert validate(graph, input_range) == []
