"""The inspector panel, driven as a user would: typing, pressing Enter or Esc, picking, clicking."""

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox, QLabel, QPlainTextEdit, QToolButton, QWidget

from netbuilder.catalog import load_catalog
from netbuilder.graph import Node
from netbuilder.ui.inspector import InspectorPanel
from editor_setup import activate
from ui_gestures import click, click_canvas, type_keys


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture
def panel(qtbot, catalog):
    widget = InspectorPanel(catalog)
    qtbot.addWidget(widget)
    widget.resize(340, 700)
    widget.show()
    return widget


@pytest.fixture
def edits(panel):
    """Every (node_id, config) the panel emitted, in order."""
    seen = []
    panel.config_edited.connect(lambda node_id, config: seen.append((node_id, config)))
    return seen


def type_into(qtbot, field, text, key=Qt.Key.Key_Return):
    line = field.lineEdit() if isinstance(field, QComboBox) else field
    line.selectAll()
    if text:
        qtbot.keyClicks(line, text)
    else:
        qtbot.keyClick(line, Qt.Key.Key_Delete)
    qtbot.keyClick(line, key)


def test_a_dense_node_shows_its_settings_with_the_common_ones_first(panel, catalog):
    panel.show_node(Node("dense", "Dense", {"units": 32, "activation": "relu"}))
    assert panel.field("units").text() == "32"
    assert panel.field("activation").currentText() == "relu"
    assert panel.field("use_bias").isChecked()
    assert catalog.get("Dense").doc in [label.text() for label in panel.findChildren(QLabel)]
    assert panel.field("units").isVisible()
    # Initializers are rarely touched: folded away under "Advanced" until opened.
    assert not panel.field("kernel_initializer").isVisible()
    assert "Dimensionality of the output space".lower() in panel.field("units").toolTip().lower()


def test_typing_a_new_units_value_and_enter_emits_the_whole_new_config(qtbot, panel, edits):
    panel.show_node(Node("dense", "Dense", {"units": 32, "activation": "relu"}))
    with qtbot.waitSignal(panel.config_edited) as signal:
        type_into(qtbot, panel.field("units"), "64")
    assert signal.args == ["dense", {"units": 64, "activation": "relu"}]
    assert len(edits) == 1


@pytest.mark.parametrize("text, message", [
    ("0", "units must be at least 1, got 0"),
    ("abc", 'units must be a whole number, got "abc"'),
    ("2.5", 'units must be a whole number, got "2.5"'),
    ("", "units needs a value"),
])
def test_a_bad_units_value_is_refused_at_the_field(qtbot, panel, edits, text, message):
    panel.show_node(Node("dense", "Dense", {"units": 32}))
    units = panel.field("units")
    type_into(qtbot, units, text)
    assert panel.field_error("units") == message
    assert units.property("invalid") is True
    assert message in units.toolTip()
    assert edits == []
    # The next good edit clears the refusal.
    type_into(qtbot, units, "16")
    assert panel.field_error("units") == ""
    assert units.property("invalid") is False
    assert edits == [("dense", {"units": 16})]


def test_esc_puts_the_current_value_back_and_clears_the_refusal(qtbot, panel, edits):
    panel.show_node(Node("dense", "Dense", {"units": 32}))
    units = panel.field("units")
    type_into(qtbot, units, "-3")
    assert panel.field_error("units")
    type_into(qtbot, units, "99", key=Qt.Key.Key_Escape)
    assert units.text() == "32"
    assert panel.field_error("units") == ""
    assert edits == []


def test_an_unchanged_value_emits_nothing(qtbot, panel, edits):
    panel.show_node(Node("dense", "Dense", {"units": 32}))
    type_into(qtbot, panel.field("units"), "32")
    assert edits == []


def test_confirming_a_missing_required_setting_writes_it(qtbot, panel, edits):
    panel.show_node(Node("dense", "Dense", {}), problems=["units is required"])
    type_into(qtbot, panel.field("units"), panel.field("units").text())
    assert edits == [("dense", {"units": 8})]


@pytest.mark.parametrize("text, stored", [
    ("3, 3", [3, 3]), ("(5, 5)", [5, 5]), ("[2,2]", [2, 2]), ("1 7", [1, 7]), ("3x3", [3, 3]), ("5×5", [5, 5]),
    ("5", 5),  # Keras takes one number for a square kernel
])
def test_kernel_size_reads_the_ways_people_write_tuples(qtbot, panel, edits, text, stored):
    panel.show_node(Node("conv", "Conv2D", {"filters": 8, "kernel_size": [4, 4]}))
    type_into(qtbot, panel.field("kernel_size"), text)
    assert edits[-1] == ("conv", {"filters": 8, "kernel_size": stored})


def test_a_tuple_setting_that_needs_a_tuple_keeps_a_lone_number_as_a_tuple(qtbot, panel, edits):
    panel.show_node(Node("reshape", "Reshape", {"target_shape": [2, 4]}))
    assert panel.field("target_shape").text() == "2, 4"
    type_into(qtbot, panel.field("target_shape"), "8")
    assert edits[-1] == ("reshape", {"target_shape": [8]})


def test_a_single_axis_stays_a_number(qtbot, panel, edits):
    panel.show_node(Node("cat", "Concatenate", {}))
    type_into(qtbot, panel.field("axis"), "1")
    assert edits[-1] == ("cat", {"axis": 1})


@pytest.mark.parametrize("text", ["3by3", "3x", "3,,3", "3.5x3"])
def test_kernel_size_that_is_not_numbers_is_refused(qtbot, panel, edits, text):
    panel.show_node(Node("conv", "Conv2D", {"filters": 8, "kernel_size": [3, 3]}))
    type_into(qtbot, panel.field("kernel_size"), text)
    assert panel.field_error("kernel_size") == (
        f'kernel_size must be a whole number or a list of them such as 3, 3 or 3x3, got "{text}"')
    assert edits == []


def test_conv_padding_is_picked_from_a_menu(qtbot, panel, edits):
    panel.show_node(Node("conv", "Conv2D", {"filters": 8, "kernel_size": [3, 3]}))
    padding = panel.field("padding")
    assert isinstance(padding, QComboBox) and not padding.isEditable()
    assert [padding.itemText(i) for i in range(padding.count())] == ["valid", "same"]
    padding.setCurrentIndex(padding.findText("same"))
    assert edits == [("conv", {"filters": 8, "kernel_size": [3, 3], "padding": "same"})]


def test_a_checkbox_click_is_an_edit(qtbot, panel, edits):
    panel.show_node(Node("dense", "Dense", {"units": 4}))
    use_bias = panel.field("use_bias")
    assert isinstance(use_bias, QCheckBox)
    qtbot.mouseClick(use_bias, Qt.MouseButton.LeftButton, pos=QPoint(6, use_bias.height() // 2))
    assert edits == [("dense", {"units": 4, "use_bias": False})]


def test_activation_is_picked_or_typed_and_checked(qtbot, panel, edits):
    panel.show_node(Node("dense", "Dense", {"units": 4}))
    activation = panel.field("activation")
    assert activation.currentText() == "linear"
    activation.setCurrentIndex(activation.findText("tanh"))
    assert edits[-1] == ("dense", {"units": 4, "activation": "tanh"})
    type_into(qtbot, activation, "relux")
    assert 'did you mean "relu"' in panel.field_error("activation")
    assert len(edits) == 1
    type_into(qtbot, activation, "None")
    assert edits[-1] == ("dense", {"units": 4, "activation": None})
    assert len(edits) == 2
    assert panel.field_error("activation") == ""


def test_esc_in_an_activation_puts_the_name_back(qtbot, panel, edits):
    panel.show_node(Node("dense", "Dense", {"units": 4, "activation": "relu"}))
    activation = panel.field("activation")
    type_into(qtbot, activation, "relux")
    type_into(qtbot, activation, "gelu", key=Qt.Key.Key_Escape)
    assert activation.currentText() == "relu"
    assert panel.field_error("activation") == ""
    assert edits == []


def test_keras_configs_read_as_their_short_names_and_stay_untouched(qtbot, panel, edits):
    he = {"class_name": "HeNormal", "config": {"seed": 3}, "module": "keras.initializers"}
    policy = {"class_name": "DTypePolicy", "config": {"name": "mixed_float16"}, "module": "keras"}
    panel.show_node(Node("dense", "Dense", {"units": 4, "kernel_initializer": he, "dtype": policy}))
    initializer = panel.field("kernel_initializer")
    assert initializer.currentText() == "he_normal"
    assert panel.field("bias_initializer").currentText() == "zeros"  # Keras' default config
    assert panel.field("dtype").currentText() == "mixed_float16"
    type_into(qtbot, initializer, "he_normal")  # untouched text: the seeded config stays
    assert edits == []
    initializer.setCurrentIndex(initializer.findText("lecun_normal"))
    assert edits == [("dense", {"units": 4, "kernel_initializer": "lecun_normal", "dtype": policy})]


def test_json_settings_are_read_as_json_only(qtbot, panel, edits):
    panel.show_node(Node("bn", "BatchNormalization", {}))
    clipping = panel.field("renorm_clipping")
    type_into(qtbot, clipping, "{rmax: __import__('os')}")
    assert panel.field_error("renorm_clipping").startswith("renorm_clipping must be JSON")
    type_into(qtbot, clipping, '{"rmax": 3}')
    assert edits == [("bn", {"renorm_clipping": {"rmax": 3}})]


def test_input_shape_takes_variable_dimensions(qtbot, panel, edits):
    panel.show_node(Node("x", "Input", {"shape": [8]}))
    shape = panel.field("shape")
    assert shape.text() == "8"
    type_into(qtbot, shape, "None, 4")
    assert edits[-1] == ("x", {"shape": [None, 4]})
    type_into(qtbot, shape, "0, 4")
    assert "at least 1" in panel.field_error("shape")
    assert len(edits) == 1


@pytest.mark.parametrize("text", ["28x28x1", "28×28×1", "28, 28, 1", "(28, 28, 1)", "[28, 28, 1]", "28 28 1",
                                  "28 x 28 x 1"])
def test_input_shape_reads_the_ways_people_write_shapes(qtbot, panel, edits, text):
    panel.show_node(Node("x", "Input", {"shape": [8]}))
    type_into(qtbot, panel.field("shape"), text)
    assert edits == [("x", {"shape": [28, 28, 1]})]
    assert panel.field_error("shape") == ""


@pytest.mark.parametrize("text, stored", [("Nonex28", [None, 28]), ("None, None, 3", [None, None, 3]),
                                          ("(None, 4)", [None, 4]), ("(8,)", [8]), ("8", [8])])
def test_input_shape_takes_none_for_a_free_size(qtbot, panel, edits, text, stored):
    panel.show_node(Node("x", "Input", {"shape": [2]}))
    type_into(qtbot, panel.field("shape"), text)
    assert edits[-1] == ("x", {"shape": stored})


@pytest.mark.parametrize("text, reason", [
    ("28x28x", 'shape must be a whole number or a list of them such as 28x28x1 or None, 4, got "28x28x"'),
    ("28 by 28", 'shape must be a whole number or a list of them such as 28x28x1 or None, 4, got "28 by 28"'),
    ("28x0x1", "at least 1"),
])
def test_a_bad_input_shape_is_refused_at_the_field_with_the_reason(qtbot, panel, edits, text, reason):
    panel.show_node(Node("x", "Input", {"shape": [8]}))
    type_into(qtbot, panel.field("shape"), text)
    assert reason in panel.field_error("shape")
    assert edits == []


def test_other_tuple_settings_read_shapes_the_same_way(qtbot, panel, edits):
    panel.show_node(Node("reshape", "Reshape", {"target_shape": [2, 4]}))
    type_into(qtbot, panel.field("target_shape"), "4×2")
    assert edits[-1] == ("reshape", {"target_shape": [4, 2]})
    panel.show_node(Node("pool", "MaxPooling2D", {"pool_size": [2, 2]}))
    type_into(qtbot, panel.field("pool_size"), "(3x3)")
    assert edits[-1] == ("pool", {"pool_size": [3, 3]})


def test_input_dtype_offers_the_tensor_types(qtbot, panel, edits):
    panel.show_node(Node("x", "Input", {"shape": [8]}))
    dtype = panel.field("dtype")
    offered = [dtype.itemText(i) for i in range(dtype.count())]
    assert offered[0] == "float32" and {"int32", "bool", "string"} <= set(offered)
    dtype.setCurrentIndex(dtype.findText("int32"))
    assert edits[-1] == ("x", {"shape": [8], "dtype": "int32"})


def test_a_submodel_node_picks_one_of_the_projects_submodels(qtbot, panel, edits):
    node = Node("enc", "Submodel", {"submodel": "encoder"})
    panel.show_node(node, submodel_names=["encoder", "decoder"])
    combo = panel.field("submodel")
    assert combo.currentText() == "encoder"
    combo.setCurrentIndex(combo.findText("decoder"))
    assert edits == [("enc", {"submodel": "decoder"})]
    # A sub-model added elsewhere shows up without rebuilding the form.
    node.config = {"submodel": "decoder"}
    panel.show_node(node, submodel_names=["encoder", "decoder", "head"])
    assert panel.field("submodel") is combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["encoder", "decoder", "head"]
    assert combo.currentText() == "decoder"
    assert len(edits) == 1


def test_an_unknown_layer_is_shown_read_only(panel):
    panel.show_node(Node("odd", "FancyLayer", {"units": 3, "mode": "x"}))
    raw = panel.findChild(QPlainTextEdit, "raw_config")
    assert raw.isReadOnly() and '"mode": "x"' in raw.toPlainText()
    assert any("does not know the layer “FancyLayer”" in label.text()
               for label in panel.findChildren(QLabel))
    assert panel.field("name").isReadOnly()


def test_no_selection_shows_a_friendly_hint(panel):
    panel.show_node(Node("dense", "Dense", {"units": 4}))
    panel.show_node(None)
    assert panel.empty_label.isVisible()
    assert panel.empty_label.text() == "Select a layer to see its settings"
    with pytest.raises(KeyError):
        panel.field("units")


def test_showing_the_changed_node_again_refreshes_in_place(qtbot, panel, edits):
    node = Node("dense", "Dense", {"units": 4})
    panel.show_node(node)
    units, activation = panel.field("units"), panel.field("activation")
    type_into(qtbot, activation, "relux")  # a refusal the user is still looking at
    node.config = {"units": 12}  # e.g. undo elsewhere
    panel.show_node(node, problems=["needs 1 input, has 0"])
    assert panel.field("units") is units and panel.field("activation") is activation
    assert units.text() == "12"
    assert panel.field_error("activation")  # untouched by a change to another setting
    assert any(label.text() == "• needs 1 input, has 0"
               for label in panel.findChildren(QLabel))


def test_two_quick_edits_build_on_each_other(qtbot, panel, edits):
    panel.show_node(Node("dense", "Dense", {"units": 4}))
    type_into(qtbot, panel.field("units"), "8")
    panel.field("activation").setCurrentIndex(panel.field("activation").findText("relu"))
    assert edits[-1] == ("dense", {"units": 8, "activation": "relu"})


def test_another_node_gets_a_fresh_form(panel):
    panel.show_node(Node("a", "Dense", {"units": 4}))
    units = panel.field("units")
    panel.show_node(Node("b", "Dense", {"units": 5}))
    assert panel.field("units") is not units
    assert panel.field("units").text() == "5"


def advanced_toggle(panel):
    return next(b for b in panel.findChildren(QToolButton) if b.text().startswith("Advanced"))


def test_the_advanced_section_opens_and_stays_open_for_the_next_node(qtbot, panel):
    panel.show_node(Node("a", "Dense", {"units": 4}))
    toggle = advanced_toggle(panel)
    assert not panel.field("kernel_initializer").isVisible()
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert panel.field("kernel_initializer").isVisible()
    panel.show_node(Node("c", "Conv2D", {"filters": 4, "kernel_size": 3}))
    assert advanced_toggle(panel) is not toggle
    assert panel.field("kernel_initializer").isVisible()


@pytest.mark.parametrize("text, stored", [("encoder_out", {"units": 4, "name": "encoder_out"}),
                                          ("", {"units": 4})])
def test_the_name_field_sets_or_clears_the_keras_name(qtbot, panel, edits, text, stored):
    panel.show_node(Node("dense", "Dense", {"units": 4, "name": "old"}))
    name = panel.field("name")
    assert name.text() == "old" and "dense" in name.placeholderText()
    type_into(qtbot, name, text)
    assert edits == [("dense", stored)]


@pytest.mark.parametrize("text, suggestion", [("block/dense", "block_dense"), ("my tip!", "my_tip")])
def test_a_name_tensorflow_cannot_train_is_refused_with_a_suggestion(qtbot, panel, edits, text, suggestion):
    panel.show_node(Node("dense", "Dense", {"units": 4}))
    type_into(qtbot, panel.field("name"), text)
    assert panel.field_error("name") == (f'name "{text}" can only use the letters A-Z and a-z, digits and _ . - > '
                                         f'(TensorFlow cannot train or export a layer named otherwise); '
                                         f'try "{suggestion}"')
    assert edits == []


# -- in the editor, with real keys ---------------------------------------------------------

def test_tab_moves_between_fields_and_never_opens_quick_add(editor, qtbot):
    activate(editor)
    editor.files.new()
    node_id = editor.edits.add_layer("Input", None, QPointF(0, 0))
    editor.scene.clearSelection()
    click_canvas(editor.view, editor.scene.nodes[node_id].centre())
    name, shape = editor.inspector.field("name"), editor.inspector.field("shape")
    click(name)
    assert QApplication.focusWidget() is name
    type_keys(editor, "pixels", Qt.Key.Key_Tab)
    assert not editor.quick_add.isVisible()
    assert QApplication.focusWidget() is shape
    shape.selectAll()
    type_keys(editor, "28, 28, 1", Qt.Key.Key_Return)
    assert editor.document.graph.node(node_id).config == {"shape": [28, 28, 1], "name": "pixels"}
    assert (name.text(), shape.text()) == ("pixels", "28, 28, 1")
    type_keys(editor, key=Qt.Key.Key_Backtab, modifiers=Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.focusWidget() is name and not editor.quick_add.isVisible()


def test_tab_on_the_canvas_still_opens_quick_add(editor, qtbot):
    activate(editor)
    editor.files.new()
    click_canvas(editor.view, editor.view.centre_scene_pos())
    type_keys(editor, key=Qt.Key.Key_Tab)
    assert editor.quick_add.isVisible()
    type_keys(editor, key=Qt.Key.Key_Escape)
    assert not editor.quick_add.isVisible()


class _WindowsShown(QObject):
    """Every window shown while it listens: a stray one takes the focus from the user's window."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[str] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(watched, QWidget) and watched.isWindow():
            self.shown.append(type(watched).__name__)
        return False


def test_showing_a_node_opens_no_stray_window_and_keeps_the_focus(editor, qtbot):
    activate(editor)
    editor.files.new()
    node_id = editor.edits.add_layer("Dense", None, QPointF(0, 0))
    editor.scene.clearSelection()
    spy = _WindowsShown()
    QApplication.instance().installEventFilter(spy)
    try:
        click_canvas(editor.view, editor.scene.nodes[node_id].centre())
        QTest.qWait(50)
    finally:
        QApplication.instance().removeEventFilter(spy)
    assert editor.inspector.field("units").isVisible()
    assert spy.shown == [] and QApplication.activeWindow() is editor
