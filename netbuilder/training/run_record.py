"""What a run leaves in its folder: the record in settings.json, and the history, curves and model once it ends.

The record says what was trained, on what and how; the session fills in the
status, times and final scores when the run ends. Every file is written on
its own, and one that cannot be written fails the run with a sentence naming
it, without losing the others or the record.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable

from netbuilder import __version__
from netbuilder.graph.project_file import Project
from netbuilder.training.datasets.spec import DatasetSpec
from netbuilder.training.events import Status
from netbuilder.training.run_failures import first_line, joined
from netbuilder.training.runs import RunFolder
from netbuilder.training.settings import TrainingSettings

if TYPE_CHECKING:
    from netbuilder.training.datasets.loaded import LoadedData

log = logging.getLogger(__name__)


def run_record(project: Project, dataset: DatasetSpec | None, data: LoadedData | None, settings: TrainingSettings,
               started: datetime) -> dict[str, Any]:
    """settings.json: what was trained, on what, how; status and times are filled in at the end."""
    section = dataset.to_section() if dataset is not None else None
    if section is None and data is not None:
        section = {"source": data.source_name}
    return {
        "project": project.name,
        "project_file": str(project.path) if project.path else None,
        "status": "running",
        "message": "",
        "started": started.isoformat(timespec="seconds"),
        "training": settings.to_section(),
        "dataset": section,
        "netbuilder": __version__,
    }


def keep_run(folder: RunFolder, project_name: str, model: Any, status: Status, message: str,
             history: dict[str, list[float]], epochs_done: int, trained: bool) -> tuple[Status, str]:
    """Write history, curves and (for a usable model) model.keras; a write that fails fails the run.

    A run stopped before its first epoch ended has no history, but its weights
    have trained (`trained`) and are kept, as Stop promises.
    """
    title = f"{project_name} — {folder.path.name} ({status})"
    writes: list[tuple[str, Callable[[], Any]]] = []
    if epochs_done:
        writes += [("history.csv", lambda: folder.write_history(history)),
                   ("curves.svg", lambda: folder.write_curves(history, title))]
    if status in ("completed", "stopped") and model is not None and trained:
        writes.append(("model.keras", lambda: folder.write_model(model)))
    for name, write in writes:
        try:
            write()
        except Exception as exc:  # noqa: BLE001 — a disk or Keras save error must not lose the run record
            log.info("writing %s failed", name, exc_info=True)
            status, message = "failed", joined(message, f"Cannot write {folder.path / name}: {first_line(exc)}.")
    return status, message
