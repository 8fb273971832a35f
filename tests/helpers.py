"""Plain helpers the test modules import by name (`from helpers import EXAMPLES`).

Fixtures live in `conftest.py`, which pytest loads itself and no test imports;
everything else shared between test modules lives here. `tests/` is on
`sys.path` (`pythonpath` in pyproject.toml), so `pytest` and
`python -m pytest`, from any folder, import this module the same single way.
"""

from __future__ import annotations

import json
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "resources" / "examples"


def tips_project(shape: tuple[int, ...] = (2,), **training: object) -> dict:
    """A small regression model on the bundled tips data (total_bill and size predict the tip)."""
    return {
        "format": "netbuilder", "version": 1, "name": "tips",
        "graph": {
            "nodes": [
                {"id": "x", "layer": "Input", "config": {"shape": list(shape)}},
                {"id": "h", "layer": "Dense", "config": {"units": 8, "activation": "relu"}},
                {"id": "out", "layer": "Dense", "config": {"units": 1}},
            ],
            "edges": [{"source": "x", "target": "h"}, {"source": "h", "target": "out"}],
        },
        "dataset": {"source": "bundled:tips", "target": ["tip"], "inputs": {"x": ["total_bill", "size"]}},
        "training": {"epochs": 3, "batch_size": 32, **training},
    }


def finish(qtbot, panel, timeout: int = 60_000) -> None:
    """Wait until the Training tab's run has ended."""
    qtbot.waitUntil(lambda: not panel.is_running, timeout=timeout)


def push_and_check_undo(document, command) -> dict:  # noqa: ANN001 (a Project or Graph, and a Command)
    """Push `command`; undo must give back the exact document, redo the exact result (as JSON text: order counts).

    Returns the document after the command, as parsed JSON.
    """
    from netbuilder.graph import UndoStack

    stack = UndoStack()
    before = json.dumps(document.to_dict())
    stack.push(command)
    after = json.dumps(document.to_dict())
    stack.undo()
    assert json.dumps(document.to_dict()) == before
    stack.redo()
    assert json.dumps(document.to_dict()) == after
    return json.loads(after)
