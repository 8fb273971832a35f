"""Property: any sequence of edits made through the window, then Undo until it stops, restores the file.

Edits go through the same entry points the user's gestures reach (palette
activation, wires judged by the document, inspector signals, menu actions),
chosen at random from a seeded generator so a failure can be replayed. Shared
layers (one more call of a layer, pushed as the document's own command) are in
the mix, so delete, copy, duplicate, group and ungroup meet them too.
"""

from __future__ import annotations

import json
import random

import pytest
from PySide6.QtCore import QPointF

from netbuilder.graph import INPUT_LAYER, SUBMODEL_LAYER, AddNode, Compound, Edge, Node
from netbuilder.graph.validation import sharing_problem
from netbuilder.graph.commands import Connect

LAYERS = ["Dense", "Dropout", "Add", "Concatenate", "BatchNormalization", "Flatten", "Activation", "Input"]


def text(window) -> str:
    return json.dumps(window.document.project.to_dict())


def sharing_problems(window) -> list[str]:
    project = window.document.project
    graphs = [project.graph, *project.submodels.values()]
    return [f"{n.id}: {problem}" for g in graphs for n in g.nodes if (problem := sharing_problem(g, n))]


def random_edit(window, rng: random.Random) -> None:
    doc, scene, edits, actions = window.document, window.scene, window.edits, window.actions
    ids = [n.id for n in doc.graph.nodes]
    kind = rng.choice(["add", "connect", "connect", "delete", "config", "move", "copy", "duplicate",
                       "insert", "arrange", "group", "disconnect", "share", "share", "ungroup"])
    pick = lambda k: rng.sample(ids, min(k, len(ids)))  # noqa: E731
    if kind == "add" or not ids:
        edits.add_layer(rng.choice(LAYERS), None, QPointF(rng.uniform(-500, 500), rng.uniform(-500, 500)))
    elif kind == "connect":
        for _ in range(10):
            a, b = rng.choice(ids), rng.choice(ids)
            edge = Edge(a, b, 0, rng.randint(0, 2))
            if doc.verdict(edge).problem is None:
                doc.push(Connect(doc.graph, edge))
                break
    elif kind == "disconnect" and doc.graph.edges:
        scene.clearSelection()
        scene.wires[rng.choice(doc.graph.edges)].setSelected(True)
        actions["delete"].trigger()
    elif kind == "delete":
        scene.select_nodes(pick(rng.randint(1, 2)))
        actions["delete"].trigger()
    elif kind == "config":
        node = doc.graph.node(rng.choice(ids))
        if node.layer == "Dense":
            window._config_edited(node.id, {**node.config, "units": rng.randint(1, 9)})
        elif node.layer == "Dropout":
            window._config_edited(node.id, {**node.config, "rate": round(rng.random() * 0.9, 2)})
        elif node.layer != SUBMODEL_LAYER:
            window._config_edited(node.id, {**node.config, "name": f"n{rng.randint(0, 999)}"})
    elif kind == "move":
        chosen = pick(rng.randint(1, 3))
        scene.select_nodes(chosen)
        for nid in chosen:
            scene.nodes[nid].moveBy(rng.uniform(-90, 90), rng.uniform(-90, 90))
        scene._press_positions = {nid: scene.nodes[nid].pos() - QPointF(1, 1) for nid in chosen}
        scene._commit_moves()
    elif kind == "copy":
        scene.select_nodes(pick(rng.randint(1, 3)))
        actions["copy"].trigger()
        actions["paste"].trigger()
    elif kind == "duplicate":
        scene.select_nodes(pick(rng.randint(1, 3)))
        actions["duplicate"].trigger()
    elif kind == "insert":
        from netbuilder.graph import connection_problem

        for _ in range(10):  # the "Insert Flatten"-style fix: a wire drawn through a new layer
            edge = Edge(rng.choice(ids), rng.choice(ids), 0, rng.randint(0, 1))
            if connection_problem(doc.graph, edge, doc.input_range) is None:
                edits.connect_through("Dropout", edge)
                break
    elif kind == "arrange":
        actions["arrange"].trigger()
    elif kind == "group":
        doc.flush_check()
        edits.group_as(pick(rng.randint(1, 3)), f"g{rng.randint(0, 99)}")  # refused groups change nothing
    elif kind == "share":
        owners = [n for n in doc.graph.nodes if n.layer not in (INPUT_LAYER, SUBMODEL_LAYER) and n.shares is None]
        if owners:
            owner = rng.choice(owners)
            twin = Node(doc.graph.new_id(f"{owner.id}_twin"), owner.layer, {}, (rng.uniform(-500, 500), 0.0),
                        shares=owner.id)
            # Fed what feeds the owner, so the checker really calls the shared layer twice.
            wires = [Connect(doc.graph, Edge(e.source, twin.id, e.source_port, e.target_port))
                     for e in doc.graph.incoming(owner.id)]
            doc.push(Compound(f"Share '{owner.id}'", [AddNode(doc.graph, twin), *wires]))
    elif kind == "ungroup":
        users = [n.id for n in doc.graph.nodes if n.layer == SUBMODEL_LAYER]
        if users:
            scene.select_nodes([rng.choice(users)])
            edits.ungroup()
    doc.flush_check()


@pytest.mark.parametrize("seed", range(8))
def test_random_edits_then_undo_all_restore_the_document(editor, seed):
    rng = random.Random(seed)
    editor.files.open_example(rng.choice(["wide_and_deep", "autoencoder", "mlp_128_10"]))
    original = text(editor)
    for _ in range(25):
        random_edit(editor, rng)
        if rng.random() < 0.15 and editor.document.stack.can_undo:
            editor.actions["undo"].trigger()
            if rng.random() < 0.5:
                editor.actions["redo"].trigger()
        assert sharing_problems(editor) == []
    final = text(editor)
    undone = 0
    while editor.actions["undo"].isEnabled():
        editor.actions["undo"].trigger()
        undone += 1
    assert text(editor) == original
    assert not editor.isWindowModified()
    for _ in range(undone):  # the redo list may hold more: steps undone earlier and never replaced
        editor.actions["redo"].trigger()
    assert text(editor) == final
    assert set(editor.scene.nodes) == {n.id for n in editor.document.graph.nodes}
    assert set(editor.scene.wires) == set(editor.document.graph.edges)
