"""The Data tab's "Add preprocessing block" button: a click puts the block on the canvas (one Input card per
raw column and one `preprocessing` sub-model card, its shapes checked), undo takes it away, and a second
click removes it; the Model menu's entry says why a project without a CSV dataset gets none."""

from ui_gestures import click_button

from netbuilder.resources import example_path

COLUMNS = ["total_bill", "sex", "smoker", "day", "time", "size"]


def test_the_button_puts_the_preprocessing_block_on_the_canvas_and_undo_takes_it_away(editor, qtbot):
    editor.files.open_path(example_path("wide_and_deep"))  # no dataset: the Model menu says so, nothing changes
    before = editor.document.project.to_dict()
    editor.actions["preprocessing"].trigger()
    assert editor.status_text.text() == "Cannot change the preprocessing: the project has no dataset; choose a CSV file first"
    assert editor.document.project.to_dict() == before

    editor.files.open_path(example_path("tips_regression"))
    editor.document.flush_check()
    panel = editor.training
    editor.bottom.setCurrentWidget(panel)
    panel.forms.setCurrentWidget(panel.forms.widget(0))
    button = panel.data_form.preprocessing
    qtbot.waitUntil(button.isVisible)
    assert button.text() == "Add preprocessing block"

    click_button(button)
    scene = editor.scene
    qtbot.waitUntil(lambda: "preprocessing" in scene.nodes and "features" not in scene.nodes)
    assert set(COLUMNS) <= set(scene.nodes)
    editor.document.flush_check()
    qtbot.waitUntil(lambda: scene.nodes["preprocessing"].look.shapes.endswith("(None, 16)"))
    assert scene.nodes["preprocessing"].look.problems == []
    assert editor.document.project.sections["dataset"]["inputs"] == {c: [c] for c in COLUMNS}
    assert panel.data_form.preprocessing.text() == "Remove preprocessing block"
    assert editor.actions["preprocessing"].text() == "Remove &Preprocessing Block"

    editor.actions["undo"].trigger()
    qtbot.waitUntil(lambda: "features" in scene.nodes and "preprocessing" not in scene.nodes)
    assert panel.data_form.preprocessing.text() == "Add preprocessing block"
    assert editor.actions["preprocessing"].text() == "Add &Preprocessing Block"
    editor.actions["redo"].trigger()
    qtbot.waitUntil(lambda: "preprocessing" in scene.nodes)

    click_button(panel.data_form.preprocessing)
    qtbot.waitUntil(lambda: "features" in scene.nodes and "preprocessing" not in scene.nodes)
    assert not editor.document.project.submodels

