"""The layer palette and the quick-add popup, driven as a user would: typing, clicking, dragging."""

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt

from netbuilder.catalog import load_catalog
from netbuilder.ui.layer_mime import LAYER_MIME, layer_from_mime, layer_mime_data
from netbuilder.ui.palette import PaletteWidget
from netbuilder.ui.quick_add import MAX_ROWS, QuickAddPopup
from ui_gestures import click, start_palette_drag


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture
def palette(qtbot, catalog):
    widget = PaletteWidget(catalog)
    qtbot.addWidget(widget)
    widget.show()
    return widget


@pytest.fixture
def popup(qtbot, catalog):
    widget = QuickAddPopup(catalog)
    qtbot.addWidget(widget)
    return widget


def item_named(palette, label):
    return next(item for item in palette.tree.findItems(label, Qt.MatchFlag.MatchExactly
                                                        | Qt.MatchFlag.MatchRecursive))


def group_labels(palette):
    root = palette.tree.invisibleRootItem()
    return [root.child(i).text(0) for i in range(root.childCount()) if not root.child(i).isHidden()]


def test_every_catalog_layer_and_the_input_node_are_listed(palette, catalog):
    shown = palette.visible_layers()
    assert shown[0] == "Input"
    assert sorted(shown) == sorted(["Input", *catalog.names()])


def test_categories_follow_catalog_order_with_counts_and_only_core_open(palette, catalog):
    categories = catalog.categories()
    expected = [f"{c} ({len(names) + (c == 'Core')})" for c, names in categories.items()]
    assert group_labels(palette) == expected
    assert item_named(palette, expected[0]).isExpanded()
    assert not any(item_named(palette, label).isExpanded() for label in expected[1:])


def test_search_shows_matching_layers_and_hides_the_rest(palette, catalog):
    palette.set_filter("conv")
    shown = palette.visible_layers()
    assert {"Conv1D", "Conv2D", "Conv2DTranspose", "DepthwiseConv2D", "ConvLSTM2D"} <= set(shown)
    assert "Dense" not in shown and "Input" not in shown
    groups = group_labels(palette)
    assert groups[0] == f"Convolution ({len(catalog.categories()['Convolution'])})"
    assert not any(label.startswith(("Core", "Merge")) for label in groups)
    assert item_named(palette, "Conv2D").parent().isExpanded()


def test_search_ignores_case_and_finds_aliases(palette):
    palette.search.setText("CONVOLUTION2D")
    assert "Conv2D" in palette.visible_layers()
    palette.set_filter("avgpool")
    assert "AveragePooling2D" in palette.visible_layers()


def test_doc_matches_come_after_name_matches(palette):
    palette.set_filter("addition")  # no layer is called that, but Add's doc says it
    assert "Add" in palette.visible_layers()
    palette.set_filter("noise")  # GaussianDropout's doc mentions noise; GaussianNoise is named so
    shown = palette.visible_layers()
    assert shown.index("GaussianNoise") < shown.index("GaussianDropout")
    assert palette.tree.currentItem().text(0) == "GaussianNoise"


def test_every_word_typed_must_match_somewhere(palette, qtbot):
    palette.search.setFocus()
    qtbot.keyClicks(palette.search, "max 2d")  # both words in the name
    shown = palette.visible_layers()
    assert {"MaxPooling2D", "GlobalMaxPooling2D"} <= set(shown) and "MaxPooling1D" not in shown
    palette.search.clear()
    qtbot.keyClicks(palette.search, "elementwise addition")  # both words in Add's documentation
    assert "Add" in palette.visible_layers() and "Multiply" not in palette.visible_layers()
    palette.search.clear()
    qtbot.keyClicks(palette.search, "dropout noise")  # one in the name, one in the documentation
    assert "GaussianDropout" in palette.visible_layers() and "Dropout" not in palette.visible_layers()


def test_doc_matches_read_like_any_other_match(palette):
    palette.set_filter("addition")
    item = item_named(palette, "Add")
    assert item.data(0, Qt.ItemDataRole.ForegroundRole) is None
    assert item.foreground(0).color() == item_named(palette, "Input").foreground(0).color()


def test_a_search_with_no_matches_says_so(palette, qtbot):
    assert not palette.no_matches.isVisible()
    palette.search.setFocus()
    qtbot.keyClicks(palette.search, "zzqx")
    assert palette.visible_layers() == [] and group_labels(palette) == []
    assert palette.no_matches.isVisible() and palette.no_matches.text() == "No matches for \u201czzqx\u201d"
    qtbot.keyClick(palette.search, Qt.Key.Key_Escape)
    assert not palette.no_matches.isVisible() and palette.visible_layers()


def test_clearing_the_search_restores_the_full_tree_and_folding(palette, catalog):
    palette.set_filter("dropout")
    palette.set_filter("")
    assert len(palette.visible_layers()) == len(catalog.names()) + 1
    assert not item_named(palette, "Conv2D").parent().isExpanded()


def test_enter_in_the_search_box_adds_the_best_match(palette, qtbot):
    palette.search.setFocus()
    qtbot.keyClicks(palette.search, "dense")
    with qtbot.waitSignal(palette.layer_activated) as signal:
        qtbot.keyClick(palette.search, Qt.Key.Key_Return)
    assert signal.args == ["Dense", None]


def test_tooltips_explain_the_layer(palette, catalog):
    tip = item_named(palette, "Dense").toolTip(0)
    assert catalog.get("Dense").doc in tip and "Core" in tip and "takes 1 input" in tip
    assert "<qt>" in tip  # rich text, which Qt word-wraps
    assert "takes 2 or more inputs" in item_named(palette, "Add").toolTip(0)
    assert "takes no inputs" in item_named(palette, "Input").toolTip(0)


def test_double_click_activates_a_layer(palette, qtbot):
    item = item_named(palette, "Input")
    rect = palette.tree.visualItemRect(item)
    # QTest's double-click lacks the press a real one starts with, which item views need.
    qtbot.mouseClick(palette.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(palette.layer_activated) as signal:
        qtbot.mouseDClick(palette.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseRelease(palette.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # the hand lets go
    assert signal.args == ["Input", None]


def test_dragging_an_item_carries_the_layer(palette):
    palette.set_filter("conv2d")  # as a user finds it: the item must be on screen to be grabbed
    assert layer_from_mime(start_palette_drag(palette, "Conv2D")) == ("Conv2D", None)


def test_layer_mime_round_trips_and_rejects_foreign_data():
    assert layer_from_mime(layer_mime_data("Dense")) == ("Dense", None)
    assert layer_from_mime(layer_mime_data("Submodel", "encoder")) == ("Submodel", "encoder")
    plain = QMimeData()
    plain.setText("Dense")
    assert layer_from_mime(plain) is None
    for junk in (b"not json", b"[1, 2]", b'{"layer": 3}', b'{"layer": "Dense", "submodel": 5}', b"\xff"):
        bad = QMimeData()
        bad.setData(LAYER_MIME, junk)
        assert layer_from_mime(bad) is None


def test_submodels_group_appears_with_the_projects_submodels(palette, qtbot):
    assert not any(label.startswith("Sub-models") for label in group_labels(palette))
    palette.set_submodels(["encoder", "decoder"])
    assert group_labels(palette)[-1] == "Sub-models (2)"
    assert palette.visible_layers()[-2:] == ["encoder", "decoder"]
    assert layer_from_mime(start_palette_drag(palette, "decoder")) == ("Submodel", "decoder")
    palette.set_filter("encoder")
    assert palette.visible_layers() == ["encoder"]
    with qtbot.waitSignal(palette.layer_activated) as signal:
        qtbot.keyClick(palette.search, Qt.Key.Key_Return)
    assert signal.args == ["Submodel", "encoder"]
    palette.set_filter("")
    palette.set_submodels([])
    assert not any(label.startswith("Sub-models") for label in group_labels(palette))


def show_popup(popup, submodels=()):
    popup.popup_at(QPoint(100, 100), submodels)
    assert popup.isVisible() and popup.edit.text() == ""


def labels(popup):
    return [popup.list.item(i).text() for i in range(popup.list.count())]


def test_quick_add_typing_and_enter_chooses_the_layer(popup, qtbot):
    show_popup(popup)
    qtbot.keyClicks(popup.edit, "dens")
    assert labels(popup)[0] == "Dense"
    with qtbot.waitSignal(popup.chosen) as signal:
        qtbot.keyClick(popup.edit, Qt.Key.Key_Return)
    assert signal.args == ["Dense", None]
    assert not popup.isVisible()


def test_quick_add_ranks_prefixes_then_substrings_then_typos(popup, qtbot):
    show_popup(popup)
    qtbot.keyClicks(popup.edit, "max")
    shown = labels(popup)
    assert shown.index("Maximum") < shown.index("GlobalMaxPooling2D")
    assert shown.index("MaxPooling2D") < shown.index("GlobalMaxPooling2D")
    popup.edit.setText("dnese")
    assert "Dense" in labels(popup)
    popup.edit.setText("qqqq")
    assert labels(popup) == ["No layer matches \u201cqqqq\u201d"]


def test_quick_add_offers_input_and_submodels_and_shows_a_short_list(popup, qtbot):
    show_popup(popup, ["encoder"])
    row = popup.list.sizeHintForRow(0)
    assert MAX_ROWS * row <= popup.list.height() < (MAX_ROWS + 1) * row
    popup.edit.setText("dens")
    assert popup.list.height() < 3 * row  # the popup shrinks to what matches
    popup.edit.clear()
    qtbot.keyClicks(popup.edit, "enc")
    with qtbot.waitSignal(popup.chosen) as signal:
        qtbot.keyClick(popup.edit, Qt.Key.Key_Enter)
    assert signal.args == ["Submodel", "encoder"]
    show_popup(popup)
    qtbot.keyClicks(popup.edit, "inp")
    assert labels(popup)[0] == "Input"
    assert "encoder" not in labels(popup)


def test_quick_add_arrow_keys_move_the_selection(popup, qtbot):
    show_popup(popup)
    qtbot.keyClicks(popup.edit, "conv")
    assert popup.list.currentRow() == 0
    qtbot.keyClick(popup.edit, Qt.Key.Key_Down)
    qtbot.keyClick(popup.edit, Qt.Key.Key_Down)
    qtbot.keyClick(popup.edit, Qt.Key.Key_Up)
    assert popup.list.currentRow() == 1
    second = labels(popup)[1]
    with qtbot.waitSignal(popup.chosen) as signal:
        qtbot.keyClick(popup.edit, Qt.Key.Key_Return)
    assert signal.args == [second, None]
    show_popup(popup)
    qtbot.keyClick(popup.edit, Qt.Key.Key_Up)
    assert popup.list.currentRow() == 0  # stays on the first row instead of vanishing


def test_quick_add_escape_hides_without_choosing(popup, qtbot):
    show_popup(popup)
    qtbot.keyClicks(popup.edit, "dense")
    with qtbot.assertNotEmitted(popup.chosen):
        qtbot.keyClick(popup.edit, Qt.Key.Key_Escape)
    assert not popup.isVisible()


def test_quick_add_click_chooses(popup, qtbot):
    show_popup(popup)
    qtbot.keyClicks(popup.edit, "dropout")
    rect = popup.list.visualItemRect(popup.list.item(0))
    with qtbot.waitSignal(popup.chosen) as signal:
        click(popup.list.viewport(), rect.center())
    assert signal.args == ["Dropout", None]
