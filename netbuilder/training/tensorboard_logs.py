"""Where a run's TensorBoard logs go, and where to find them again for "Open in TensorBoard".

The TensorBoard folder setting names a folder relative to the saved project's
folder (or absolute). Every run writes into its own subfolder of it, named like
the run folder (`logs/20250101-093000/train`), so TensorBoard opened on the
folder lists each run apart instead of mixing their curves. An unsaved project
has no folder of its own, so its logs go inside the run folder itself
(`<run>/logs/train`), already one per run. The folder a run logged to is kept
in its settings.json (`tensorboard_logs`), so the runs list can open it later
whatever the setting has become since. Standard library only.
"""

from __future__ import annotations

import json
from pathlib import Path

from netbuilder.training.runs import SETTINGS

RECORD_KEY = "tensorboard_logs"


def log_dir(setting: str | None, project_path: Path | None, run_dir: Path) -> Path | None:
    """The folder the run in `run_dir` logs to, or None when the TensorBoard setting is off."""
    if not setting:
        return None
    chosen = Path(setting).expanduser()
    if chosen.is_absolute():
        return chosen / run_dir.name
    if project_path is None:
        return run_dir / chosen
    return project_path.parent / chosen / run_dir.name


def run_log_dir(run_dir: Path) -> Path | None:
    """The folder the run in `run_dir` logged to, if it recorded one that still exists."""
    try:
        record = json.loads((run_dir / SETTINGS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    logged = record.get(RECORD_KEY) if isinstance(record, dict) else None
    if not isinstance(logged, str) or not Path(logged).is_dir():
        return None
    return Path(logged)
