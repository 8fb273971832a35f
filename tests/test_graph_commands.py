"""Undo-able edits: each command's undo restores the document exactly, order included."""

import random

import pytest

from netbuilder.graph import (
    AddNode,
    Command,
    Compound,
    Connect,
    Disconnect,
    Edge,
    Graph,
    MoveNode,
    Node,
    SetConfig,
    SetOutputs,
    UndoStack,
    connection_problem,
    remove_node,
)
from netbuilder.graph.commands import SetShares


def sample_graph():
    """x → a → m ← b ← x, m → out; m is in the middle of the node list."""
    graph = Graph()
    for nid, layer in [("x", "Input"), ("a", "Dense"), ("m", "Add"), ("b", "Dense"), ("out", "Dense")]:
        graph.add_node(Node(nid, layer, {"units": 3} if layer == "Dense" else {}, (0.0, 1.0)))
    for edge in [Edge("x", "a"), Edge("a", "m"), Edge("x", "b"), Edge("m", "out"), Edge("b", "m", target_port=1)]:
        graph.add_edge(edge)
    return graph


def check_round_trip(graph, command):
    """Run `command`, undo, redo: returns the document after redo."""
    before = graph.to_dict()
    command.redo()
    after = graph.to_dict()
    assert after != before
    command.undo()
    assert graph.to_dict() == before
    command.redo()
    assert graph.to_dict() == after
    command.undo()
    assert graph.to_dict() == before
    return after


def test_add_node_appends_and_undo_removes():
    graph = sample_graph()
    after = check_round_trip(graph, AddNode(graph, Node("new", "Dense", {"units": 1})))
    assert [n["id"] for n in after["nodes"]][-1] == "new"


def test_add_node_at_index():
    graph = sample_graph()
    after = check_round_trip(graph, AddNode(graph, Node("new", "Dense"), 2))
    assert [n["id"] for n in after["nodes"]] == ["x", "a", "new", "m", "b", "out"]


def test_add_node_keeps_a_snapshot_of_the_node():
    graph = Graph()
    node = Node("a", "Dense", {"units": 1})
    command = AddNode(graph, node)
    node.config["units"] = 99
    command.redo()
    graph.set_config("a", {"units": 5})
    command.undo()
    command.redo()
    assert graph.node("a").config == {"units": 1}
    assert command.text == "Add Dense 'a'"


def test_connect_and_disconnect_restore_edge_order():
    graph = sample_graph()
    after = check_round_trip(graph, Connect(graph, Edge("a", "out", target_port=1)))
    assert after["edges"][-1] == {"source": "a", "target": "out", "target_port": 1}
    after = check_round_trip(graph, Disconnect(graph, Edge("x", "b")))
    assert {"source": "x", "target": "b"} not in after["edges"]


def test_set_config_move_and_outputs_round_trip():
    graph = sample_graph()
    check_round_trip(graph, SetConfig(graph, "a", {"units": 7, "activation": "relu"}))
    check_round_trip(graph, MoveNode(graph, "a", (5.0, -2.5)))
    check_round_trip(graph, MoveNode(graph, "a", None))
    check_round_trip(graph, SetOutputs(graph, ["m", "out"]))
    graph.set_outputs(["out"])
    check_round_trip(graph, SetOutputs(graph, None))


def test_set_config_is_not_touched_by_later_edits_of_the_dicts():
    graph = sample_graph()
    new = {"units": 7, "kernel": {"seed": 1}}
    command = SetConfig(graph, "a", new)
    command.redo()
    new["kernel"]["seed"] = 2
    graph.node("a").config["units"] = 100  # a live edit outside the stack
    command.undo()
    assert graph.node("a").config == {"units": 3}
    command.redo()
    assert graph.node("a").config == {"units": 7, "kernel": {"seed": 1}}


def test_remove_node_in_the_middle_then_undo_restores_node_and_edges_in_place():
    graph = sample_graph()
    before = graph.to_dict()
    command = remove_node(graph, "m")
    assert command.text == "Delete Add 'm'"
    command.redo()
    assert [n.id for n in graph.nodes] == ["x", "a", "b", "out"]
    assert graph.edges == [Edge("x", "a"), Edge("x", "b")]
    command.undo()
    assert graph.to_dict() == before
    assert graph.index_of("m") == 2
    assert graph.incoming("m") == [Edge("a", "m"), Edge("b", "m", target_port=1)]
    command.redo()
    command.undo()
    assert graph.to_dict() == before


def test_remove_node_restores_its_config_and_position():
    graph = sample_graph()
    graph.set_config("b", {"units": 9, "name": "bee"})
    graph.move_node("b", (4.0, 2.0))
    before = graph.to_dict()
    command = remove_node(graph, "b")
    command.redo()
    command.undo()
    assert graph.to_dict() == before


def siamese_graph():
    """x → enc → out1 and y → enc_1 → out2, y → enc_2, where enc_1 and enc_2 call enc's layer again."""
    graph = Graph()
    graph.add_node(Node("x", "Input", {"shape": [4]}))
    graph.add_node(Node("y", "Input", {"shape": [4]}))
    graph.add_node(Node("enc", "Dense", {"units": 8, "activation": "relu", "name": "encoder"}))
    graph.add_node(Node("enc_1", "Dense", {"name": "twin"}, shares="enc"))
    graph.add_node(Node("enc_2", "Dense", {}, shares="enc"))
    for edge in [Edge("x", "enc"), Edge("y", "enc_1"), Edge("y", "enc_2")]:
        graph.add_edge(edge)
    return graph


def test_deleting_the_owner_of_a_shared_layer_hands_it_to_the_first_sharer():
    """The other calls keep working, with the same layer settings; the heir keeps the name its card shows."""
    graph = siamese_graph()
    before = graph.to_dict()
    stack = UndoStack()
    stack.push(remove_node(graph, "enc"))
    assert "enc" not in graph
    heir, other = graph.node("enc_1"), graph.node("enc_2")
    assert heir.shares is None and heir.config == {"units": 8, "activation": "relu", "name": "twin"}
    assert other.shares == "enc_1" and other.config == {}
    stack.undo()
    assert graph.to_dict() == before
    stack.redo()
    assert graph.node("enc_2").shares == "enc_1"


def test_deleting_a_sharer_leaves_the_owner_alone():
    graph = siamese_graph()
    remove_node(graph, "enc_1").redo()
    assert graph.node("enc").shares is None and graph.node("enc_2").shares == "enc"
    assert graph.node("enc").config["units"] == 8


def test_set_shares_undoes_to_the_old_owner():
    graph = siamese_graph()
    command = SetShares(graph, "enc_2", None)
    command.redo()
    assert graph.node("enc_2").shares is None
    command.undo()
    assert graph.node("enc_2").shares == "enc"


def test_remove_node_of_missing_id_names_it():
    with pytest.raises(KeyError, match="no node with id 'zz'"):
        remove_node(sample_graph(), "zz")


def test_compound_runs_children_in_order_and_undoes_in_reverse():
    graph = sample_graph()
    before = graph.to_dict()
    command = Compound("Insert layer", [
        Disconnect(graph, Edge("m", "out")),
        AddNode(graph, Node("d", "Dropout", {"rate": 0.5}), 4),
        Connect(graph, Edge("m", "d")),
        Connect(graph, Edge("d", "out")),
    ])
    command.redo()
    assert graph.topological_order() == ["x", "a", "b", "m", "d", "out"]
    command.undo()
    assert graph.to_dict() == before
    assert Compound("nothing").children == [] and Compound("x").text == "x"


def test_command_texts():
    graph = sample_graph()
    assert Connect(graph, Edge("a", "out")).text == "Connect 'a' → 'out'"
    assert Disconnect(graph, Edge("a", "m")).text == "Disconnect 'a' → 'm'"
    assert SetConfig(graph, "a", {}).text == "Change 'a'"
    assert MoveNode(graph, "a", (0.0, 0.0)).text == "Move 'a'"
    assert SetOutputs(graph, None).text == "Set model outputs"


def test_command_is_abstract():
    with pytest.raises(TypeError):
        Command()


# -- the undo stack --------------------------------------------------------------
def test_undo_stack_push_undo_redo_and_texts():
    graph = sample_graph()
    stack = UndoStack()
    changes = []
    stack.changed.connect(lambda: changes.append(1))
    assert (stack.can_undo, stack.can_redo, stack.undo_text, stack.redo_text) == (False, False, "", "")
    assert stack.undo() is False and stack.redo() is False
    stack.push(MoveNode(graph, "a", (9.0, 9.0)))
    stack.push(SetConfig(graph, "a", {"units": 1}))
    assert graph.node("a").position == (9.0, 9.0)
    assert (stack.can_undo, stack.can_redo, stack.undo_text, stack.redo_text) == (True, False, "Change 'a'", "")
    assert stack.undo() is True
    assert (stack.undo_text, stack.redo_text) == ("Move 'a'", "Change 'a'")
    assert graph.node("a").config == {"units": 3}
    assert stack.redo() is True
    assert graph.node("a").config == {"units": 1}
    assert len(changes) == 4


def test_push_after_undo_drops_the_redo_branch():
    graph = sample_graph()
    stack = UndoStack()
    stack.push(MoveNode(graph, "a", (1.0, 1.0)))
    stack.push(MoveNode(graph, "a", (2.0, 2.0)))
    stack.undo()
    stack.push(SetConfig(graph, "a", {"units": 5}))
    assert not stack.can_redo and stack.redo() is False
    assert graph.node("a").position == (1.0, 1.0)
    stack.undo()
    stack.undo()
    assert graph.node("a").position == (0.0, 1.0) and not stack.can_undo


def test_clean_mark_follows_undo_and_redo():
    graph = sample_graph()
    stack = UndoStack()
    assert stack.is_clean
    stack.push(MoveNode(graph, "a", (1.0, 1.0)))
    assert not stack.is_clean
    stack.set_clean()
    assert stack.is_clean
    stack.push(MoveNode(graph, "a", (2.0, 2.0)))
    assert not stack.is_clean
    stack.undo()
    assert stack.is_clean
    stack.undo()
    assert not stack.is_clean
    stack.redo()
    assert stack.is_clean


def test_clean_state_on_a_dropped_branch_is_never_clean_again():
    graph = sample_graph()
    stack = UndoStack()
    stack.push(MoveNode(graph, "a", (1.0, 1.0)))
    stack.set_clean()
    stack.undo()
    stack.push(MoveNode(graph, "a", (3.0, 3.0)))
    assert not stack.is_clean
    stack.undo()
    assert not stack.is_clean  # back to the start, which was never saved


def test_push_from_clean_keeps_the_mark_reachable_by_undo():
    graph = sample_graph()
    stack = UndoStack()
    stack.push(MoveNode(graph, "a", (1.0, 1.0)))
    stack.set_clean()
    stack.push(MoveNode(graph, "a", (2.0, 2.0)))
    stack.push(MoveNode(graph, "a", (3.0, 3.0)))
    stack.undo()
    stack.undo()
    assert stack.is_clean


def test_a_failing_command_is_not_recorded():
    graph = sample_graph()
    stack = UndoStack()
    with pytest.raises(ValueError):
        stack.push(AddNode(graph, Node("a", "Dense")))
    assert not stack.can_undo and stack.is_clean


# -- property: random edit sequences undo and redo exactly ---------------------------
LAYERS = ["Dense", "Add", "Concatenate", "Dropout", "Input"]


def input_range(node):
    return {"Input": (0, 0), "Add": (2, None), "Concatenate": (2, 3)}.get(node.layer, (1, 1))


def random_edit(graph, rng, counter):
    """One valid edit of `graph` as a command (not run yet), chosen by `rng`."""
    nodes = graph.nodes
    kinds = ["add"] * 3 + ["connect"] * 4 + ["remove", "disconnect", "config", "move", "outputs", "share"]
    while True:
        kind = rng.choice(kinds)
        if kind == "add" or not nodes:
            layer = rng.choice(LAYERS)
            node = Node(f"n{next(counter)}", layer, {"units": rng.randint(1, 9)},
                        rng.choice([None, (float(rng.randint(-50, 50)), 2.5)]),
                        shares=rng.choice([None, "n0", rng.choice(nodes).id if nodes else None]))
            return AddNode(graph, node, rng.choice([None, rng.randint(0, len(nodes))]))
        if kind == "connect":
            for _ in range(10):
                edge = Edge(rng.choice(nodes).id, rng.choice(nodes).id, rng.randint(0, 1), rng.randint(0, 2))
                if connection_problem(graph, edge, input_range) is None:
                    return Connect(graph, edge)
        elif kind == "remove":
            return remove_node(graph, rng.choice(nodes).id)
        elif kind == "disconnect" and graph.edges:
            return Disconnect(graph, rng.choice(graph.edges))
        elif kind == "config":
            return SetConfig(graph, rng.choice(nodes).id, {"units": rng.randint(10, 99), "seed": [rng.random()]})
        elif kind == "move":
            return MoveNode(graph, rng.choice(nodes).id, (rng.uniform(-9, 9), rng.uniform(-9, 9)))
        elif kind == "share":  # removing an owner then hands its layer on: undo must take that back too
            return SetShares(graph, rng.choice(nodes).id, rng.choice([None, rng.choice(nodes).id]))
        elif kind == "outputs":
            picked = [n.id for n in nodes if rng.random() < 0.3]
            return SetOutputs(graph, rng.choice([None, picked]))


@pytest.mark.parametrize("seed", range(30))
def test_random_edits_undo_and_redo_exactly(seed):
    rng = random.Random(seed)
    counter = iter(range(10**6))
    graph = Graph()
    for _ in range(4):
        graph.add_node(Node(f"n{next(counter)}", rng.choice(LAYERS)))
    stack = UndoStack()
    original = graph.to_dict()
    history = [original]
    view = [n.id for n in graph.nodes]
    graph.node_added.connect(lambda node, i: view.insert(i, node.id))
    graph.node_removed.connect(lambda node, i: view.pop(i))

    for _ in range(40):
        stack.push(random_edit(graph, rng, counter))
        history.append(graph.to_dict())
        assert graph.topological_order() is not None  # connection_problem kept it acyclic
    final = graph.to_dict()
    final_order = graph.topological_order()

    for expected in reversed(history[:-1]):
        assert stack.undo()
        assert graph.to_dict() == expected
        assert view == [n.id for n in graph.nodes]
    assert not stack.can_undo and stack.is_clean
    assert graph.to_dict() == original

    while stack.redo():
        pass
    assert graph.to_dict() == final
    assert view == [n.id for n in graph.nodes]
    assert graph.topological_order() == final_order


def test_compound_that_adds_then_configures_and_moves_a_node_undoes_in_one_step():
    graph = Graph()
    stack = UndoStack()
    node = Node("d", "Dense", {"units": 1})
    stack.push(
        Compound(
            "add and set up",
            [AddNode(graph, node), SetConfig(graph, "d", {"units": 8}), MoveNode(graph, "d", (5.0, 6.0))],
        )
    )
    assert graph.node("d").config == {"units": 8} and graph.node("d").position == (5.0, 6.0)
    stack.undo()
    assert graph.to_dict() == {"nodes": [], "edges": []}
    stack.redo()
    assert graph.node("d").config == {"units": 8} and graph.node("d").position == (5.0, 6.0)
