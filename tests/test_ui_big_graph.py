"""The canvas with thousands of layers: read and checked off the GUI thread, drawn a slice at a time,
far out by one overview, the wires of a crowded port by one bundle, re-read after a check only where it
changed something, and cards whose text fits or is cut at a word."""

import importlib.util
import json
import sys

import pytest
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainterPath
from PySide6.QtWidgets import QGraphicsItem

from helpers import REPO
from netbuilder.catalog import load_catalog
from netbuilder.graph import Disconnect, Edge, Node, SetConfig, project_file
from netbuilder.ui.canvas import theme
from netbuilder.ui.canvas import scene as scene_module
from netbuilder.ui.canvas.card_text import ELLIPSIS, NAME_FONT, SMALL_FONT, elide_words
from netbuilder.ui.canvas.hit import wire_at
from netbuilder.ui.canvas.scene import GraphScene
from netbuilder.ui.canvas.view import MIN_ZOOM, GraphView
from netbuilder.ui.canvas.wire_item import WireItem, wire_path, wire_polyline
from netbuilder.ui.document import EditorDocument
from ui_gestures import click_canvas, drag_over, release_drag, start_palette_drag, type_keys

NO_CONTENTS = QGraphicsItem.GraphicsItemFlag.ItemHasNoContents
SEPARATORS = " _-./,·"


def _big_project(shape, layers):
    spec = importlib.util.spec_from_file_location("big_graphs", REPO / "bench" / "big_graphs.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["big_graphs"] = module
    spec.loader.exec_module(module)
    return module.big_project(shape, layers)


@pytest.fixture
def big_document(qtbot):
    """A document of a generated big graph, checked structurally only (no Keras: fast)."""
    def make(shape, layers):
        return EditorDocument(project_file.loads(json.dumps(_big_project(shape, layers))), load_catalog())
    return make


def _matches_graph(scene):
    graph = scene.document.graph
    return set(scene.nodes) == {n.id for n in graph.nodes} and set(scene.wires) == set(graph.edges)


def test_a_big_graph_is_drawn_a_slice_at_a_time_with_its_progress(qtbot, big_document):
    doc = big_document("residual", 3000)
    progress = []
    scene = GraphScene(doc)
    scene.load_progress.connect(lambda built, total: progress.append((built, total)))
    assert scene.is_loading and 0 < len(scene.nodes) < 3000  # the first slice only: the caller gets control back
    qtbot.waitUntil(lambda: not scene.is_loading, timeout=60_000)
    assert _matches_graph(scene)
    built = [b for b, _ in progress]
    assert built == sorted(built) and len(progress) > 3
    assert progress[-1] == (len(doc.graph) + len(doc.graph.edges),) * 2
    item = scene.nodes["block7_a"]
    assert item.pos().toTuple() == tuple(doc.graph.node("block7_a").position)


def test_edits_made_while_the_graph_is_drawn_reach_the_canvas(qtbot, big_document):
    doc = big_document("residual", 3000)
    graph = doc.graph
    scene = GraphScene(doc)
    late = "block900_b"  # not drawn yet
    assert late not in scene.nodes
    for edge in graph.incoming(late) + graph.outgoing(late):
        graph.remove_edge(edge)
    graph.remove_node(late)
    graph.add_node(Node("extra", "Dense", {"units": 4}, position=(500.0, 0.0)))
    graph.add_edge(Edge("block950_add", "extra"))  # from a card not drawn yet to one drawn at once
    graph.move_node("block990_a", (777.0, 888.0))
    qtbot.waitUntil(lambda: not scene.is_loading, timeout=60_000)
    assert _matches_graph(scene)
    assert late not in scene.nodes and Edge("block950_add", "extra") in scene.wires
    assert scene.nodes["block990_a"].pos().toTuple() == (777.0, 888.0)


def test_the_window_keeps_answering_while_a_big_project_is_checked(editor, tmp_path, qtbot):
    """Keras makes 600 layers (seconds): off the GUI thread, with the event loop turning meanwhile."""
    path = tmp_path / "residual.nbproj"
    path.write_text(json.dumps(_big_project("residual", 600)))
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(editor.document is None))
    timer.start(10)
    assert editor.files.open_path(path)
    assert editor.document is None  # not shown until its first check is done
    qtbot.waitUntil(lambda: editor.document is not None and not editor.scene.is_loading, timeout=120_000)
    timer.stop()
    assert ticks.count(True) >= 10  # the loop turned while the check ran
    assert _matches_graph(editor.scene) and not editor.load_bar.isVisible()
    assert editor.scene.nodes["block99_add"].look.shapes == "→ (None, 16)"
    assert editor.document.problems == []


@pytest.fixture
def far_view(qtbot, big_document):
    def make(shape, layers):
        scene = GraphScene(big_document(shape, layers))
        view = GraphView(scene)
        qtbot.addWidget(view)
        view.resize(1200, 800)
        view.show()
        scene.finish_loading()
        view.fit_all()
        qtbot.waitExposed(view)
        return view
    return make


def test_far_out_one_overview_draws_every_card_and_the_cards_stay_selectable(far_view):
    view = far_view("residual", 3000)
    scene = view.scene()
    assert view.zoom < theme.FAR_ZOOM
    assert all(item.flags() & NO_CONTENTS for item in scene.nodes.values()) and scene.overview.isVisible()
    picture = view.viewport().grab().toImage()
    dense = QColor(theme.CATEGORY_COLOURS["Core"]).rgb()
    coloured = sum(picture.pixel(x, y) == dense for x in range(0, picture.width(), 2) for y in range(picture.height()))
    assert coloured > 50  # the cards are there, drawn by the overview
    area = QPainterPath()
    area.addRect(QRectF(scene.items_rect().topLeft(), scene.items_rect().center()))
    scene.setSelectionArea(area)  # what a rubber band far out does
    assert len(scene.selected_node_ids()) > 10
    view.set_zoom(1.0)
    assert not any(item.flags() & NO_CONTENTS for item in scene.nodes.values()) and not scene.overview.isVisible()


def test_fit_all_shows_every_card_of_a_graph_too_tall_for_the_usual_zoom_limit(far_view):
    view = far_view("chain", 600)  # 66,000 units tall: a 800-pixel view shows 40,000 at the usual limit
    assert view.zoom < MIN_ZOOM
    assert view.visible_scene_rect().contains(view.scene().items_rect())
    fitted = view.zoom
    view.set_zoom(fitted / 2)
    assert view.zoom == pytest.approx(fitted)  # no further out than it takes to see all of it


def test_a_big_file_that_cannot_be_read_says_so_when_its_reading_ends(editor, tmp_path, qtbot):
    path = tmp_path / "broken.nbproj"
    path.write_text(json.dumps(_big_project("chain", 600))[:-40])  # cut short: not JSON any more
    assert editor.files.open_path(path)  # big enough to be read off the GUI thread
    qtbot.waitUntil(lambda: bool(editor.files.told), timeout=30_000)
    [told] = editor.files.told
    assert told.startswith("Cannot open project: broken.nbproj cannot be opened") and editor.document is None


def test_a_check_after_an_edit_rereads_only_the_cards_it_changed(qtbot, big_document, monkeypatch):
    doc = big_document("chain", 1000)
    scene = GraphScene(doc)
    scene.finish_loading()
    looked = []
    real = scene_module.node_look
    monkeypatch.setattr(scene_module, "node_look", lambda document, node, *rest: (
        looked.append(node.id), real(document, node, *rest))[1])
    doc.push(Disconnect(doc.graph, Edge("dense_499", "dense_500")))
    doc.flush_check()
    assert scene.nodes["dense_500"].look.hints  # not connected yet: shown on its card
    assert set(looked) == {"dense_499", "dense_500"}  # the wire's two ends, not 1,000 cards


def test_a_second_wire_from_a_port_moves_the_labels_of_both_towards_their_targets(qtbot, big_document):
    doc = big_document("chain", 3)
    scene = GraphScene(doc)
    first = scene.wires[Edge("input", "dense_1")]
    assert first.label_at == 0.5
    doc.graph.add_node(Node("extra", "Dense", {"units": 4}, position=(300.0, 110.0)))
    doc.graph.add_edge(Edge("input", "extra"))
    assert first.label_at == scene.wires[Edge("input", "extra")].label_at == 0.78
    doc.graph.remove_edge(Edge("input", "extra"))
    assert first.label_at == 0.5


def fan_editor(editor, write_project, layers=100):
    """The editor on a fan: one Input, `layers` - 2 Dense side by side, one Concatenate (crowded ports)."""
    editor.files.open_path(write_project(_big_project("fan", layers)))
    editor.document.flush_check()
    editor.scene.finish_loading()
    return editor.document, editor.scene


def test_the_wires_of_a_crowded_port_are_painted_by_one_bundle(editor, write_project, qtbot):
    doc, scene = fan_editor(editor, write_project)
    assert set(scene.bundles) == {("out", "input", 0), ("in", "concat", 0)}
    assert all(len(bundle) == 98 for bundle in scene.bundles.values())
    assert all(wire.bundle is not None and wire.flags() & NO_CONTENTS for wire in scene.wires.values())
    editor.view.set_zoom(1.0)
    editor.view.centerOn(0, 140)
    picture = editor.view.viewport().grab().toImage()
    grey = theme.WIRE.rgb()
    assert sum(picture.pixel(x, y) == grey for x in range(0, picture.width(), 2) for y in range(picture.height())) > 200


def on_a_bundled_wire(editor, edge):
    """A point on `edge`'s curve, and the wire the pointer finds there (wires of a fan lie close together)."""
    start = editor.scene.port_position(edge.source, False, edge.source_port)
    end = editor.scene.port_position(edge.target, True, edge.target_port)
    spot = wire_path(start, end).pointAtPercent(0.5)
    editor.view.set_zoom(1.0)
    editor.view.centerOn(spot)
    wire = wire_at(editor.scene, spot)
    assert wire is not None and wire.bundle is not None
    return spot, wire


def test_a_bundled_wire_is_selected_by_a_click_drawn_highlighted_and_deleted(editor, write_project, qtbot):
    doc, scene = fan_editor(editor, write_project)
    spot, wire = on_a_bundled_wire(editor, Edge("dense_0", "concat", 0, 0))
    bundle, edge = wire.bundle, wire.edge
    click_canvas(editor.view, spot)
    assert scene.selected_edges() == [edge]
    assert not wire.flags() & NO_CONTENTS  # it draws its highlight over the bundle
    type_keys(editor, key=Qt.Key.Key_Delete)
    assert not doc.graph.has_edge(edge) and edge not in scene.wires and len(bundle) == 97
    doc.undo()
    assert scene.wires[edge].bundle is bundle and len(bundle) == 98


def test_a_layer_dropped_on_a_bundled_wire_goes_into_it(editor, write_project, qtbot):
    doc, scene = fan_editor(editor, write_project)
    spot, wire = on_a_bundled_wire(editor, Edge("input", "dense_97"))
    mime = start_palette_drag(editor.palette, "Dropout")
    assert drag_over(editor.view, mime, spot) and editor.view.wire_drop.edge == wire.edge
    assert release_drag(editor.view, mime, spot)
    new = next(n.id for n in doc.graph.nodes if n.layer == "Dropout")
    assert {Edge(wire.edge.source, new), Edge(new, wire.edge.target)} <= set(doc.graph.edges)
    assert not doc.graph.has_edge(wire.edge)


def test_a_wire_across_thousands_of_cards_is_drawn_and_hit_along_its_curve(qtbot):
    start, end = QPointF(-200_000, 176), QPointF(300, 220)  # dense_0 into port 7 of a 10,000-input Concatenate
    polyline = wire_polyline(start, end)
    assert polyline.first() == start and polyline.last() == end
    wire = WireItem(Edge("dense_0", "concat", 0, 7))
    wire.set_ends(start, end)
    curve = wire_path(start, end)
    for percent in (0.02, 0.5, 0.98):
        on_curve = curve.pointAtPercent(percent)
        assert wire.shape().contains(on_curve)
        assert not wire.shape().contains(on_curve + QPointF(0, 60))


@pytest.mark.parametrize("text, font, width", [
    ("separable_conv_1_reduction_left1_stem_1", NAME_FONT, 150.0),
    ("3×3 · 16 filters · stride 2×2 · relu", SMALL_FONT, 90.0),
    ("Add cannot add shapes (None, 4) and (None, 5): they must be equal", SMALL_FONT, 170.0),
])
def test_text_too_long_for_a_card_is_cut_where_a_word_ends(qtbot, text, font, width):
    cut = elide_words(text, font, width)
    assert cut.endswith(ELLIPSIS) and len(cut) < len(text)
    head = cut[:-1]
    assert text.startswith(head) and text[len(head)] in SEPARATORS
    assert elide_words("dense_1", font, width) == "dense_1"


def test_a_card_grows_for_its_name_then_cuts_it_at_a_word_with_all_of_it_in_the_tooltip(editor):
    editor.files.open_example("mlp_128_10")
    doc = editor.document
    node_id = editor.edits.add_layer("Dense", None, QPointF(0, 400))
    card = editor.scene.nodes[node_id]
    assert card.width == theme.NODE_WIDTH and not card.card_text.name.endswith(ELLIPSIS)

    config = dict(doc.graph.node(node_id).config)
    doc.push(SetConfig(doc.graph, node_id, {**config, "name": "hidden_units_wide", "units": 64}))
    assert theme.NODE_WIDTH < card.width <= theme.NODE_MAX_WIDTH  # grew to fit, nothing cut
    assert card.card_text.name == "hidden_units_wide" and card.card_text.settings == card.look.settings

    long_name = "separable_conv_1_reduction_left1_stem_1_projection"
    doc.push(SetConfig(doc.graph, node_id, {**config, "name": long_name, "units": 64, "activation": "relu"}))
    text = card.card_text
    assert card.width == theme.NODE_MAX_WIDTH
    assert text.name.endswith(ELLIPSIS) and long_name[len(text.name) - 1] in SEPARATORS
    assert text.settings in ("", card.look.settings) or text.settings.endswith(ELLIPSIS)
    assert long_name in card.toolTip() and card.look.settings in card.toolTip()
