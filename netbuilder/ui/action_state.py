"""Which of the window's menu actions apply to the open project, and what Undo, Redo and Preprocessing say.

With no project open, the actions that need one are greyed out; Undo and Redo
name the step they would take; the preprocessing entry offers to add the
block or to remove the one the graph has. The Run menu follows the Training
panel instead (see `training_tab`).
"""

from __future__ import annotations

from PySide6.QtGui import QAction

from netbuilder.graph.preprocessing_block import block_node
from netbuilder.ui.document import EditorDocument

NEED_A_PROJECT = ("save", "save_as", "export", "close", "cut", "copy", "paste", "duplicate", "delete", "select_all",
                  "quick_add", "fit", "zoom_in", "zoom_out", "zoom_reset", "arrange", "group", "ungroup",
                  "open_submodel", "preprocessing", "check")


def follow_document(actions: dict[str, QAction], doc: EditorDocument | None) -> bool:
    """Enable and name the actions for `doc` (None: no project); True when its graph has a preprocessing block."""
    has = doc is not None
    for key in NEED_A_PROJECT:
        actions[key].setEnabled(has)
    actions["back_to_main"].setEnabled(bool(has and doc.scope))
    undo, redo = actions["undo"], actions["redo"]
    undo.setEnabled(bool(has and doc.stack.can_undo))
    redo.setEnabled(bool(has and doc.stack.can_redo))
    undo.setText(f"&Undo {doc.stack.undo_text}" if has and doc.stack.can_undo else "&Undo")
    redo.setText(f"&Redo {doc.stack.redo_text}" if has and doc.stack.can_redo else "&Redo")
    present = has and block_node(doc.project.graph) is not None
    actions["preprocessing"].setText("Remove &Preprocessing Block" if present else "Add &Preprocessing Block")
    return present
