"""Adding a node, inserting one into a wire, and editing the sub-model table, each undone exactly."""

import pytest

from helpers import push_and_check_undo
from netbuilder.graph import Edge, Graph, Node, Project, UndoStack
from netbuilder.graph.edits import add_node_command, insert_on_edge_command, snake_case
from netbuilder.graph.project_commands import AddSubmodel, RemoveSubmodel, RenameSubmodel


def chain():
    """x → a → m ← b ← x (b on port 1), with positions."""
    graph = Graph()
    for nid, layer, pos in [("x", "Input", (0.0, 0.0)), ("a", "Dense", (0.0, 100.0)),
                            ("b", "Dense", (200.0, 100.0)), ("m", "Concatenate", (100.0, 300.0))]:
        graph.add_node(Node(nid, layer, {"shape": [4]} if layer == "Input" else {}, pos))
    for edge in [Edge("x", "a"), Edge("a", "m"), Edge("x", "b"), Edge("b", "m", target_port=1)]:
        graph.add_edge(edge)
    return graph


@pytest.mark.parametrize("layer, stem", [
    ("Dense", "dense"), ("Conv2D", "conv2d"), ("GlobalAveragePooling2D", "global_average_pooling2d"),
    ("Input", "input"), ("LSTM", "lstm"), ("MultiHeadAttention", "multi_head_attention"),
    ("Conv2DTranspose", "conv2d_transpose"),
])
def test_ids_are_stemmed_like_keras_layer_names(layer, stem):
    assert snake_case(layer) == stem


def test_add_node_gets_a_fresh_id_and_undo_removes_it():
    graph = chain()
    graph.add_node(Node("dense", "Dense"))
    command, node_id = add_node_command(graph, "Dense", {"units": 8}, (10.0, 20.0))
    assert node_id == "dense_1"
    after = push_and_check_undo(graph, command)
    assert after["nodes"][-1] == {"id": "dense_1", "layer": "Dense", "config": {"units": 8}, "position": [10.0, 20.0]}


def test_add_node_with_a_stem_and_a_submodel_named_after_its_sub_model():
    graph = chain()
    assert add_node_command(graph, "Dense", {}, None, stem="head")[1] == "head"
    assert add_node_command(graph, "Submodel", {"submodel": "encoder"}, None)[1] == "encoder"


def test_insert_on_a_wire_keeps_the_target_port_and_sits_halfway():
    graph = chain()
    command, node_id = insert_on_edge_command(graph, Edge("b", "m", target_port=1), "Flatten", {})
    assert command.text == "Insert Flatten"
    assert node_id == "flatten"
    push_and_check_undo(graph, command)
    assert Edge("b", "m", target_port=1) not in graph.edges
    assert graph.incoming("flatten") == [Edge("b", "flatten")]
    assert graph.incoming("m") == [Edge("a", "m"), Edge("flatten", "m", target_port=1)]
    assert graph.node("flatten").position == (150.0, 200.0)


def test_insert_without_positions_leaves_the_node_unplaced():
    graph = chain()
    graph.move_node("a", None)
    command, node_id = insert_on_edge_command(graph, Edge("x", "a"), "Dropout", {"rate": 0.5})
    command.redo()
    assert graph.node(node_id).position is None
    assert graph.node(node_id).config == {"rate": 0.5}


def test_insert_on_a_missing_wire_is_refused():
    with pytest.raises(ValueError, match="no wire 'a' → 'b'"):
        insert_on_edge_command(chain(), Edge("a", "b"), "Flatten", {})


def project_with_submodels():
    """Main graph and sub-model `outer` both use sub-model `inner`; a third sub-model `last`."""
    project = Project("p", chain())
    project.graph.add_node(Node("use", "Submodel", {"submodel": "inner", "name": "first_use"}))
    inner, outer, last = Graph(), Graph(), Graph()
    inner.add_node(Node("i", "Input", {"shape": [4]}))
    outer.add_node(Node("nested", "Submodel", {"submodel": "inner"}))
    project.submodels.update(inner=inner, outer=outer, last=last)
    return project


def test_add_submodel_appends_and_undo_removes_it():
    project = project_with_submodels()
    sub = Graph()
    push_and_check_undo(project, AddSubmodel(project, "new", sub))
    assert list(project.submodels) == ["inner", "outer", "last", "new"]
    assert project.submodels["new"] is sub


def test_add_submodel_with_a_name_in_use_is_refused():
    project = project_with_submodels()
    with pytest.raises(ValueError, match="a sub-model named 'outer' already exists"):
        UndoStack().push(AddSubmodel(project, "outer", Graph()))


def test_remove_submodel_undo_puts_it_back_in_its_place():
    project = project_with_submodels()
    table, outer = project.submodels, project.submodels["outer"]
    command = RemoveSubmodel(project, "outer")
    after = push_and_check_undo(project, command)
    assert list(after["submodels"]) == ["inner", "last"]
    command.undo()
    assert list(project.submodels) == ["inner", "outer", "last"]
    assert project.submodels is table and table["outer"] is outer  # the editor may hold on to either


def test_rename_submodel_keeps_the_order_and_repoints_every_use():
    project = project_with_submodels()
    heard = []
    project.graph.node_changed.connect(lambda node: heard.append(node.id))
    project.submodels["outer"].node_changed.connect(lambda node: heard.append(node.id))
    command = RenameSubmodel(project, "inner", "core")
    assert command.text == "Rename sub-model 'inner' to 'core'"
    after = push_and_check_undo(project, command)
    assert list(after["submodels"]) == ["core", "outer", "last"]
    assert project.graph.node("use").config == {"submodel": "core", "name": "first_use"}
    assert project.submodels["outer"].node("nested").config == {"submodel": "core"}
    assert sorted(heard) == ["nested"] * 3 + ["use"] * 3  # do, undo, redo: open canvases follow each


@pytest.mark.parametrize("old, new, message", [
    ("missing", "x", "there is no sub-model named 'missing'"),
    ("inner", "last", "a sub-model named 'last' already exists"),
    ("inner", "bad name!", "letters, digits, _ and - only"),
])
def test_rename_submodel_refusals(old, new, message):
    with pytest.raises(ValueError, match=message):
        RenameSubmodel(project_with_submodels(), old, new)


def test_set_section_replaces_in_place_and_undo_restores_the_exact_file():
    from netbuilder.graph import project_file
    from netbuilder.graph.project_commands import SetSection
    from netbuilder.graph.project_file import Project

    project = Project("p", sections={"description": "d", "training": {"epochs": 5}, "ui": {}})
    before = project_file.dumps(project)
    for value in ({"epochs": 9}, None):
        command = SetSection(project, "training", value)
        command.redo()
        assert project.sections.get("training") == value
        if value is not None:
            assert list(project.sections) == ["description", "training", "ui"]
        command.undo()
        assert project_file.dumps(project) == before
    added = SetSection(project, "dataset", {"source": "bundled:iris"})
    added.redo()
    assert list(project.sections)[-1] == "dataset"
    added.undo()
    assert project_file.dumps(project) == before
