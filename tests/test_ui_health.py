"""The Training tab's Health view with real runs: per-layer curves after a run, warnings where the user looks."""

from helpers import finish, tips_project

DEAD_BIAS = {"class_name": "Constant", "config": {"value": -50.0}}


def open_project(editor, write_project, doc):
    editor.files.open_path(write_project(doc))
    editor.document.flush_check()
    panel = editor.training
    editor.bottom.setCurrentWidget(panel)
    return panel


def test_a_run_plots_each_layers_norms_and_stays_quiet(editor, open_tips, qtbot):
    panel = open_tips()
    panel.train()
    finish(qtbot, panel)
    assert panel.views.tabText(panel.views.indexOf(panel.health)) == "Health"
    assert panel.health.layers() == ["h", "out"]
    for layer in ("h", "out"):
        steps, norms = panel.health.curve(layer, "grad_norm")
        assert len(steps) >= 2 and steps[0] == 0 and all(n > 0 for n in norms)
        assert len(panel.health.curve(layer, "weight_norm")[0]) == len(steps)
    assert panel.health.warnings == []
    assert panel.controls.message.text() == "✓ Trained for 3 epochs."


def test_a_dead_relu_is_said_in_the_message_area_the_status_line_and_the_health_tab(editor, write_project, qtbot):
    doc = tips_project()
    doc["graph"]["nodes"][1]["config"]["bias_initializer"] = DEAD_BIAS
    panel = open_project(editor, write_project, doc)
    said = []
    panel.status.connect(said.append)
    panel.train()
    finish(qtbot, panel)
    assert any(line.startswith("Training health: Layer 'h' outputs only zeros") for line in said)
    message = panel.controls.message.text()
    assert message.startswith("✓ Trained for 3 epochs.") and "⚠ Layer 'h' outputs only zeros" in message
    assert "LeakyReLU" in panel.health.message.text()
    assert editor.status_text.text().endswith("⚠ 1 training health warning: see the Health tab.")
    assert panel.health.curve("h", "grad_norm") == ([], [])  # a zero gradient has no place on a log axis
    assert len(panel.health.curve("out", "grad_norm")[0]) >= 2
