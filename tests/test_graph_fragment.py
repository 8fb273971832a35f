"""Copy, paste, duplicate and delete: what lands on the clipboard, what a paste adds, and exact undo."""

import json

import pytest

from netbuilder.graph import Edge, Graph, Node, UndoStack
from netbuilder.graph.fragment import copy_fragment, delete_command, duplicate_command, paste_command, read_fragment


def sample_graph():
    """x → dense → add ← dense_1 ← x, add → out; `out` is named "logits"."""
    graph = Graph()
    for nid, layer, config, pos in [
        ("x", "Input", {"shape": [4]}, (0.0, 0.0)),
        ("dense", "Dense", {"units": 3}, (0.0, 100.0)),
        ("add", "Add", {}, None),
        ("dense_1", "Dense", {"units": 5}, (200.0, 100.0)),
        ("out", "Dense", {"units": 1, "name": "logits"}, (100.0, 300.0)),
    ]:
        graph.add_node(Node(nid, layer, config, pos))
    for edge in [Edge("x", "dense"), Edge("dense", "add"), Edge("x", "dense_1"),
                 Edge("dense_1", "add", target_port=1), Edge("add", "out")]:
        graph.add_edge(edge)
    return graph


def push_and_check_undo(graph, command):
    stack = UndoStack()
    before = graph.to_dict()
    stack.push(command)
    after = graph.to_dict()
    assert after != before
    stack.undo()
    assert graph.to_dict() == before
    stack.redo()
    assert graph.to_dict() == after
    return after


def test_copy_holds_the_selected_nodes_in_document_order_and_only_wires_among_them():
    graph = sample_graph()
    data = copy_fragment(graph, ["add", "dense_1", "dense"])
    assert json.loads(json.dumps(data)) == data  # it goes on the system clipboard as JSON text
    assert data["format"] == "netbuilder-fragment" and data["version"] == 1
    assert [n["id"] for n in data["nodes"]] == ["dense", "add", "dense_1"]
    assert data["nodes"][0] == {"id": "dense", "layer": "Dense", "config": {"units": 3}, "position": [0.0, 100.0]}
    assert data["edges"] == [{"source": "dense", "target": "add"},
                             {"source": "dense_1", "target": "add", "target_port": 1}]


def test_paste_adds_fresh_ids_shifted_positions_and_remapped_wires():
    graph = sample_graph()
    data = json.loads(json.dumps(copy_fragment(graph, ["dense", "add", "dense_1"])))
    before = graph.to_dict()
    command, new_ids = paste_command(graph, data)
    assert graph.to_dict() == before  # nothing happens until the command is pushed
    assert command.text == "Paste 3 layers"
    assert new_ids == ["dense_2", "add_1", "dense_3"]
    push_and_check_undo(graph, command)
    # Right of the copied cards (x 0…390), where no copy covers a card: not 40 px down-right, on top of them.
    assert graph.node("dense_2").position == (430.0, 100.0)
    assert graph.node("add_1").position is None
    assert graph.node("dense_3").config == {"units": 5}
    assert graph.edges[-2:] == [Edge("dense_2", "add_1"), Edge("dense_3", "add_1", target_port=1)]


def test_paste_into_another_graph_keeps_free_ids_and_names():
    data = copy_fragment(sample_graph(), ["out"])
    other = Graph()
    command, new_ids = paste_command(other, data, offset=(0.0, 0.0))
    push_and_check_undo(other, command)
    assert new_ids == ["out"]
    assert other.node("out").config == {"units": 1, "name": "logits"}
    assert other.node("out").position == (100.0, 300.0)


def test_a_pasted_layer_name_already_in_use_is_dropped():
    graph = sample_graph()
    command, new_ids = paste_command(graph, copy_fragment(graph, ["out"]))
    command.redo()
    assert graph.node(new_ids[0]).config == {"units": 1}
    assert graph.node(new_ids[0]).name == "out_1"


def test_duplicate_is_copy_and_paste_in_one_step():
    graph = sample_graph()
    command, new_ids = duplicate_command(graph, ["dense"])
    assert command.text == "Duplicate Dense 'dense'"
    after = push_and_check_undo(graph, command)
    assert new_ids == ["dense_2"]
    # Just right of 'dense' would cover 'dense_1' (at x 200), so the copy goes right of that too.
    assert after["nodes"][-1] == {"id": "dense_2", "layer": "Dense", "config": {"units": 3}, "position": [430.0, 100.0]}


def test_delete_removes_several_nodes_and_their_wires_in_one_step():
    graph = sample_graph()
    command = delete_command(graph, ["dense", "add"])
    assert command.text == "Delete 2 layers"
    after = push_and_check_undo(graph, command)
    assert [n["id"] for n in after["nodes"]] == ["x", "dense_1", "out"]
    assert graph.edges == [Edge("x", "dense_1")]


def test_delete_drops_the_nodes_from_the_model_outputs():
    graph = sample_graph()
    graph.outputs = ["dense", "out"]
    push_and_check_undo(graph, delete_command(graph, ["out"]))
    assert graph.outputs == ["dense"]


def test_delete_of_nothing_or_a_missing_node_is_refused():
    graph = sample_graph()
    with pytest.raises(ValueError, match="nothing is selected"):
        delete_command(graph, [])
    with pytest.raises(ValueError, match="no node with id 'ghost'"):
        delete_command(graph, ["ghost"])


def fragment(**changes):
    data = {"format": "netbuilder-fragment", "version": 1,
            "nodes": [{"id": "a", "layer": "Dense", "config": {"units": 2}}], "edges": []}
    data.update(changes)
    return data


@pytest.mark.parametrize("data, message", [
    ("just some text", "does not hold netbuilder layers"),
    ([1, 2], "does not hold netbuilder layers"),
    (fragment(format="netbuilder"), "does not hold netbuilder layers"),
    (fragment(version=2), "format version \\(2\\)"),
    (fragment(version="1"), "format version"),
    (fragment(nodes="a"), '"nodes" and "edges" must be lists'),
    (fragment(nodes=[]), "holds no layers"),
    (fragment(nodes=[{"layer": "Dense"}]), '"id" must be a non-empty string'),
    (fragment(nodes=[{"id": "a", "layer": "Dense", "position": [1]}]), '"position" must be \\[x, y\\] numbers'),
    (fragment(nodes=[{"id": "a", "layer": "Dense"}, {"id": "a", "layer": "Dense"}]), "'a' is used twice"),
    (fragment(edges=[{"source": "a", "target": "zz"}]), "names 'zz', which is not among them"),
    (fragment(edges=[{"source": "a"}]), '"target" must be a node id'),
])
def test_malformed_clipboard_data_is_refused_with_a_sentence(data, message):
    graph = sample_graph()
    before = graph.to_dict()
    with pytest.raises(ValueError, match=message):
        read_fragment(data)
    with pytest.raises(ValueError, match=message):
        paste_command(graph, data)
    assert graph.to_dict() == before


def test_a_well_formed_fragment_reads_back_as_nodes_and_edges():
    nodes, edges = read_fragment(copy_fragment(sample_graph(), ["dense", "add"]))
    assert [(n.id, n.layer) for n in nodes] == [("dense", "Dense"), ("add", "Add")]
    assert edges == [Edge("dense", "add")]


def test_delete_takes_wires_selected_on_their_own_in_the_same_step():
    graph = Graph()
    for nid in ("a", "b", "c"):
        graph.add_node(Node(nid, "Dense", {"units": 1}))
    ab, bc = Edge("a", "b"), Edge("b", "c")
    graph.add_edge(ab)
    graph.add_edge(bc)
    before = graph.to_dict()
    wires_only = delete_command(graph, [], [bc])
    assert wires_only.text == "Delete wire"
    both = delete_command(graph, ["a"], [ab, bc])  # ab goes with its node; bc on its own
    assert both.text == "Delete Dense 'a'"
    stack = UndoStack()
    stack.push(both)
    assert graph.edges == [] and [n.id for n in graph.nodes] == ["b", "c"]
    stack.undo()
    assert graph.to_dict() == before
