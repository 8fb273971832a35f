"""Shared layers (`Node.shares`) through every edit that changes ids: copy, paste, duplicate, delete,
group and ungroup never leave a node sharing a layer it did not share, or naming a node that is not there."""

import json

import pytest

from helpers import push_and_check_undo

from netbuilder.graph import Edge, Graph, Node, Project, validate
from netbuilder.graph.fragment import copy_fragment, delete_command, duplicate_command, paste_command
from netbuilder.graph.grouping import group_command, ungroup_command
from netbuilder.graph.incremental_validation import IncrementalValidation

ENCODER = {"units": 8, "activation": "relu"}


def siamese():
    """left → enc → head ← enc_1 ← right: one Dense layer called on two inputs, then merged."""
    graph = Graph()
    graph.add_node(Node("left", "Input", {"shape": [4]}, (0.0, 0.0)))
    graph.add_node(Node("right", "Input", {"shape": [4]}, (200.0, 0.0)))
    graph.add_node(Node("enc", "Dense", dict(ENCODER), (0.0, 100.0)))
    graph.add_node(Node("enc_1", "Dense", {}, (200.0, 100.0), shares="enc"))
    graph.add_node(Node("head", "Add", {}, (100.0, 200.0)))
    for edge in [Edge("left", "enc"), Edge("right", "enc_1"), Edge("enc", "head"),
                 Edge("enc_1", "head", target_port=1)]:
        graph.add_edge(edge)
    return graph




def added(graph, new_ids):
    return [graph.node(i) for i in new_ids]


def sharing_problems(graph):
    return [str(p) for p in validate(graph) if "share" in p.message]


# -- duplicate and paste --------------------------------------------------------------
def test_duplicating_a_shared_pair_makes_a_new_pair_sharing_its_own_layer():
    project = Project("p", siamese())
    command, new_ids = duplicate_command(project.graph, ["enc", "enc_1"])
    push_and_check_undo(project, command)
    owner, sharer = added(project.graph, new_ids)
    assert owner.shares is None and owner.config == ENCODER
    assert sharer.shares == owner.id  # not the original: the copies get weights of their own
    assert project.graph.node("enc_1").shares == "enc"
    assert sharing_problems(project.graph) == []


def test_duplicating_a_sharer_alone_gives_one_more_call_of_the_same_layer():
    project = Project("p", siamese())
    command, (copy_id,) = duplicate_command(project.graph, ["enc_1"])
    push_and_check_undo(project, command)
    copy = project.graph.node(copy_id)
    assert copy.shares == "enc" and copy.config == ENCODER
    assert sharing_problems(project.graph) == []


def test_duplicating_an_owner_alone_gives_a_new_layer_with_its_settings():
    graph = siamese()
    command, (copy_id,) = duplicate_command(graph, ["enc"])
    command.redo()
    assert graph.node(copy_id).shares is None and graph.node(copy_id).config == ENCODER
    assert graph.node("enc_1").shares == "enc"


def test_a_sharer_pasted_where_its_owner_is_missing_gets_a_layer_of_its_own_with_the_same_settings():
    data = json.loads(json.dumps(copy_fragment(siamese(), ["enc_1"])))
    other = Graph()
    other.add_node(Node("x", "Input", {"shape": [4]}))
    command, (copy_id,) = paste_command(other, data, offset=(0.0, 0.0))
    command.redo()
    copy = other.node(copy_id)
    assert copy.shares is None and copy.config == ENCODER
    assert sharing_problems(other) == []


@pytest.mark.parametrize("stranger", [
    Node("enc", "Dense", {"units": 3}),  # same id, other settings: another project's layer
    Node("enc", "Conv2D", dict(ENCODER)),  # same id, another class
    Node("enc", "Dense", dict(ENCODER), shares="elsewhere"),  # itself a sharer
])
def test_a_sharer_is_never_tied_to_an_unrelated_node_that_has_its_owners_id(stranger):
    data = copy_fragment(siamese(), ["enc_1"])
    other = Graph()
    other.add_node(stranger)
    command, (copy_id,) = paste_command(other, data, offset=(0.0, 0.0))
    command.redo()
    assert other.node(copy_id).shares is None and other.node(copy_id).config == ENCODER


def test_a_sharer_pasted_after_its_owner_was_deleted_stands_alone():
    graph = siamese()
    data = copy_fragment(graph, ["enc_1"])
    delete_command(graph, ["enc", "enc_1"]).redo()
    command, (copy_id,) = paste_command(graph, data)
    command.redo()
    assert graph.node(copy_id).shares is None and graph.node(copy_id).config == ENCODER


def test_a_pasted_copy_never_names_a_node_that_is_not_there():
    """A dangling `shares` in the clipboard (from a damaged file) is not carried over either."""
    data = copy_fragment(siamese(), ["enc_1"])
    data["nodes"][0]["shares"] = "ghost"
    graph = Graph()
    command, (copy_id,) = paste_command(graph, data, offset=(0.0, 0.0))
    command.redo()
    assert graph.node(copy_id).shares is None


def test_clipboard_with_a_shares_that_is_not_an_id_is_refused_with_a_sentence():
    data = copy_fragment(siamese(), ["enc_1"])
    data["nodes"][0]["shares"] = ["enc"]
    with pytest.raises(ValueError, match=r"copied layers are damaged: .*'enc_1'.*\"shares\" must be the id"):
        paste_command(Graph(), data)


# -- delete ---------------------------------------------------------------------------
def test_deleting_the_owner_hands_the_layer_to_its_sharer_and_undo_takes_it_back():
    project = Project("p", siamese())
    push_and_check_undo(project, delete_command(project.graph, ["enc"]))
    heir = project.graph.node("enc_1")
    assert heir.shares is None and heir.config == ENCODER
    assert sharing_problems(project.graph) == []


def test_deleting_the_owner_and_its_first_sharer_hands_the_layer_to_the_next():
    graph = siamese()
    graph.add_node(Node("enc_2", "Dense", {}, shares="enc"))
    graph.add_node(Node("enc_3", "Dense", {}, shares="enc"))
    delete_command(graph, ["enc", "enc_1"]).redo()
    assert graph.node("enc_2").shares is None and graph.node("enc_2").config == ENCODER
    assert graph.node("enc_3").shares == "enc_2"


def test_deleting_every_call_of_a_shared_layer_leaves_nothing_behind():
    graph = siamese()
    delete_command(graph, ["enc", "enc_1"]).redo()
    assert [n.id for n in graph.nodes] == ["left", "right", "head"]


# -- group and ungroup ------------------------------------------------------------------
def test_grouping_both_calls_of_a_shared_layer_keeps_them_sharing_inside():
    project = Project("p", siamese())
    command, _ = group_command(project, project.graph, ["enc", "enc_1"], "tower", lambda n, p: [None, 4])
    push_and_check_undo(project, command)
    sub = project.submodels["tower"]
    assert sub.node("enc_1").shares == "enc"
    assert sharing_problems(sub) == [] and sharing_problems(project.graph) == []


@pytest.mark.parametrize("selection", [["enc"], ["enc_1"], ["enc", "head"]])
def test_grouping_one_call_of_a_shared_layer_without_the_other_is_refused(selection):
    project = Project("p", siamese())
    before = json.dumps(project.to_dict())
    refusal = "cannot group: 'enc(_1)?' and 'enc(_1)?' call one shared layer.*both or neither"
    with pytest.raises(ValueError, match=refusal):
        group_command(project, project.graph, selection, "tower", lambda n, p: [None, 4])
    assert json.dumps(project.to_dict()) == before


def test_ungroup_points_the_inlined_sharer_at_the_inlined_owner_not_at_a_stranger():
    """The main graph has its own 'enc' (and 'enc_1'); the inlined copies must share with each other."""
    project = Project("p", siamese())
    group_command(project, project.graph, ["enc", "enc_1"], "tower", lambda n, p: [None, 4])[0].redo()
    graph = project.graph
    graph.add_node(Node("enc", "Dense", {"units": 2}))
    graph.add_node(Node("enc_1", "Dense", {"units": 2}))
    command = ungroup_command(project, graph, "tower")
    push_and_check_undo(project, command)
    inlined = [n for n in graph.nodes if n.id not in {"left", "right", "head", "enc", "enc_1"}]
    owner, sharer = inlined
    assert owner.shares is None and owner.config == ENCODER
    assert sharer.shares == owner.id
    assert graph.node("enc").shares is None and graph.node("enc_1").shares is None
    assert sharing_problems(graph) == []


def test_ungroup_of_a_sub_model_whose_layer_shares_a_missing_node_is_refused():
    project = Project("p", siamese())
    group_command(project, project.graph, ["enc", "enc_1"], "tower", lambda n, p: [None, 4])[0].redo()
    project.submodels["tower"].set_shares("enc_1", "ghost")
    project.graph.add_node(Node("ghost", "Dense", dict(ENCODER)))  # must not be picked up by the inlined copy
    with pytest.raises(ValueError, match="cannot ungroup: 'enc_1' in sub-model 'tower' shares the layer of 'ghost'"):
        ungroup_command(project, project.graph, "tower")


# -- validation -----------------------------------------------------------------------
@pytest.mark.parametrize("node, message", [
    (Node("s", "Dense", shares="nowhere"), "Dense 's': shares the layer of node 'nowhere', which does not exist"),
    (Node("s", "Dense", shares="s"), "Dense 's': shares its own layer"),
    (Node("s", "Conv2D", shares="enc"),
     "Conv2D 's': shares the layer of 'enc', a Dense; a Conv2D can only share a Conv2D"),
    (Node("s", "Dense", shares="enc_1"), "Dense 's': shares the layer of 'enc_1', which shares another node's layer"),
    (Node("s", "Input", {"shape": [4]}, shares="left"), "Input 's': an Input cannot share a layer"),
    (Node("s", "Submodel", {"submodel": "t"}, shares="enc"), "Submodel 's': a Submodel node cannot share a layer"),
])
def test_a_bad_shares_is_an_error_naming_the_node(node, message):
    graph = siamese()
    graph.add_node(node)
    found = sharing_problems(graph)
    assert len(found) == 1 and found[0].startswith(message)
    assert all(p.is_error for p in validate(graph) if "share" in p.message)


def test_the_incremental_check_follows_edits_of_the_owner():
    """A sharer's problem depends on its owner: deleting, re-adding or re-pointing the owner re-checks it."""
    graph = siamese()
    checker = IncrementalValidation(graph)
    assert checker.problems() == validate(graph)
    graph.remove_edge(Edge("left", "enc"))
    graph.remove_edge(Edge("enc", "head"))
    for edit in [
        lambda: graph.remove_node("enc"),
        lambda: graph.add_node(Node("enc", "Conv2D", {})),
        lambda: graph.remove_node("enc"),
        lambda: graph.add_node(Node("enc", "Dense", {}, shares="head")),
        lambda: graph.set_shares("enc", None),
        lambda: graph.set_shares("enc_1", "enc_1"),
    ]:
        edit()
        assert checker.problems() == validate(graph)


# -- what Keras builds ----------------------------------------------------------------
def test_every_edit_keeps_the_keras_model_sharing_what_it_shared():
    """8·4+8 weights, counted once however many calls the layer has, through duplicate, group, ungroup and delete."""
    from netbuilder.keras_bridge import check_project

    def params(project):
        report = check_project(project)
        assert report.ok, [str(p) for p in report.problems]
        return report.model.count_params()

    project = Project("siamese", siamese())
    assert params(project) == 40
    command, (copy_id,) = duplicate_command(project.graph, ["enc_1"])
    command.redo()
    project.graph.add_edge(Edge("left", copy_id))
    project.graph.add_edge(Edge(copy_id, "head", target_port=2))
    assert params(project) == 40  # one more call, no new weights
    group_command(project, project.graph, ["enc", "enc_1", copy_id], "tower", lambda n, p: [None, 4])[0].redo()
    assert params(project) == 40
    ungroup_command(project, project.graph, "tower").redo()
    assert params(project) == 40
    owner = next(n.id for n in project.graph.nodes if n.layer == "Dense" and n.shares is None)
    delete_command(project.graph, [owner, "head"]).redo()  # the two calls left are the outputs
    assert params(project) == 40  # the layer lives on in them
