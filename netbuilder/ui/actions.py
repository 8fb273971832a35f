"""The window's actions, menus and toolbar, with their shortcuts, in one table.

Keeping the table here (rather than scattered through the window) makes the
shortcut list easy to review and lets the tests trigger any action by name.
The gestures that are not actions (panning, zooming, keys inside a panel) are
listed beside it, so Help ▸ Keyboard Shortcuts can show everything from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QStyle, QToolBar

Std = QKeySequence.StandardKey


@dataclass(frozen=True)
class ActionSpec:
    key: str
    text: str
    shortcut: QKeySequence.StandardKey | str | None = None
    tip: str = ""
    icon: QStyle.StandardPixmap | None = None


MENUS: dict[str, list[ActionSpec | None]] = {
    "&File": [
        ActionSpec("new", "&New Project", Std.New, "Start an empty project", QStyle.StandardPixmap.SP_FileIcon),
        ActionSpec("open", "&Open…", Std.Open, "Open a .nbproj project", QStyle.StandardPixmap.SP_DialogOpenButton),
        ActionSpec("import", "&Import Keras Model…", "Ctrl+I", "Open a .keras or .h5 model as an editable graph"),
        ActionSpec("export", "&Export…", "Ctrl+E", "Write the model as a SavedModel, a .keras file, weights or a script"),
        None,
        ActionSpec("save", "&Save", Std.Save, "Save the project", QStyle.StandardPixmap.SP_DialogSaveButton),
        ActionSpec("save_as", "Save &As…", Std.SaveAs, "Save the project under a new name"),
        None,
        ActionSpec("close", "&Close Project", Std.Close, "Back to the start page"),
        ActionSpec("quit", "&Quit", Std.Quit),
    ],
    "&Edit": [
        ActionSpec("undo", "&Undo", Std.Undo, "", QStyle.StandardPixmap.SP_ArrowBack),
        ActionSpec("redo", "&Redo", "Ctrl+Y", "", QStyle.StandardPixmap.SP_ArrowForward),
        None,
        ActionSpec("cut", "Cu&t", Std.Cut),
        ActionSpec("copy", "&Copy", Std.Copy),
        ActionSpec("paste", "&Paste", Std.Paste),
        ActionSpec("duplicate", "D&uplicate", "Ctrl+D"),
        ActionSpec("delete", "&Delete", "Del", "Delete the selected layers and wires", QStyle.StandardPixmap.SP_TrashIcon),
        ActionSpec("select_all", "Select &All", Std.SelectAll),
        None,
        # No window-wide Tab: Tab must move between the inspector's fields. The canvas
        # itself opens quick-add on Tab or Space (GraphView), only when it has focus.
        ActionSpec("quick_add", "&Add Layer…", None, "Type a layer's name to add it under the pointer "
                   "(Tab or Space on the canvas)"),
        ActionSpec("find_layer", "&Find in Palette", Std.Find),
    ],
    "&View": [
        ActionSpec("fit", "&Fit to Window", "F", "Show the whole graph (F)"),
        ActionSpec("zoom_in", "Zoom &In", Std.ZoomIn),
        ActionSpec("zoom_out", "Zoom &Out", Std.ZoomOut),
        ActionSpec("zoom_reset", "&Actual Size", "Ctrl+0"),
        None,
        ActionSpec("arrange", "Arrange &Automatically", "Ctrl+L", "Lay the graph out top to bottom"),
        None,
        ActionSpec("activations", "Acti&vation Previews", None,
                   "Show beside each card what its layer outputs for a sample (updated while training)"),
        ActionSpec("activation_sample", "Activation &Sample…", None,
                   "Pick the sample the previews show: a dataset row or image, an image file or typed values"),
        ActionSpec("augmentation", "Au&gmentation Preview", None,
                   "One image of the dataset through the model's augmentation layers, several times"),
    ],
    "&Model": [
        ActionSpec("group", "&Group into Sub-model…", "Ctrl+G", "Move the selected layers into a reusable sub-model"),
        ActionSpec("ungroup", "&Ungroup", "Ctrl+Shift+G", "Put a sub-model's layers back in its place"),
        ActionSpec("open_submodel", "&Open Sub-model", "Ctrl+Return", "Edit the selected sub-model node's graph"),
        ActionSpec("back_to_main", "&Back to Main Graph", "Alt+Up", "Leave the sub-model being edited"),
        ActionSpec("preprocessing", "Add &Preprocessing Block", None,
                   "Make the model take the dataset's raw columns through a 'preprocessing' sub-model, or "
                   "give it back its one matrix Input"),
        None,
        ActionSpec("check", "&Check Now", "Ctrl+Shift+R", "Re-check structure and shapes"),
    ],
    "&Run": [
        ActionSpec("train", "&Train", "F5", "Train the model on the project's dataset", QStyle.StandardPixmap.SP_MediaPlay),
        ActionSpec("pause", "&Pause", None, "Pause the run after the current batch (again to resume)",
                   QStyle.StandardPixmap.SP_MediaPause),
        ActionSpec("stop", "&Stop", "Shift+F5", "End the run after the current batch, keeping what it learned",
                   QStyle.StandardPixmap.SP_MediaStop),
    ],
    "&Help": [
        ActionSpec("getting_started", "&Getting Started", Std.HelpContents, "What to do first: add, connect, train, export"),
        ActionSpec("shortcuts", "&Keyboard Shortcuts", "Ctrl+/", "Every shortcut and canvas gesture, searchable"),
        None,
        ActionSpec("about", "&About netbuilder", None, "The versions of netbuilder, Keras, TensorFlow, Qt and Python"),
    ],
}

# (where, keys, what they do) for what users do without a menu entry.
GESTURES: list[tuple[str, str, str]] = [
    ("Canvas", "Space (tap)", "Add a layer under the pointer: type its name, then Enter"),
    ("Canvas", "Tab", "Add a layer under the pointer, as Space does (over a wire: insert it there)"),
    ("Canvas", "Right-click", "A menu for the card, wire or empty spot under the pointer"),
    ("Canvas", "Drop a layer on a wire", "Insert it there, between the wire's two layers"),
    ("Canvas", "Space + drag, or middle-drag", "Pan"),
    ("Canvas", "Wheel", "Zoom around the pointer"),
    ("Canvas", "Drag from an output port to an input port", "Connect two layers"),
    ("Canvas", "Drop a wire on empty canvas", "Add a layer there, connected to the wire"),
    ("Canvas", "Drag on empty canvas", "Select the layers inside the rectangle"),
    ("Canvas", "Double-click a sub-model", "Open it for editing"),
    ("Canvas", "Esc", "Cancel the wire being drawn; close a message"),
    ("Layers", "Type, then Enter", "Search the palette and add the best match"),
    ("Layers", "Down", "From the search box into the list"),
    ("Layers", "Esc", "Clear the search"),
    ("Add Layer popup", "Up / Down, Enter", "Choose a layer and add it"),
    ("Add Layer popup", "Esc", "Close without adding"),
    ("Inspector", "Enter", "Apply the value typed"),
    ("Inspector", "Esc", "Put the shown value back"),
]

TOOLBAR = ["new", "open", "save", None, "undo", "redo", None, "delete", None, "fit", "arrange", None, "group",
           None, "train", "stop"]


def build_actions(window: QMainWindow, handlers: dict[str, Callable[[], object]]) -> dict[str, QAction]:
    """Create every action (triggering `handlers[key]`), the menu bar and the toolbar."""
    actions: dict[str, QAction] = {}
    for title, specs in MENUS.items():
        menu = window.menuBar().addMenu(title)
        actions[f"{title.replace('&', '').lower()}_menu"] = menu  # type: ignore[assignment]  # "view_menu", …
        for spec in specs:
            if spec is None:
                menu.addSeparator()
                continue
            action = QAction(spec.text, window)
            if spec.shortcut is not None:
                action.setShortcut(QKeySequence(spec.shortcut))
            if spec.icon is not None:
                action.setIcon(window.style().standardIcon(spec.icon))
            tip = spec.tip or spec.text.replace("&", "").rstrip("…")
            shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"{tip} ({shortcut})" if shortcut else tip)
            action.setStatusTip(tip)
            handler = handlers.get(spec.key)
            if handler is not None:
                action.triggered.connect(lambda _=False, h=handler: h())
            menu.addAction(action)
            actions[spec.key] = action
            if spec.key == "open":
                actions["recent_menu"] = menu.addMenu("Open &Recent")  # type: ignore[assignment]
                actions["examples_menu"] = menu.addMenu("Open &Example")  # type: ignore[assignment]
    toolbar = QToolBar("Toolbar", window)  # the title names it in View and in the docks' context menu
    toolbar.setObjectName("main_toolbar")
    toolbar.setMovable(False)
    for key in TOOLBAR:
        if key is None:
            toolbar.addSeparator()
        else:
            toolbar.addAction(actions[key])
    window.addToolBar(toolbar)
    return actions


def submenu(actions: dict[str, QAction], key: str) -> QMenu:
    return actions[key]  # type: ignore[return-value]
