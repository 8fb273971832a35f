"""Per-layer cost in the editor: badges on the cards, cost columns in the Model summary, the heaviest-layers chart."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu

from netbuilder.cli import main as netbuilder
from netbuilder.ui.canvas.cost_badge import badge_text
from netbuilder.ui.main_window import BADGES_SETTING

from helpers import EXAMPLES
from ui_gestures import click, click_canvas, pick, type_keys

DIGITS = EXAMPLES / "digits_cnn.nbproj"
TOGGLE = "Cost Badges on Cards"


def analyze_json(capsys, path, *options: str) -> dict:
    """What `netbuilder analyze --json` prints for `path`."""
    capsys.readouterr()
    assert netbuilder(["analyze", str(path), "--json", *options]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def digits(editor):
    editor.files.open_path(DIGITS)
    editor.document.flush_check()
    return editor


def shown_badges(window) -> dict[str, str]:
    return {node_id: badge.text for node_id in window.scene.nodes
            if (badge := window.cost_badges.badge(node_id)) is not None}


def test_the_view_menu_toggles_badges_that_say_what_netbuilder_analyze_says(digits, qtbot, capsys):
    window = digits
    assert shown_badges(window) == {}  # off until asked for
    type_keys(window, key=Qt.Key.Key_V, modifiers=Qt.KeyboardModifier.AltModifier)  # the View menu, by keyboard
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
    type_keys(window, key=Qt.Key.Key_B)  # Cost &Badges on Cards
    qtbot.waitUntil(lambda: len(shown_badges(window)) == len(window.scene.nodes))
    layers = analyze_json(capsys, DIGITS)["layers"]
    assert shown_badges(window) == {row["name"]: badge_text(row["macs"], row["params"]) for row in layers}
    # The conv and the dense layer each do about half the work: both are marked; the rest are not.
    marked = {node_id for node_id in window.scene.nodes if window.cost_badges.badge(node_id).dominant}
    assert marked == {"conv", "digit"}
    assert window.settings.value(BADGES_SETTING, type=bool) is True

    bar = window.menuBar()  # and off again with the mouse
    click(bar, bar.actionGeometry(window.actions["view_menu"].menuAction()).center())
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
    pick(QApplication.activePopupWidget(), TOGGLE)
    qtbot.waitUntil(lambda: shown_badges(window) == {})
    assert window.settings.value(BADGES_SETTING, type=bool) is False


def test_an_edit_in_the_inspector_updates_the_badge_and_the_summary_totals(digits, qtbot, capsys, tmp_path):
    window = digits
    window.badges_action.setChecked(True)
    window.bottom.setCurrentWidget(window.cost_panel)
    qtbot.waitUntil(lambda: "digit" in shown_badges(window))
    click_canvas(window.view, window.scene.nodes["digit"].centre())
    units = window.inspector.field("units")
    units.selectAll()
    QTest.keyClicks(units, "32")
    QTest.keyClick(units, Qt.Key.Key_Return)
    macs = 576 * 32  # flattened inputs times units
    qtbot.waitUntil(lambda: shown_badges(window).get("digit") == badge_text(macs, macs + 32))
    edited = analyze_json(capsys, window.document.save(tmp_path / "edited.nbproj"))
    qtbot.waitUntil(lambda: f"({edited['total']['macs']:,})" in window.cost_panel.totals_text())
    assert edited["total"]["macs"] == 5184 + macs
    model = window.summary.model
    digit_row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == "digit")
    assert model.index(digit_row, 5).data() == f"{macs:,}"


def test_the_batch_size_and_dtype_above_the_summary_scale_its_columns_like_analyze(digits, qtbot, capsys):
    window = digits
    panel = window.cost_panel
    window.bottom.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: panel.totals_text() != "")
    panel.batch.selectAll()
    QTest.keyClicks(panel.batch, "8")
    panel.dtype.setCurrentIndex(panel.dtype.findText("int8"))
    expected = analyze_json(capsys, DIGITS, "--batch-size", "8", "--dtype", "int8")["total"]
    qtbot.waitUntil(lambda: f"({expected['macs']:,})" in panel.totals_text())
    assert panel.costs.total == {key: expected[key] for key in panel.costs.total}


def test_clicking_a_bar_of_the_heaviest_layers_selects_its_card(digits, qtbot):
    window = digits
    window.bottom.setCurrentWidget(window.cost_panel)
    qtbot.waitUntil(lambda: window.cost_panel.chart is not None and window.cost_panel.chart.names == ["digit", "conv"])
    chart = window.cost_panel.chart
    click(chart.plot.viewport(), chart.bar_centre("conv"))
    qtbot.waitUntil(lambda: window.scene.selected_node_ids() == ["conv"])
    click(chart.plot.viewport(), chart.bar_centre("digit"))
    qtbot.waitUntil(lambda: window.scene.selected_node_ids() == ["digit"])


def test_a_sub_model_card_shows_the_sum_of_its_layers_and_its_own_graph_shows_none(editor, qtbot, capsys):
    path = EXAMPLES / "autoencoder.nbproj"
    editor.files.open_path(path)
    editor.document.flush_check()
    editor.badges_action.setChecked(True)
    layers = analyze_json(capsys, path)["layers"]
    for card in ("encode", "decode"):  # figures of its layers, named "card/layer" by analyze
        inner = [row for row in layers if row["name"].startswith(f"{card}/")]
        expected = badge_text(sum(r["macs"] for r in inner), sum(r["params"] for r in inner))
        qtbot.waitUntil(lambda: shown_badges(editor).get(card) == expected)
    # Inside a sub-model the cards are its layers, costed on the card that calls it: no badges there.
    editor.set_scope(editor.document.graph.node("encode").config["submodel"])
    qtbot.waitUntil(lambda: shown_badges(editor) == {})
    editor.set_scope("")
    qtbot.waitUntil(lambda: "encode" in shown_badges(editor))
