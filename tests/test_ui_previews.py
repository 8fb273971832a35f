"""Activation previews on the cards (View ▸ Activation Previews) and the augmentation grid, used as a user would."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu

from netbuilder.ui.activation_view import LargeView

from helpers import EXAMPLES
from ui_gestures import click, click_canvas, pick

DIGITS = EXAMPLES / "digits_cnn.nbproj"
TOGGLE = "Activation Previews"


def turn_on(window, qtbot) -> None:
    bar = window.menuBar()
    click(bar, bar.actionGeometry(window.actions["view_menu"].menuAction()).center())
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
    pick(QApplication.activePopupWidget(), TOGGLE)


@pytest.fixture
def digits(editor, tmp_path):
    """The digits example saved in tmp_path (its runs go there), a few epochs long."""
    doc = json.loads(DIGITS.read_text(encoding="utf-8"))
    doc["training"]["epochs"] = 3
    path = tmp_path / "digits.nbproj"
    path.write_text(json.dumps(doc), encoding="utf-8")
    editor.files.open_path(path)
    editor.document.flush_check()
    return editor


def test_turning_previews_on_shows_every_layer_output_and_a_click_shows_it_large(digits, qtbot):
    window = digits
    previews = window.previews
    assert previews.items == {}  # off until asked for
    turn_on(window, qtbot)
    qtbot.waitUntil(lambda: set(previews.items) == set(window.scene.nodes), timeout=30_000)
    for node_id, item in previews.items.items():
        assert item.isVisible() and item.parentItem() is window.scene.nodes[node_id]
        assert item.picture is not None
    conv = previews.items["conv"]
    assert conv.picture.kind == "grid" and conv.picture.tiles == 16  # one tile per filter
    assert conv.image is not None and conv.image.width() > 16
    assert previews.items["digit"].picture.kind == "strip" and previews.items["digit"].picture.shape == (10,)
    assert previews.items["image"].picture.pixels.max() > 0  # a real digit, not a blank

    click_canvas(window.view, conv.sceneBoundingRect().center())
    qtbot.waitUntil(lambda: any(isinstance(w, LargeView) and w.isVisible() for w in QApplication.topLevelWidgets()))
    large = next(w for w in QApplication.topLevelWidgets() if isinstance(w, LargeView) and w.isVisible())
    assert "conv" in large.windowTitle() and "16 feature maps" in large.caption.text()
    assert large.image.pixmap().width() > conv.image.width()
    large.close()


def test_previews_follow_the_weights_while_training(digits, qtbot):
    window = digits
    turn_on(window, qtbot)
    previews = window.previews
    qtbot.waitUntil(lambda: "digit" in previews.items, timeout=30_000)
    untrained = previews.pictures["digit"].pixels.copy()
    shown = previews.refreshes
    qtbot.waitUntil(lambda: window.training is not None and not window.training.why_not_train(), timeout=30_000)
    window.training.train()
    qtbot.waitUntil(lambda: previews.refreshes > shown and window.training.session is not None, timeout=60_000)
    qtbot.waitUntil(lambda: not np.array_equal(previews.items["digit"].picture.pixels, untrained), timeout=60_000)
    qtbot.waitUntil(lambda: window.training.session is None, timeout=60_000)


def augmenting_project(tmp_path) -> object:
    """The digits CNN with RandomFlip and RandomRotation between its Input and its Rescaling."""
    doc = json.loads(DIGITS.read_text(encoding="utf-8"))
    nodes, edges = doc["graph"]["nodes"], doc["graph"]["edges"]
    nodes[1:1] = [{"id": "flip", "layer": "RandomFlip", "config": {"mode": "horizontal_and_vertical"},
                   "position": [300, 0]},
                  {"id": "turn", "layer": "RandomRotation", "config": {"factor": 0.25}, "position": [300, 140]}]
    edges[0] = {"source": "image", "target": "flip"}
    edges[1:1] = [{"source": "flip", "target": "turn"}, {"source": "turn", "target": "rescale"}]
    path = tmp_path / "augmenting.nbproj"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_the_augmentation_grid_shows_one_image_augmented_differently_and_follows_edits(editor, qtbot, tmp_path):
    from netbuilder.ui.augmentation_preview import COUNT

    editor.files.open_path(augmenting_project(tmp_path))
    editor.document.flush_check()
    bar = editor.menuBar()
    click(bar, bar.actionGeometry(editor.actions["view_menu"].menuAction()).center())
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
    pick(QApplication.activePopupWidget(), "Augmentation Preview")
    grid = editor.augmentation
    qtbot.waitUntil(lambda: grid is not None and grid.isVisible() and grid.refreshes == 1, timeout=30_000)
    assert len(grid.images) == COUNT and "RandomFlip, RandomRotation" in grid.note.text()
    distinct = {image.tobytes() for image in grid.images}
    assert len(distinct) == COUNT  # every copy drew its own flip and angle
    assert all(not tile.pixmap().isNull() for tile in grid.tiles)

    before = grid.refreshes  # switching the rotation off leaves only flips: at most 4 different images
    click_canvas(editor.view, editor.scene.nodes["turn"].centre())
    factor = editor.inspector.field("factor")
    factor.selectAll()
    QTest.keyClicks(factor, "0")
    QTest.keyClick(factor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: grid.refreshes > before, timeout=30_000)
    assert len({image.tobytes() for image in grid.images}) <= 4  # flipped or not, each way


def test_typed_values_become_the_sample_every_card_shows(digits, qtbot):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QDialogButtonBox

    from netbuilder.ui.activation_view import SampleDialog

    window = digits
    ramp = " ".join(str(4 * i) for i in range(64))  # dark at the top left, bright at the bottom right
    answered = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SampleDialog):  # the hand is still on its way down the menu
            QTimer.singleShot(100, answer)
            return
        QTest.keyClicks(dialog.typed, ramp)
        click(dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok))
        answered.append(True)

    QTimer.singleShot(300, answer)
    bar = window.menuBar()
    click(bar, bar.actionGeometry(window.actions["view_menu"].menuAction()).center())
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
    pick(QApplication.activePopupWidget(), "Activation Sample…")
    qtbot.waitUntil(lambda: bool(answered))
    assert window.actions["activations"].isChecked()  # picking a sample turns the previews on
    previews = window.previews
    qtbot.waitUntil(lambda: "image" in previews.items, timeout=30_000)
    shown = previews.items["image"].picture.pixels
    assert shown.shape == (8, 8) and shown[0, 0] == 0 and shown[7, 7] == 255 and shown[3, 4] == round(28 / 63 * 255)
