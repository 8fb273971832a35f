"""Training-health warnings on the cards they name, and a past run's health shown again, with real runs and hands."""

from PySide6.QtCore import QPointF, QPoint
from PySide6.QtWidgets import QToolTip

from helpers import finish, tips_project
from netbuilder.graph import SetConfig
from netbuilder.ui.canvas.health_mark import HealthMark
from netbuilder.ui.training.runs_list import _PATH
from ui_gestures import click, hover

DEAD_BIAS = {"class_name": "Constant", "config": {"value": -50.0}}


def open_dead_relu(editor, write_project):
    doc = tips_project()
    doc["graph"]["nodes"][1]["config"]["bias_initializer"] = DEAD_BIAS
    editor.files.open_path(write_project(doc))
    editor.document.flush_check()
    panel = editor.training
    editor.bottom.setCurrentWidget(panel)
    return panel


def marks_on(editor, node_id):
    return [item for item in editor.scene.nodes[node_id].childItems() if isinstance(item, HealthMark)]


def click_first_warning(panel):
    """Click the first line of the Health tab's warnings, where the user reads the sentence."""
    panel.views.setCurrentWidget(panel.health)
    label = panel.health.message
    area = label.contentsRect()
    click(label, QPoint(area.left() + 60, area.top() + label.fontMetrics().height() // 2 + 1))


def pick_run(panel, name):
    """Click the row of the run in folder `name` in the runs list."""
    tree = panel.runs.tree
    item = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                if tree.topLevelItem(i).data(0, _PATH).name == name)
    click(tree.viewport(), tree.visualItemRect(item).center())


def test_a_dead_relu_marks_its_card_which_tells_it_on_hover_and_the_warning_leads_to_it(editor, write_project, qtbot):
    panel = open_dead_relu(editor, write_project)
    panel.train()
    finish(qtbot, panel)
    [mark] = marks_on(editor, "h")
    assert marks_on(editor, "out") == [] and marks_on(editor, "x") == []
    assert "outputs only zeros" in editor.scene.nodes["h"].toolTip()  # the card's own tooltip says it too

    view = editor.view
    view.fit_all()
    target = mark.sceneBoundingRect().center()
    hover(view, target + QPointF(-120, 90), target)  # the hand comes to the tag in several moves
    qtbot.waitUntil(lambda: QToolTip.isVisible() and "outputs only zeros" in QToolTip.text(), timeout=5000)
    assert "LeakyReLU" in QToolTip.text()

    editor.scene.clearSelection()
    view.centerOn(editor.scene.nodes["out"].centre())
    click_first_warning(panel)
    qtbot.waitUntil(lambda: editor.scene.selected_node_ids() == ["h"], timeout=3000)
    assert view.mapToScene(view.viewport().rect()).boundingRect().contains(editor.scene.nodes["h"].centre())

    doc = editor.document
    doc.push(SetConfig(doc.graph, "out", {**doc.graph.node("out").config, "activation": "linear"}))  # another layer
    doc.flush_check()
    assert len(marks_on(editor, "h")) == 1
    doc.push(SetConfig(doc.graph, "h", {**doc.graph.node("h").config, "bias_initializer": "zeros"}))
    doc.flush_check()
    assert marks_on(editor, "h") == []  # the run's warning is about a layer that is no longer there


def test_picking_an_older_run_shows_its_health_and_a_damaged_record_is_said(editor, write_project, qtbot):
    panel = open_dead_relu(editor, write_project)
    panel.train()
    finish(qtbot, panel)
    dead_run = panel.run_dir
    doc = editor.document
    doc.push(SetConfig(doc.graph, "h", {**doc.graph.node("h").config, "bias_initializer": "zeros"}))
    doc.flush_check()
    panel.train()
    finish(qtbot, panel)
    assert panel.health.warnings == [] and marks_on(editor, "h") == []

    pick_run(panel, dead_run.name)
    qtbot.waitUntil(lambda: panel.health.run == dead_run, timeout=3000)
    assert "Layer 'h' outputs only zeros" in panel.health.message.text().replace("&#x27;", "'")
    assert len(panel.health.curve("out", "grad_norm")[0]) >= 2
    assert len(marks_on(editor, "h")) == 1

    (dead_run / "health.csv").write_text("epoch,batch\n1,x\n", encoding="utf-8")
    pick_run(panel, panel.run_dir.name)
    pick_run(panel, dead_run.name)
    qtbot.waitUntil(lambda: "Cannot show this run's health" in panel.health.message.text(), timeout=3000)
    assert str(dead_run / "health.csv") in panel.health.message.text()
    assert panel.health.layers() == [] and marks_on(editor, "h") == []
