"""Sentences name nodes as their cards do (`Node.name`), so a renamed card is found by its new name;
the command line still starts each line with the node's id, as it always has."""

from __future__ import annotations

from netbuilder.catalog import load_catalog
from netbuilder.cli import main
from netbuilder.graph import (
    INPUT_LAYER, AddNode, Connect, Disconnect, Edge, Graph, MoveNode, Node, SetConfig, UndoStack, connection_problem,
    remove_node, validate,
)
from netbuilder.graph.incremental_validation import IncrementalValidation
from netbuilder.graph.project_file import from_dict
from netbuilder.graph.validation import InputRange


def arity(node: Node) -> InputRange:
    """Input takes nothing, Dense one input, merges two or more."""
    return {INPUT_LAYER: (0, 0), "Dense": (1, 1)}.get(node.layer, (2, None))


def graph_of(nodes: list[Node], edges: list[Edge]) -> Graph:
    graph = Graph()
    for node in nodes:
        graph.add_node(node)
    for edge in edges:
        graph.add_edge(edge)
    return graph


def renamed_chain() -> Graph:
    """x → dense (its card says 'encoder') → cat (says 'joined') → dense_1 (says 'decoder')."""
    return graph_of(
        [Node("x", INPUT_LAYER, {"shape": [4]}), Node("dense", "Dense", {"units": 4, "name": "encoder"}),
         Node("cat", "Concatenate", {"name": "joined"}), Node("dense_1", "Dense", {"units": 4, "name": "decoder"})],
        [Edge("x", "dense"), Edge("dense", "cat"), Edge("x", "cat", target_port=1), Edge("cat", "dense_1")],
    )


def test_a_cycle_is_spelt_with_the_names_on_the_cards_and_follows_a_rename():
    graph = graph_of(
        [Node("x", INPUT_LAYER, {"shape": [4]}), Node("sum", "Add"),
         Node("a", "Dense", {"units": 4, "name": "encoder"}), Node("b", "Dense", {"units": 4})],
        [Edge("x", "sum"), Edge("sum", "a"), Edge("a", "b"), Edge("b", "sum", target_port=1)],
    )
    checker = IncrementalValidation(graph, arity)
    [problem] = checker.problems()
    assert problem.message == "is part of a cycle: sum → encoder → b → sum"
    assert str(problem) == "Add 'sum': is part of a cycle: sum → encoder → b → sum"  # the CLI line: id first
    UndoStack().push(SetConfig(graph, "b", {"units": 4, "name": "decoder"}))
    assert [p.message for p in checker.problems()] == ["is part of a cycle: sum → encoder → decoder → sum"]
    assert checker.problems() == validate(graph, arity)


def test_a_refused_wire_names_the_cards_it_would_join():
    graph = renamed_chain()
    assert connection_problem(graph, Edge("x", "dense"), arity) == "these ports are already connected"
    assert connection_problem(graph, Edge("x", "dense_1"), arity) == "input port 0 of 'decoder' is already connected"
    assert connection_problem(graph, Edge("x", "dense", target_port=1), arity) == \
        "Dense takes 1 input and 'encoder' has all it can take"
    assert connection_problem(graph, Edge("dense_1", "cat", target_port=2), arity) == \
        "this would create a cycle: 'decoder' already depends on 'joined'"
    # A node that does not exist has no card: its id is all there is to say.
    assert connection_problem(graph, Edge("ghost", "cat", target_port=2), arity) == "node 'ghost' does not exist"


def test_undo_texts_name_the_cards():
    graph = renamed_chain()
    new = Node("dense_2", "Dense", {"units": 2, "name": "head"})
    assert AddNode(graph, new).text == "Add Dense 'head'"
    stack = UndoStack()
    stack.push(AddNode(graph, new))
    steps = [
        Connect(graph, Edge("dense_1", "dense_2")),
        SetConfig(graph, "dense_2", {"units": 3, "name": "head"}),
        MoveNode(graph, "dense_2", (10.0, 20.0)),
        Disconnect(graph, Edge("dense_1", "dense_2")),
        remove_node(graph, "dense_1"),
    ]
    texts = []
    for step in steps:
        texts.append(step.text)
        stack.push(step)
    assert texts == ["Connect 'decoder' → 'head'", "Change 'head'", "Move 'head'", "Disconnect 'decoder' → 'head'",
                     "Delete Dense 'decoder'"]
    assert stack.undo_text == "Delete Dense 'decoder'"


def keras_project(nodes: list[dict], edges: list[tuple[str, str]]):
    return from_dict({"format": "netbuilder", "version": 1, "name": "p", "graph": {
        "nodes": nodes, "edges": [{"source": s, "target": t} for s, t in edges]}})


def test_a_name_used_twice_is_said_with_the_name_and_the_layer_of_the_card_that_keeps_it():
    from netbuilder.keras_bridge import check_project

    project = keras_project(
        [{"id": "x", "layer": "Input", "config": {"shape": [3]}},
         {"id": "dense", "layer": "Dense", "config": {"units": 3, "name": "enc"}},
         {"id": "dense_1", "layer": "Dense", "config": {"units": 3, "name": "enc"}}],
        [("x", "dense"), ("x", "dense_1")])
    assert [str(p) for p in check_project(project).problems] == [
        "Dense 'dense_1': name 'enc' is already used by Dense 'enc'"]


def test_a_shared_layer_not_built_yet_is_named_as_its_card_is_even_after_a_rename():
    from netbuilder.keras_bridge import ProjectChecker

    project = keras_project(
        [{"id": "a", "layer": "Input", "config": {"shape": [3]}}, {"id": "w", "layer": "Input", "config": {"shape": [3]}},
         {"id": "b", "layer": "Dense", "config": {"units": 3}},
         {"id": "owner", "layer": "Dense", "config": {"units": 2, "name": "encoder"}},
         {"id": "twin", "layer": "Dense", "config": {"units": 2}, "shares": "owner"}],
        [("w", "b"), ("b", "owner"), ("a", "twin")])
    checker = ProjectChecker(project, load_catalog())

    def said() -> list[str]:
        return [p.message for p in checker.check().problems if p.node_id == "twin"]

    assert said() == []
    # Fed from a new Input, `w`'s chain puts the owner after its twin in the order the graph is traced in.
    stack = UndoStack()
    stack.push(AddNode(project.graph, Node("z", INPUT_LAYER, {"shape": [3]})))
    stack.push(Connect(project.graph, Edge("z", "w")))
    assert said() == ["shares the layer of node 'encoder', which is not built yet"]
    stack.push(SetConfig(project.graph, "owner", {"units": 2, "name": "projector"}))
    assert said() == ["shares the layer of node 'projector', which is not built yet"]
    assert said() == [p.message for p in ProjectChecker(project, load_catalog()).check().problems if p.node_id == "twin"]


def test_the_command_line_starts_each_line_with_the_id_and_names_cards_inside_it(write_project, capsys):
    path = write_project({"format": "netbuilder", "version": 1, "name": "t", "graph": {
        "nodes": [{"id": "x", "layer": "Input", "config": {"shape": [4]}},
                  {"id": "sum", "layer": "Add", "config": {}},
                  {"id": "a", "layer": "Dense", "config": {"units": 4, "name": "encoder"}}],
        "edges": [{"source": "x", "target": "sum"}, {"source": "sum", "target": "a"},
                  {"source": "a", "target": "sum", "target_port": 1}]}})
    assert main(["validate", str(path)]) == 1
    assert capsys.readouterr().err == f"{path}: Add 'sum': is part of a cycle: sum → encoder → sum\n"
