"""The graph document: nodes, edges, ports, events, ordering and the file shape."""

import pytest

from netbuilder.graph import Edge, Event, Graph, Node


def make_graph(ids="abc", layer="Dense"):
    graph = Graph()
    for nid in ids:
        graph.add_node(Node(nid, "Input" if nid == "x" else layer))
    return graph


def ids(graph):
    return [n.id for n in graph.nodes]


class Recorder:
    """A tiny view: mirrors node and edge lists purely from the graph's events."""

    def __init__(self, graph):
        self.nodes = [n.id for n in graph.nodes]
        self.edges = graph.edges
        self.calls = []
        graph.node_added.connect(self.node_added)
        graph.node_removed.connect(self.node_removed)
        graph.edge_added.connect(self.edge_added)
        graph.edge_removed.connect(self.edge_removed)
        graph.node_changed.connect(lambda node: self.calls.append(("changed", node.id)))
        graph.node_moved.connect(lambda node: self.calls.append(("moved", node.id, node.position)))
        graph.outputs_changed.connect(lambda: self.calls.append(("outputs",)))

    def node_added(self, node, index):
        self.calls.append(("node_added", node.id, index))
        self.nodes.insert(index, node.id)

    def node_removed(self, node, index):
        self.calls.append(("node_removed", node.id, index))
        assert self.nodes[index] == node.id
        del self.nodes[index]

    def edge_added(self, edge, index):
        self.calls.append(("edge_added", edge, index))
        self.edges.insert(index, edge)

    def edge_removed(self, edge, index):
        self.calls.append(("edge_removed", edge, index))
        assert self.edges[index] == edge
        del self.edges[index]


# -- events ------------------------------------------------------------------
def test_event_calls_listeners_in_order_with_arguments():
    event, seen = Event(), []
    event.connect(lambda *a: seen.append(("first", a)))
    event.connect(lambda *a: seen.append(("second", a)))
    event.emit(1, "two")
    assert seen == [("first", (1, "two")), ("second", (1, "two"))]


def test_event_connect_returns_listener_and_disconnect_stops_it():
    event, seen = Event(), []

    @event.connect
    def listener(x):
        seen.append(x)

    event.emit(1)
    event.disconnect(listener)
    event.disconnect(listener)  # a second disconnect is a no-op
    event.emit(2)
    assert seen == [1]


def test_listener_may_unsubscribe_while_being_called():
    event, seen = Event(), []

    def once(x):
        seen.append(("once", x))
        event.disconnect(once)

    event.connect(once)
    event.connect(lambda x: seen.append(("always", x)))
    event.emit(1)
    event.emit(2)
    assert seen == [("once", 1), ("always", 1), ("always", 2)]


# -- nodes -------------------------------------------------------------------
def test_add_node_appends_and_inserts_at_index():
    graph = make_graph("ac")
    graph.add_node(Node("b", "Dense"), 1)
    assert ids(graph) == ["a", "b", "c"]
    assert len(graph) == 3 and "b" in graph and "z" not in graph
    assert [n.id for n in graph] == ["a", "b", "c"]
    assert graph.index_of("c") == 2


def test_add_node_with_existing_id_is_refused():
    graph = make_graph("a")
    with pytest.raises(ValueError, match="a node with id 'a' already exists"):
        graph.add_node(Node("a", "Dense"))
    assert ids(graph) == ["a"]


def test_node_lookup_names_missing_id():
    graph = make_graph("a")
    assert graph.node("a").layer == "Dense"
    assert graph.get("zz") is None
    with pytest.raises(KeyError, match="no node with id 'zz'"):
        graph.node("zz")


def test_nodes_and_edges_are_copies_of_the_lists():
    graph = make_graph("ab")
    graph.add_edge(Edge("a", "b"))
    graph.nodes.clear()
    graph.edges.clear()
    assert ids(graph) == ["a", "b"] and graph.edges == [Edge("a", "b")]


def test_remove_node_returns_node_and_index():
    graph = make_graph("abc")
    node, index = graph.remove_node("b")
    assert (node.id, index) == ("b", 1)
    assert ids(graph) == ["a", "c"] and "b" not in graph


def test_remove_connected_node_is_refused():
    graph = make_graph("ab")
    graph.add_edge(Edge("a", "b"))
    with pytest.raises(ValueError, match="node 'b' still has connections"):
        graph.remove_node("b")
    with pytest.raises(ValueError, match="node 'a' still has connections"):
        graph.remove_node("a")
    assert ids(graph) == ["a", "b"]


def test_node_name_is_configured_name_else_id():
    assert Node("h1", "Dense").name == "h1"
    assert Node("h1", "Dense", {"name": "hidden"}).name == "hidden"
    assert Node("h1", "Dense", {"name": ""}).name == "h1"
    assert Node("h1", "Dense", {"name": 3}).name == "h1"


def test_node_clone_is_deep():
    node = Node("a", "Dense", {"units": [1, 2]}, (1.0, 2.0), {"call_kwargs": {"x": 1}}, shares="b")
    twin = node.clone()
    twin.config["units"].append(3)
    twin.extra["call_kwargs"]["x"] = 2
    twin.shares = None
    assert node.config == {"units": [1, 2]} and node.extra == {"call_kwargs": {"x": 1}} and node.shares == "b"


def test_shares_is_a_field_not_an_extra_key():
    """Code still passing the old opaque key would be ignored by every reader: it is refused instead."""
    with pytest.raises(ValueError, match="'shares' is a field of Node"):
        Node("b", "Dense", extra={"shares": "a"})


def test_set_shares_counts_as_a_change_of_the_node():
    graph = make_graph("ab")
    changed = []
    graph.node_changed.connect(changed.append)
    revision = graph.revision
    graph.set_shares("b", "a")
    assert graph.node("b").shares == "a" and changed == [graph.node("b")] and graph.revision == revision + 1
    graph.set_shares("b", None)
    assert graph.node("b").shares is None and "shares" not in graph.to_dict()["nodes"][1]


def test_set_config_copies_the_given_dict():
    graph = make_graph("a")
    config = {"units": 4, "kernel": {"seed": 1}}
    graph.set_config("a", config)
    config["kernel"]["seed"] = 99
    assert graph.node("a").config == {"units": 4, "kernel": {"seed": 1}}


# -- edges and ports ----------------------------------------------------------
def test_edges_default_to_port_zero():
    edge = Edge("a", "b")
    assert (edge.source_port, edge.target_port) == (0, 0)
    assert Edge("a", "b") == Edge("a", "b", 0, 0) != Edge("a", "b", 0, 1)


def test_incoming_is_sorted_by_target_port_outgoing_in_insertion_order():
    graph = make_graph("abcm")
    graph.add_edge(Edge("c", "m", target_port=2))
    graph.add_edge(Edge("a", "m", target_port=0))
    graph.add_edge(Edge("b", "m", target_port=1))
    graph.add_edge(Edge("a", "b"))
    assert [e.source for e in graph.incoming("m")] == ["a", "b", "c"]
    assert graph.outgoing("a") == [Edge("a", "m"), Edge("a", "b")]
    assert graph.incoming("nowhere") == [] and graph.outgoing("nowhere") == []


def test_duplicate_edge_is_refused_but_other_ports_are_distinct_edges():
    graph = make_graph("ab")
    graph.add_edge(Edge("a", "b"))
    with pytest.raises(ValueError, match="edge 'a' → 'b' already exists"):
        graph.add_edge(Edge("a", "b"))
    graph.add_edge(Edge("a", "b", source_port=1, target_port=1))
    assert len(graph.edges) == 2


def test_add_edge_at_index_and_remove_edge_returns_index():
    graph = make_graph("abc")
    graph.add_edge(Edge("a", "b"))
    graph.add_edge(Edge("b", "c"))
    graph.add_edge(Edge("a", "c", target_port=1), 0)
    assert graph.edges == [Edge("a", "c", 0, 1), Edge("a", "b"), Edge("b", "c")]
    assert graph.remove_edge(Edge("a", "b")) == 1
    assert graph.incoming("b") == [] and graph.outgoing("a") == [Edge("a", "c", 0, 1)]
    with pytest.raises(ValueError):
        graph.remove_edge(Edge("a", "b"))


def test_graph_stores_edges_to_missing_nodes():
    graph = make_graph("a")
    graph.add_edge(Edge("a", "ghost"))
    assert graph.edges == [Edge("a", "ghost")]
    assert graph.output_ids() == []


# -- events emitted by the graph -------------------------------------------------
def test_each_mutation_emits_its_event_with_arguments():
    graph = make_graph("ab")
    view = Recorder(graph)
    graph.add_node(Node("c", "Dense"), 0)
    graph.add_edge(Edge("a", "b"))
    graph.set_config("a", {"units": 2})
    graph.move_node("b", (3.0, 4.0))
    graph.set_outputs(["b"])
    graph.remove_edge(Edge("a", "b"))
    graph.remove_node("c")
    assert view.calls == [
        ("node_added", "c", 0),
        ("edge_added", Edge("a", "b"), 0),
        ("changed", "a"),
        ("moved", "b", (3.0, 4.0)),
        ("outputs",),
        ("edge_removed", Edge("a", "b"), 0),
        ("node_removed", "c", 0),
    ]


def test_refused_mutations_emit_nothing():
    graph = make_graph("ab")
    graph.add_edge(Edge("a", "b"))
    view = Recorder(graph)
    for bad in (lambda: graph.add_node(Node("a", "Dense")), lambda: graph.remove_node("a"),
                lambda: graph.add_edge(Edge("a", "b")), lambda: graph.set_config("zz", {})):
        with pytest.raises((ValueError, KeyError)):
            bad()
    assert view.calls == []


def test_a_view_following_events_mirrors_nodes_and_edges():
    graph = make_graph("ab")
    view = Recorder(graph)
    graph.add_node(Node("m", "Dense"), 1)
    graph.add_node(Node("z", "Dense"))
    graph.add_edge(Edge("a", "m"))
    graph.add_edge(Edge("m", "z"))
    graph.add_edge(Edge("b", "z", target_port=1), 1)
    graph.remove_edge(Edge("a", "m"))
    graph.remove_node("a")
    graph.add_node(Node("first", "Input"), 0)
    assert view.nodes == ids(graph) == ["first", "m", "b", "z"]
    assert view.edges == graph.edges


# -- ordering and outputs ----------------------------------------------------------
def test_topological_order_follows_edges():
    graph = make_graph("cba")
    graph.add_edge(Edge("a", "b"))
    graph.add_edge(Edge("b", "c"))
    assert graph.topological_order() == ["a", "b", "c"]


def test_topological_order_breaks_ties_in_node_order():
    graph = make_graph("abcd")
    graph.add_edge(Edge("a", "c"))
    graph.add_edge(Edge("b", "d"))
    # c is ready before b is visited, yet b comes first in the node list.
    assert graph.topological_order() == ["a", "b", "c", "d"]
    assert make_graph("dcba").topological_order() == ["d", "c", "b", "a"]


def test_topological_order_does_not_depend_on_edit_history():
    graph = make_graph("abcd")
    graph.add_edge(Edge("a", "c"))
    graph.add_edge(Edge("a", "b"))
    before = graph.topological_order()
    graph.add_edge(Edge("a", "c"), graph.remove_edge(Edge("a", "c")))  # same document again
    assert graph.topological_order() == before == ["a", "b", "c", "d"]


def test_topological_order_is_none_on_a_cycle():
    graph = make_graph("xabc")
    graph.add_edge(Edge("x", "a"))
    graph.add_edge(Edge("a", "b"))
    graph.add_edge(Edge("b", "c"))
    graph.add_edge(Edge("c", "a", target_port=1))
    assert graph.topological_order() is None
    self_loop = make_graph("a")
    self_loop.add_edge(Edge("a", "a"))
    assert self_loop.topological_order() is None


def test_topological_order_ignores_edges_to_missing_nodes():
    graph = make_graph("ab")
    graph.add_edge(Edge("ghost", "a"))
    graph.add_edge(Edge("b", "ghost"))
    assert graph.topological_order() == ["a", "b"]
    assert Graph().topological_order() == []


def test_output_ids_are_sinks_in_node_order():
    graph = make_graph("xabc")
    graph.add_edge(Edge("x", "c"))
    graph.add_edge(Edge("x", "a"))
    assert graph.output_ids() == ["a", "b", "c"]


def test_explicit_outputs_win_and_can_be_cleared():
    graph = make_graph("xab")
    graph.add_edge(Edge("x", "a"))
    given = ["b", "x"]
    graph.set_outputs(given)
    given.append("a")
    assert graph.output_ids() == ["b", "x"]
    graph.output_ids().append("zz")
    assert graph.outputs == ["b", "x"]
    graph.set_outputs(None)
    assert graph.output_ids() == ["a", "b"]


def test_input_ids_are_inputs_in_node_order():
    graph = Graph()
    for nid, layer in [("b", "Input"), ("h", "Dense"), ("a", "Input")]:
        graph.add_node(Node(nid, layer))
    assert graph.input_ids() == ["b", "a"]


def test_new_id_counts_up_from_stem():
    graph = Graph()
    assert graph.new_id("dense") == "dense"
    graph.add_node(Node("dense", "Dense"))
    assert graph.new_id("dense") == "dense_1"
    graph.add_node(Node("dense_1", "Dense"))
    graph.add_node(Node("dense_3", "Dense"))
    assert graph.new_id("dense") == "dense_2"
    assert graph.new_id("") == "node"


# -- the file shape -------------------------------------------------------------
def test_to_dict_matches_the_design_vocabulary():
    graph = Graph()
    graph.add_node(Node("wide", "Input", {"shape": [10], "name": "wide"}, (0.0, 0.0)))
    graph.add_node(Node("h1", "Dense", {"units": 32}, extra={"call_kwargs": {"training": False}}, shares="h0"))
    graph.add_node(Node("cat", "Concatenate"))
    graph.add_edge(Edge("wide", "h1"))
    graph.add_edge(Edge("wide", "cat", target_port=1))
    graph.add_edge(Edge("h1", "cat", source_port=2))
    assert graph.to_dict() == {
        "nodes": [
            {"id": "wide", "layer": "Input", "config": {"shape": [10], "name": "wide"}, "position": [0.0, 0.0]},
            {"id": "h1", "layer": "Dense", "config": {"units": 32}, "shares": "h0",
             "call_kwargs": {"training": False}},
            {"id": "cat", "layer": "Concatenate", "config": {}},
        ],
        "edges": [
            {"source": "wide", "target": "h1"},
            {"source": "wide", "target": "cat", "target_port": 1},
            {"source": "h1", "target": "cat", "source_port": 2},
        ],
    }
    graph.set_outputs(["cat"])
    assert graph.to_dict()["outputs"] == ["cat"]


def test_to_dict_is_a_snapshot():
    graph = Graph()
    graph.add_node(Node("a", "Dense", {"units": [1]}, extra={"tags": ["x"]}))
    doc = graph.to_dict()
    doc["nodes"][0]["config"]["units"].append(2)
    doc["nodes"][0]["tags"].append("y")
    assert graph.to_dict()["nodes"][0] == {"id": "a", "layer": "Dense", "config": {"units": [1]}, "tags": ["x"]}


def test_positions_stay_right_through_inserts_and_removals_anywhere():
    # index_of and removals keep an index of positions; undo puts things back in the middle.
    import random

    rng = random.Random(4)
    graph, mirror = Graph(), []
    for step in range(400):
        if mirror and rng.random() < 0.4:
            node_id = rng.choice(mirror)
            assert graph.remove_node(node_id)[1] == mirror.index(node_id)
            mirror.remove(node_id)
        else:
            index = rng.choice([None, rng.randint(0, len(mirror))])
            graph.add_node(Node(f"n{step}", "Dense"), index)
            mirror.insert(len(mirror) if index is None else index, f"n{step}")
        assert ids(graph) == mirror
        for node_id in rng.sample(mirror, min(3, len(mirror))):
            assert graph.index_of(node_id) == mirror.index(node_id)
    with pytest.raises(KeyError, match="no node with id 'gone'"):
        graph.index_of("gone")


def test_has_edge_follows_adding_and_removing():
    graph = make_graph("ab")
    edge = Edge("a", "b")
    assert not graph.has_edge(edge)
    graph.add_edge(edge)
    assert graph.has_edge(Edge("a", "b")) and not graph.has_edge(Edge("a", "b", 0, 1))
    graph.remove_edge(edge)
    assert not graph.has_edge(edge)


def test_revision_counts_edits_that_change_what_the_graph_computes_but_not_moves():
    graph = make_graph("ab")
    seen = [graph.revision]

    def changed():
        seen.append(graph.revision)
        return seen[-1] != seen[-2]

    graph.add_edge(Edge("a", "b"))
    assert changed()
    graph.set_config("a", {"units": 2})
    assert changed()
    graph.set_outputs(["b"])
    assert changed()
    graph.move_node("a", (5.0, 5.0))
    assert not changed()
    graph.remove_edge(Edge("a", "b"))
    graph.remove_node("a")
    assert changed()
