"""After automatic layout, skip wires and their shape labels keep clear of the cards they pass.

The canvas draws each wire as one curve from port to port; in a residual
network the skip wire runs past the cards of its block, and its shape label
must not sit on them (issue 13). Checked on the real canvas, as drawn.
"""

from __future__ import annotations

import importlib.util

from netbuilder.graph import Compound, MoveNode

from helpers import REPO


def big_graphs():
    spec = importlib.util.spec_from_file_location("big_graphs", REPO / "bench" / "big_graphs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def collisions(scene, graph) -> list[str]:
    """Each wire that runs through a card other than its own ends, and each label drawn over any card."""
    cards = {node_id: item.sceneBoundingRect() for node_id, item in scene.nodes.items()}
    found = []
    for edge, wire in scene.wires.items():
        outline = wire.mapToScene(wire.shape())
        label = wire.mapRectToScene(wire.label_rect())
        for node_id, card in cards.items():
            if node_id not in (edge.source, edge.target) and outline.intersects(card):
                found.append(f"wire {edge.source} → {edge.target} runs through {node_id}")
            if not label.isEmpty() and label.intersects(card):
                found.append(f"label {wire.label!r} of {edge.source} → {edge.target} covers {node_id}")
    return found


def test_skip_wires_and_their_labels_keep_clear_of_cards_after_automatic_layout(editor, write_project, qtbot):
    # Saved without positions: opening lays the project out, as importing a model does.
    path = write_project(big_graphs().big_project("residual", 20, positioned=False))
    editor.files.open_path(path)
    doc = editor.document
    graph = doc.graph
    qtbot.waitUntil(lambda: len(editor.scene.nodes) == len(graph) and len(editor.scene.wires) == len(graph.edges))
    doc.flush_check()
    skip = editor.scene.wires[next(e for e in graph.edges if e.target.endswith("_add") and e.target_port == 1)]
    assert skip.label == "(None, 16)"  # labels are drawn, so they are checked too
    assert collisions(editor.scene, graph) == []

    # Cards dragged about, then Arrange Automatically (Ctrl+L).
    doc.push(Compound("drag", [MoveNode(graph, n.id, (n.position[1], n.position[0])) for n in graph.nodes]))
    editor.actions["arrange"].trigger()
    assert doc.stack.undo_text == "Arrange automatically"
    doc.flush_check()
    qtbot.waitUntil(lambda: all(
        (item.pos().x(), item.pos().y()) == graph.node(node_id).position for node_id, item in editor.scene.nodes.items()))
    assert collisions(editor.scene, graph) == []
