"""The Messages and Model summary panels follow the document as a user edits, undoes and switches graphs."""

import json
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt

from netbuilder.catalog import load_catalog
from netbuilder.graph import AddNode, Compound, Connect, Disconnect, Edge, Graph, Node, SetConfig, project_file
from netbuilder.ui.document import EditorDocument
from netbuilder.ui.messages_panel import MessagesPanel
from netbuilder.ui.model_summary import readable_size
from netbuilder.ui.summary_table import SummaryTable
from netbuilder.ui.summary_panel import WAITING_TEXT, SummaryPanel

from helpers import EXAMPLES

WIDE_AND_DEEP = EXAMPLES / "wide_and_deep.nbproj"
AUTOENCODER = EXAMPLES / "autoencoder.nbproj"
VALID = "✓ The model is valid"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture
def open_document(qtbot, catalog):
    def open_(path, keras=True):
        document = EditorDocument(project_file.load(path), catalog)
        if keras:
            document.attach_keras()
        return document

    return open_


@pytest.fixture
def show(qtbot):
    def show_(widget):
        qtbot.addWidget(widget)
        widget.show()
        qtbot.waitExposed(widget)
        return widget

    return show_


def set_units(document, node_id, units):
    config = dict(document.graph.node(node_id).config, units=units)
    document.push(SetConfig(document.graph, node_id, config))


# -- the summary ------------------------------------------------------------------

def test_summary_lists_every_layer_like_keras_with_the_same_total(open_document, show):
    from netbuilder.keras_bridge import build_model

    panel = show(SummaryPanel(open_document(WIDE_AND_DEEP)))
    assert panel.rows() == [
        ("wide", "Input", "(None, 10)", "0", ""),
        ("deep", "Input", "(None, 8)", "0", ""),
        ("h1", "Dense", "(None, 32)", "288", "deep"),
        ("cat", "Concatenate", "(None, 42)", "0", "wide, h1"),
        ("out", "Dense", "(None, 1)", "43", "cat"),
    ]
    keras_total = build_model(project_file.load(WIDE_AND_DEEP)).model.count_params()
    assert keras_total == 331
    assert panel.totals_text() == "Total params: 331 (1.29 KB) · Trainable: 331 · Non-trainable: 0"


def test_summary_says_it_waits_for_tensorflow_then_fills_in(open_document, show, qtbot):
    document = open_document(WIDE_AND_DEEP, keras=False)
    panel = show(SummaryPanel(document))
    assert panel.waiting.isVisible() and panel.waiting.text() == WAITING_TEXT
    assert panel.rows() == [] and panel.totals_text() == ""
    document.attach_keras()
    qtbot.waitUntil(lambda: len(panel.rows()) == 5)
    assert not panel.waiting.isVisible() and panel.table.isVisible()
    assert panel.totals_text().startswith("Total params: 331 ")


def test_summary_follows_an_edit_and_its_undo(open_document, show, qtbot):
    document = open_document(WIDE_AND_DEEP)
    panel = show(SummaryPanel(document))
    set_units(document, "h1", 64)
    qtbot.waitUntil(lambda: panel.rows()[2] == ("h1", "Dense", "(None, 64)", "576", "deep"))
    assert panel.rows()[3][2] == "(None, 74)" and panel.rows()[4][3] == "75"
    assert panel.totals_text().startswith("Total params: 651 (2.54 KB)")
    document.undo()
    qtbot.waitUntil(lambda: panel.totals_text().startswith("Total params: 331 "))


def test_a_broken_layer_shows_unknown_shape_and_count_in_red(open_document, show, qtbot):
    document = open_document(WIDE_AND_DEEP)
    panel = show(SummaryPanel(document))
    set_units(document, "h1", 0)
    qtbot.waitUntil(lambda: panel.rows()[2][2:4] == ("?", "?"))
    broken, fine = panel.model.index(2, 0), panel.model.index(0, 0)
    assert "units" in broken.data(Qt.ItemDataRole.ToolTipRole)
    assert broken.data(Qt.ItemDataRole.ForegroundRole).color() != panel.table.palette().text().color()
    assert fine.data(Qt.ItemDataRole.ForegroundRole) is None  # the usual colour


def test_a_hidden_summary_waits_until_it_is_shown(open_document, show, qtbot):
    document = open_document(WIDE_AND_DEEP)
    panel = show(SummaryPanel(document))
    panel.hide()
    set_units(document, "h1", 64)
    qtbot.wait(250)  # longer than the coalescing delay
    assert panel.rows()[2][2] == "(None, 32)"
    panel.show()
    assert panel.rows()[2][2] == "(None, 64)"


def test_summary_counts_sub_models_and_switches_with_the_canvas(open_document, show, qtbot):
    from netbuilder.keras_bridge import build_model

    document = open_document(AUTOENCODER)
    panel = show(SummaryPanel(document))
    assert [row[:4] for row in panel.rows()] == [
        ("image", "Input", "(None, 28, 28, 1)", "0"),
        ("encode", "Submodel encoder", "(None, 28, 28, 3)", "275"),
        ("decode", "Submodel decoder", "(None, 28, 28, 1)", "273"),
    ]
    total = build_model(project_file.load(AUTOENCODER)).model.count_params()
    assert panel.totals_text().startswith(f"Total params: {total:,} ")
    document.set_scope("encoder")
    qtbot.waitUntil(lambda: [row[0] for row in panel.rows()] == ["image", "enc16", "enc10", "enc5", "code"])
    assert panel.totals_text().startswith("Total params: 275 ")


def long_chain(layers):
    """Input → Dense(4) → Dense(4) → … : `layers` layers, 20 parameters in each Dense."""
    nodes = [{"id": "x", "layer": "Input", "config": {"shape": [4]}}]
    nodes += [{"id": f"d{i}", "layer": "Dense", "config": {"units": 4}} for i in range(layers - 1)]
    edges = [{"source": "x", "target": "d0"}] + [{"source": f"d{i}", "target": f"d{i + 1}"} for i in range(layers - 2)]
    return project_file.loads(json.dumps({"format": "netbuilder", "version": 1, "name": "long",
                                          "graph": {"nodes": nodes, "edges": edges}}))


def rows_in_view(panel):
    """Rows the table shows, counting one cut by each edge."""
    view = panel.table
    first, last = view.rowAt(0), view.rowAt(view.viewport().height() - 1)
    return (last if last >= 0 else panel.model.rowCount() - 1) - first + 3


def test_an_edit_of_a_big_model_remakes_only_the_summary_rows_on_screen(catalog, show, qtbot):
    """300 layers: the table makes the rows it shows, and an edit that changes 299 rows remakes those in view."""
    document = EditorDocument(long_chain(300), catalog)
    document.attach_keras()
    panel = show(SummaryPanel(document))
    model = panel.model
    qtbot.waitUntil(lambda: model.rowCount() == 300)
    table = model.table
    assert 0 < table.rows_made <= rows_in_view(panel) < 100
    assert panel.totals_text().startswith(f"Total params: {299 * 20:,} ")

    made = table.rows_made
    set_units(document, "d0", 8)  # every layer below gets new inputs, so the check redoes all 299
    qtbot.waitUntil(lambda: model.index(1, 3).data() == "40")
    assert model.index(1, 2).data() == "(None, 8)" and model.index(2, 3).data() == "36"
    assert panel.totals_text().startswith(f"Total params: {299 * 20 + 36:,} ")
    assert table.rows_made - made <= rows_in_view(panel)

    made = table.rows_made
    panel.table.scrollToBottom()
    step = Compound("Add", [AddNode(document.graph, Node("tail", "Dense", {"units": 2})),
                            Connect(document.graph, Edge("d298", "tail"))])
    document.push(step)
    qtbot.waitUntil(lambda: model.rowCount() == 301)
    assert model.table is table  # the same rows, one more: not laid out afresh
    assert model.index(300, 0).data() == "tail" and model.index(300, 3).data() == "10"
    assert table.rows_made - made <= rows_in_view(panel) + 1  # the rows scrolled into view, and the new one
    document.undo()
    qtbot.waitUntil(lambda: model.rowCount() == 300)
    assert panel.totals_text().startswith(f"Total params: {299 * 20 + 36:,} ")


class FakeWeight:
    def __init__(self, *shape):
        self.shape = shape


class FakeLayer:
    def __init__(self, trainable, frozen=()):
        self.built = True
        self.trainable_weights, self.non_trainable_weights = list(trainable), list(frozen)

    def count_params(self):
        return sum(w.shape[0] * w.shape[1] for w in self.trainable_weights + self.non_trainable_weights)


def test_shared_layers_are_marked_and_counted_once():
    graph = Graph()
    for node in (Node("x", "Input", {"shape": [4]}), Node("a", "Dense", {"units": 2, "name": "first"}),
                 Node("b", "Dense", {"units": 2}, shares="a")):
        graph.add_node(node)
    graph.add_edge(Edge("x", "a"))
    graph.add_edge(Edge("a", "b", source_port=1))
    dense = FakeLayer([FakeWeight(4, 2)], [FakeWeight(1, 2)])
    input_layer = SimpleNamespace(built=True, trainable_weights=[], non_trainable_weights=[])
    layers = {"x": input_layer, "a": dense, "b": dense}
    table = SummaryTable(graph, lambda nid: [(None, 2)], layers.get)
    table.apply(table.refresh(None, {}))
    totals = table.totals()
    assert [table.row(i).cells() for i in range(len(table))] == [
        ("x", "Input", "(None, 2)", "0", ""),
        ("first", "Dense · a", "(None, 2)", "10", "x"),
        ("b", "Dense", "(None, 2)", "shared", "first[1]"),
    ]
    assert (totals.total, totals.trainable, totals.non_trainable) == (10, 8, 2)


def test_sizes_read_like_keras():
    assert readable_size(331 * 4) == "1.29 KB"
    assert readable_size(0) == "0.00 B"
    assert readable_size(4_253_864 * 4) == "16.23 MB"


# -- the messages -------------------------------------------------------------------

def test_a_valid_model_gets_one_green_row_that_admits_what_was_not_checked(open_document, show):
    document = open_document(WIDE_AND_DEEP, keras=False)
    panel = show(MessagesPanel(document))
    assert panel.messages() == [VALID + " — shapes are checked once TensorFlow has loaded"]
    document.attach_keras()
    assert panel.messages() == [VALID]
    assert panel.header.text() == "No problems"


def test_messages_name_the_broken_node_and_clear_on_undo(open_document, show, qtbot):
    document = open_document(WIDE_AND_DEEP)
    panel = show(MessagesPanel(document))
    set_units(document, "h1", 0)
    qtbot.waitUntil(lambda: panel.messages() != [VALID])
    assert panel.header.text() == "1 error"
    (message,) = panel.messages()
    assert message.startswith("h1: ") and "units" in message and "0" in message
    document.undo()
    qtbot.waitUntil(lambda: panel.messages() == [VALID])


def test_an_unconnected_node_is_listed_as_unfinished_with_a_count(open_document, show, qtbot):
    document = open_document(WIDE_AND_DEEP, keras=False)
    panel = show(MessagesPanel(document))
    document.push(Disconnect(document.graph, Edge("deep", "h1")))
    qtbot.waitUntil(lambda: panel.header.text() == "2 to finish")
    assert sorted(m.split(":")[0] for m in panel.messages()) == ["deep", "h1"]
    document.undo()
    qtbot.waitUntil(lambda: panel.header.text() == "No problems")


def row_colours(panel):
    return [panel.list.topLevelItem(i).foreground(1).color().name() for i in range(panel.list.topLevelItemCount())]


def test_errors_come_first_in_red_and_unfinished_work_follows_in_grey(open_document, show, qtbot):
    from netbuilder.ui.problem_look import INCOMPLETE_COLOUR

    document = open_document(WIDE_AND_DEEP)
    panel = show(MessagesPanel(document))
    document.push(Disconnect(document.graph, Edge("wide", "cat")))  # unfinished: two cards lose their wire
    set_units(document, "h1", 0)  # an error, in a node listed between them
    qtbot.waitUntil(lambda: panel.header.text().startswith("1 error, "))
    messages = panel.messages()
    assert messages[0].startswith("h1: ") and "units" in messages[0]
    assert {m.split(":")[0] for m in messages[1:]} == {"wide", "cat"}
    colours = row_colours(panel)
    assert colours[0] != INCOMPLETE_COLOUR.name() and set(colours[1:]) == {INCOMPLETE_COLOUR.name()}
    icons = [panel.list.topLevelItem(i).icon(0).cacheKey() for i in range(len(messages))]
    assert icons[0] != icons[1] and len(set(icons[1:])) == 1


def test_rows_name_nodes_as_their_cards_do(open_document, show, qtbot):
    document = open_document(WIDE_AND_DEEP)
    panel = show(MessagesPanel(document))
    config = dict(document.graph.node("out").config, units=0, name="prediction")
    document.push(SetConfig(document.graph, "out", config))
    qtbot.waitUntil(lambda: panel.messages() != [VALID])
    (message,) = panel.messages()
    assert message.startswith("prediction: ") and "'out'" not in message
    assert panel.list.topLevelItem(0).toolTip(1).startswith("Dense 'prediction': ")


def test_double_click_or_enter_asks_to_show_the_node(open_document, show, qtbot):
    document = open_document(WIDE_AND_DEEP)
    panel = show(MessagesPanel(document))
    set_units(document, "out", 0)
    qtbot.waitUntil(lambda: panel.messages()[0].startswith("out: "))
    item = panel.list.topLevelItem(0)
    centre = panel.list.visualItemRect(item).center()
    with qtbot.waitSignal(panel.problem_activated, timeout=1000) as signal:
        # A real double-click starts with a click; Qt ignores a lone double-click event.
        qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=centre)
        qtbot.mouseDClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert signal.args == ["", "out"]
    panel.list.setCurrentItem(item)
    with qtbot.waitSignal(panel.problem_activated, timeout=1000) as signal:
        qtbot.keyClick(panel.list, Qt.Key.Key_Return)
    assert signal.args == ["", "out"]


def test_sub_model_problems_are_prefixed_and_the_open_graph_comes_first(open_document, show, qtbot):
    document = open_document(AUTOENCODER)
    panel = show(MessagesPanel(document))
    encoder = document.project.submodels["encoder"]
    config = dict(encoder.node("enc10").config, units=0)
    document.push(SetConfig(encoder, "enc10", config))
    qtbot.waitUntil(lambda: panel.messages() != [VALID])
    messages = panel.messages()
    assert any(m.startswith("encoder ▸ enc10: ") and "units" in m for m in messages)
    assert messages[0].startswith("encode: ")  # the main graph's node that uses the broken sub-model
    document.set_scope("encoder")
    assert panel.messages()[0].startswith("encoder ▸ enc10: ")
    panel.list.setCurrentItem(panel.list.topLevelItem(0))
    with qtbot.waitSignal(panel.problem_activated, timeout=1000) as signal:
        qtbot.keyClick(panel.list, Qt.Key.Key_Return)
    assert signal.args == ["encoder", "enc10"]


def test_shapes_after_a_broken_layer_are_unknown_not_stale(qtbot):
    from netbuilder.catalog import load_catalog
    from netbuilder.graph import SetConfig, project_file
    from netbuilder.ui.document import EditorDocument

    doc = EditorDocument(project_file.load(EXAMPLES / "wide_and_deep.nbproj"), load_catalog())
    doc.attach_keras()
    assert doc.shapes("out") == [(None, 1)]
    doc.push(SetConfig(doc.graph, "h1", {"units": 0}))
    doc.flush_check()
    assert doc.shapes("out") is None and doc.layer_of("out") is None
    doc.undo()
    doc.flush_check()
    assert doc.shapes("out") == [(None, 1)]


def test_keras_errors_read_as_plain_text_without_terminal_codes(open_document, show, qtbot):
    document = open_document(WIDE_AND_DEEP)
    panel = show(MessagesPanel(document))
    config = dict(document.graph.node("wide").config, shape=[10, 3])  # Concatenate cannot join 3-D and 2-D
    document.push(SetConfig(document.graph, "wide", config))
    qtbot.waitUntil(lambda: panel.messages() != [VALID])
    assert panel.messages()[0].startswith("cat: ") and "\x1b" not in panel.messages()[0]
    from netbuilder.keras_bridge.messages import clean_keras_error

    assert clean_keras_error(ValueError("The \x1b[1mtotal size\x1b[0m must be unchanged.")) == \
        "The total size must be unchanged."
