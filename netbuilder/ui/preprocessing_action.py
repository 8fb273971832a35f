"""The editor's "Add preprocessing" and "Remove preprocessing" commands: one undo step each.

The graph rewrite lives in `graph.preprocessing_block` and the columns come
from the dataset (`training.datasets.raw_columns`); this module only asks
for both and pushes the command, returning a sentence when the project
cannot take it, for the window to show where the user is looking.
"""

from __future__ import annotations

from netbuilder.graph.preprocessing_block import add_preprocessing_command, block_node, remove_preprocessing_command
from netbuilder.ui.document import EditorDocument


def toggle_preprocessing(document: EditorDocument) -> str | None:
    """Add the block when the model has none, else remove it; None when done, else why not."""
    from netbuilder.training.datasets.raw_columns import raw_columns

    project = document.project
    try:
        columns = raw_columns(project)
        if block_node(project.graph) is None:
            command = add_preprocessing_command(project, columns)
        else:
            command = remove_preprocessing_command(project, columns)
    except ValueError as exc:  # DatasetError is one too
        return f"Cannot change the preprocessing: {str(exc).splitlines()[0]}"
    document.push(command)
    return None
