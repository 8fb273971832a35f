"""Group into sub-model (and ungroup): the model stays the same, and one undo puts everything back."""


import pytest

from helpers import push_and_check_undo

from netbuilder.graph import Edge, Graph, Node, Project, UndoStack
from netbuilder.graph.grouping import group_command, ungroup_command

ENCODER = ["flatten", "enc16", "enc10", "enc5", "code"]
DECODER = ["dec5", "dec10", "dec16", "pixels", "reshape"]
SHAPES = {
    "image": [None, 28, 28, 1], "flatten": [None, 784], "enc16": [None, 16], "encoder": [None, 3],
    "x": [None, 4], "a": [None, 4], "b": [None, 4], "m": [None, 4],
}


def known_shape(node_id, port):
    return SHAPES.get(node_id)


def seed_project():
    """Input(28,28,1) → Flatten → Dense 16, 10, 5, 3, 5, 10, 16, 784 → Reshape, top to bottom."""
    graph = Graph()
    layers = [
        ("image", "Input", {"shape": [28, 28, 1]}),
        ("flatten", "Flatten", {}),
        ("enc16", "Dense", {"units": 16, "activation": "relu"}),
        ("enc10", "Dense", {"units": 10, "activation": "relu"}),
        ("enc5", "Dense", {"units": 5, "activation": "relu"}),
        ("code", "Dense", {"units": 3}),
        ("dec5", "Dense", {"units": 5, "activation": "relu"}),
        ("dec10", "Dense", {"units": 10, "activation": "relu"}),
        ("dec16", "Dense", {"units": 16, "activation": "relu"}),
        ("pixels", "Dense", {"units": 784, "activation": "sigmoid"}),
        ("reshape", "Reshape", {"target_shape": [28, 28, 1]}),
    ]
    for i, (nid, layer, config) in enumerate(layers):
        graph.add_node(Node(nid, layer, config, (50.0, 100.0 * i)))
        if i:
            graph.add_edge(Edge(layers[i - 1][0], nid))
    return Project("autoencoder", graph)


def diamond_project(outputs=None):
    """x → a, x → b, (a, b) → m (Add) → out; positions on a grid."""
    graph = Graph()
    for nid, layer, pos in [("x", "Input", (0, 0)), ("a", "Dense", (0, 100)), ("b", "Dense", (200, 100)),
                            ("m", "Add", (100, 200)), ("out", "Dense", (100, 300))]:
        graph.add_node(Node(nid, layer, {"units": 4} if layer == "Dense" else {}, pos))
    for edge in [Edge("x", "a"), Edge("x", "b"), Edge("a", "m"), Edge("b", "m", target_port=1), Edge("m", "out")]:
        graph.add_edge(edge)
    graph.outputs = outputs
    return Project("diamond", graph)




def test_seed_autoencoder_grouped_into_encoder_and_decoder():
    project = seed_project()
    original = project.to_dict()
    stack = UndoStack()
    encode, encoder_id = group_command(project, project.graph, ENCODER, "encoder", known_shape)
    stack.push(encode)
    decode, decoder_id = group_command(project, project.graph, DECODER, "decoder", known_shape)
    stack.push(decode)

    assert (encoder_id, decoder_id) == ("encoder", "decoder")
    assert encode.text == "Group 5 layers into 'encoder'"
    doc = project.to_dict()
    assert [(n["id"], n["layer"], n["config"]) for n in doc["graph"]["nodes"]] == [
        ("image", "Input", {"shape": [28, 28, 1]}),
        ("encoder", "Submodel", {"submodel": "encoder"}),
        ("decoder", "Submodel", {"submodel": "decoder"}),
    ]
    assert doc["graph"]["edges"] == [
        {"source": "image", "target": "encoder"}, {"source": "encoder", "target": "decoder"}
    ]
    assert list(project.submodels) == ["encoder", "decoder"]
    encoder, decoder = project.submodels["encoder"], project.submodels["decoder"]
    assert [n.id for n in encoder.nodes] == ["image", *ENCODER]
    assert encoder.node("image").config == {"shape": [28, 28, 1], "name": "image"}
    assert encoder.outputs == ["code"]
    assert [n.id for n in decoder.nodes] == ["encoder", *DECODER]
    assert decoder.node("encoder").config == {"shape": [3], "name": "encoder"}
    assert decoder.outputs == ["reshape"]
    assert set(decoder.edges) == {Edge("encoder", "dec5"), Edge("dec5", "dec10"), Edge("dec10", "dec16"),
                                  Edge("dec16", "pixels"), Edge("pixels", "reshape")}

    grouped = project.to_dict()
    stack.undo()
    stack.undo()
    assert project.to_dict() == original
    stack.redo()
    stack.redo()
    assert project.to_dict() == grouped


def test_grouped_autoencoder_builds_the_same_keras_model():
    from netbuilder.keras_bridge import check_project

    project = seed_project()
    report = check_project(project)
    assert report.ok, report.problems
    params, output_shape = report.model.count_params(), report.model.output.shape

    def shape_of(node_id, port):
        shapes = check_project(project).shapes().get(node_id)
        return None if shapes is None else list(shapes[port])

    group_command(project, project.graph, ENCODER, "encoder", shape_of)[0].redo()
    group_command(project, project.graph, DECODER, "decoder", shape_of)[0].redo()
    report = check_project(project)
    assert report.ok, [str(p) for p in report.problems]
    assert report.model.count_params() == params == 26387
    assert report.model.output.shape == output_shape


def test_group_node_sits_at_the_centroid_and_the_sub_model_starts_near_the_origin():
    project = seed_project()
    command, node_id = group_command(project, project.graph, ["enc10", "enc5"], "middle", known_shape)
    command.redo()
    assert project.graph.node(node_id).position == (50.0, 350.0)
    sub = project.submodels["middle"]
    assert [n.position for n in sub.nodes] == [(0.0, 0.0), (0.0, 120.0), (0.0, 220.0)]
    assert project.graph.index_of(node_id) == 3  # where the group was in the node list


def test_each_outside_tensor_becomes_one_input_in_order_of_use():
    project = diamond_project()
    command, node_id = group_command(project, project.graph, ["m"], "merge", known_shape)
    push_and_check_undo(project, command)
    sub = project.submodels["merge"]
    assert [(n.id, n.config["shape"]) for n in sub.nodes if n.layer == "Input"] == [("a", [4]), ("b", [4])]
    assert set(sub.edges) == {Edge("a", "m"), Edge("b", "m", target_port=1)}
    assert project.graph.incoming(node_id) == [Edge("a", node_id), Edge("b", node_id, target_port=1)]


def test_one_tensor_feeding_several_selected_layers_is_one_input():
    project = diamond_project()
    command, node_id = group_command(project, project.graph, ["a", "b", "m"], "block", known_shape)
    push_and_check_undo(project, command)
    sub = project.submodels["block"]
    assert sub.input_ids() == ["x"]
    assert {e for e in sub.edges if e.source == "x"} == {Edge("x", "a"), Edge("x", "b")}
    assert project.graph.incoming(node_id) == [Edge("x", node_id)]
    assert project.graph.outgoing(node_id) == [Edge(node_id, "out")]


def test_each_result_leaving_the_group_becomes_an_output_port():
    project = diamond_project()
    command, node_id = group_command(project, project.graph, ["a", "b"], "pair", known_shape)
    push_and_check_undo(project, command)
    assert project.submodels["pair"].outputs == ["a", "b"]
    assert sorted(project.graph.outgoing(node_id), key=lambda e: e.source_port) == [
        Edge(node_id, "m", 0, 0), Edge(node_id, "m", 1, 1)
    ]


def test_explicit_model_outputs_name_the_group_node_instead():
    project = diamond_project(outputs=["out"])
    command, node_id = group_command(project, project.graph, ["m", "out"], "head", known_shape)
    push_and_check_undo(project, command)
    assert project.graph.outputs == [node_id]
    assert project.submodels["head"].outputs == ["out"]


def test_ungroup_puts_the_layers_back_where_they_were():
    project = seed_project()
    original = project.to_dict()
    group_command(project, project.graph, ENCODER, "encoder", known_shape)[0].redo()
    command = ungroup_command(project, project.graph, "encoder")
    assert command.text == "Ungroup 'encoder'"
    push_and_check_undo(project, command)
    doc = project.to_dict()
    assert doc["graph"]["nodes"] == original["graph"]["nodes"]
    assert sorted(map(str, project.graph.edges)) == sorted(
        str(Edge(**e)) for e in original["graph"]["edges"]
    )
    assert "submodels" not in doc


def test_ungroup_keeps_a_sub_model_another_node_still_uses():
    project = seed_project()
    command, node_id = group_command(project, project.graph, ["enc10"], "block", known_shape)
    command.redo()
    project.graph.add_node(Node("again", "Submodel", {"submodel": "block"}))
    push_and_check_undo(project, ungroup_command(project, project.graph, node_id))
    assert "block" in project.submodels
    assert project.graph.node("enc10").layer == "Dense"


@pytest.mark.parametrize("selection, name, message", [
    ([], "g", "nothing is selected"),
    (["image", "flatten"], "g", "Input nodes stay in the main graph; select only layers"),
    (["flatten"], "", "a sub-model needs a name"),
    (["flatten"], "my model", "letters, digits, _ and - only"),
    (["flatten"], "taken", "a sub-model named 'taken' already exists"),
    (["flatten"], "code", "layer 'code' is already named 'code'"),
    (["enc16", "enc5"], "g", "layer 'enc10' is fed by the selection and feeds it too"),
    (["nope"], "g", "no node with id 'nope'"),
])
def test_refused_selections_say_why(selection, name, message):
    project = seed_project()
    project.submodels["taken"] = Graph()
    before = project.to_dict()
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        group_command(project, project.graph, selection, name, known_shape)
    assert project.to_dict() == before


def test_an_unknown_upstream_shape_is_refused_with_the_promised_sentence():
    project = seed_project()
    with pytest.raises(ValueError) as info:
        group_command(project, project.graph, ["enc16"], "g", lambda node_id, port: None)
    assert str(info.value) == (
        "cannot group: the shape of the tensor from 'flatten' is not known yet — fix the problems upstream first"
    )


def test_a_group_whose_results_are_both_model_output_and_feed_others_is_refused():
    project = diamond_project(outputs=["a", "out"])
    with pytest.raises(ValueError, match="both be model outputs and feed other layers"):
        group_command(project, project.graph, ["a", "b"], "pair", known_shape)


def test_a_second_output_port_leaving_the_group_is_refused():
    project = diamond_project()
    project.graph.remove_edge(Edge("m", "out"))
    project.graph.add_edge(Edge("m", "out", source_port=1))
    with pytest.raises(ValueError, match="only a layer's first output can leave a sub-model"):
        group_command(project, project.graph, ["a", "b", "m"], "block", known_shape)


def test_grouping_inside_a_sub_model():
    project = seed_project()
    group_command(project, project.graph, ENCODER, "encoder", known_shape)[0].redo()
    inner = project.submodels["encoder"]
    command, node_id = group_command(project, inner, ["enc16", "enc10"], "stem", known_shape)
    push_and_check_undo(project, command)
    assert list(project.submodels) == ["encoder", "stem"]
    assert [n.id for n in inner.nodes] == ["image", "flatten", node_id, "enc5", "code"]
