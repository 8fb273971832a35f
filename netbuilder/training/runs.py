"""Run folders: where each training run keeps its history, settings, model and curves.

A saved project `P.nbproj` keeps its runs in `P.runs/` beside it, one folder
per run named for its start time (`20250101-093000`), so runs travel with the
project and sort by age. An unsaved project's runs go under the user's data
folder (or `$NETBUILDER_RUNS_DIR`, which tests and benchmarks set). A run
folder holds `history.csv` (one row per complete epoch), `settings.json` (the
settings and dataset used, status, message, times, and the user's own
`title` and `note` for the run), `model.keras` and `curves.svg`; each file
is written atomically, so a run list never reads half a file. A run is
renamed by its `title`, never by renaming the folder: other runs, exports and
scripts may name the folder.
Standard library only, but for saving the model (through the Keras bridge).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from netbuilder.graph.atomic_file import atomic_write_text
from netbuilder.graph.project_file import EXTENSION
from netbuilder.training.history_table import history_columns
from netbuilder.training.plot_svg import curves_svg

RUNS_DIR_ENV = "NETBUILDER_RUNS_DIR"
HISTORY, SETTINGS, MODEL, CURVES = "history.csv", "settings.json", "model.keras", "curves.svg"
# What the user wrote about a run; the session's own record never replaces them.
ANNOTATIONS = ("title", "note")
_STAMP = "%Y%m%d-%H%M%S"
_VAL = "val_"


def runs_root(project_path: Path | None, name: str = "untitled") -> Path:
    """Where a project's runs live: `P.runs/` beside `P.nbproj`, else `<data dir>/netbuilder/runs/<name>`."""
    if project_path is not None:
        return project_path.with_name(project_path.name.removesuffix(EXTENSION) + ".runs")
    override = os.environ.get(RUNS_DIR_ENV)
    base = Path(override) if override else _data_home() / "netbuilder" / "runs"
    return base / (re.sub(r"[^\w.-]+", "_", name).strip("._") or "untitled")


def _data_home() -> Path:
    if os.environ.get("XDG_DATA_HOME"):
        return Path(os.environ["XDG_DATA_HOME"])
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"])
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support"
    return Path.home() / ".local" / "share"


@dataclass
class RunFolder:
    """One run's folder and the files written into it."""

    path: Path

    @classmethod
    def create(cls, root: Path, now: datetime | None = None) -> RunFolder:
        """A new folder under `root` named for the time (`-2`, `-3`… if that name is taken)."""
        root.mkdir(parents=True, exist_ok=True)
        stamp = (now or datetime.now()).strftime(_STAMP)
        for n in range(1, 10_000):
            path = root / (stamp if n == 1 else f"{stamp}-{n}")
            try:
                path.mkdir()
            except FileExistsError:
                continue
            return cls(path)
        raise FileExistsError(f"{root}: too many runs started at {stamp}")

    @classmethod
    def at(cls, path: Path) -> RunFolder:
        """Use `path` itself as the run folder (the command line's `--out`)."""
        path.mkdir(parents=True, exist_ok=True)
        return cls(path)

    def write_history(self, history: dict[str, list[float]]) -> Path:
        columns = history_columns(list(history))
        rows = max((len(v) for v in history.values()), default=0)
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(columns)
        for i in range(rows):
            values = [history[c][i] if i < len(history[c]) else math.nan for c in columns[1:]]
            writer.writerow([i + 1, *(repr(float(v)) for v in values)])
        return self._write(HISTORY, text.getvalue())

    def write_settings(self, record: dict[str, Any]) -> Path:
        """Write the run's record; a title or note the user gave the run meanwhile is kept."""
        kept = {k: v for k, v in _read_record(self.path).items() if k in ANNOTATIONS and k not in record}
        return self._write(SETTINGS, json.dumps(_finite({**record, **kept}), indent=2, ensure_ascii=False) + "\n")

    def annotate(self, *, title: str | None = None, note: str | None = None) -> Path:
        """Give the run a title or a note (empty text takes it away); the folder keeps its name."""
        record = _read_record(self.path)
        for key, text in (("title", title), ("note", note)):
            if text is not None:
                if text.strip():
                    record[key] = text.strip()
                else:
                    record.pop(key, None)
        return self._write(SETTINGS, json.dumps(record, indent=2, ensure_ascii=False) + "\n")

    def write_curves(self, history: dict[str, list[float]], title: str) -> Path:
        return self._write(CURVES, curves_svg(history, title))

    def write_model(self, model: Any) -> Path:
        from netbuilder.keras_bridge.export import save_model_file

        path = self.path / MODEL
        save_model_file(model, path)
        return path

    def _write(self, name: str, text: str) -> Path:
        atomic_write_text(self.path / name, text)
        return self.path / name


def _finite(value: Any) -> Any:
    """JSON has no NaN: a value that was never measured is written as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def _read_record(run_dir: Path) -> dict[str, Any]:
    """The run's settings.json, or an empty record when it is missing or unreadable."""
    try:
        record = json.loads((run_dir / SETTINGS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


@dataclass
class RunInfo:
    """What the run list shows of one run; `final` holds the last epoch's values."""

    path: Path
    name: str
    started: datetime | None
    status: str
    epochs: int
    final: dict[str, float] = field(default_factory=dict)
    strategy: str = "default"  # the tf.distribute strategy it trained under
    replicas: int | None = None  # replicas in sync, once the run has recorded them
    title: str = ""  # the name the user gave the run ("" until renamed)
    note: str = ""

    @property
    def label(self) -> str:
        """How the run is called where users see it: its title, else its folder's name."""
        return self.title or self.name

    @property
    def metrics(self) -> list[str]:
        """The quantities the run measured (loss, rmse, …), each once whether trained or validated."""
        return list(dict.fromkeys(k.removeprefix(_VAL) for k in self.final))

    def result(self, metric: str) -> tuple[str, float] | None:
        """The run's last value of `metric` and its key: the validation value when the run measured
        one, else the training one; None when the run has neither."""
        for key in (_VAL + metric, metric):
            if key in self.final:
                return key, self.final[key]
        return None


def read_history(run_dir: Path) -> dict[str, list[float]]:
    """The run's history.csv by column (`epoch` included); empty when the run ended before an epoch."""
    try:
        text = (run_dir / HISTORY).read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return {}
    columns: dict[str, list[float]] = {name: [] for name in rows[0]}
    for row in rows[1:]:
        for name, cell in zip(rows[0], row):
            columns[name].append(_number(cell))
    return columns


def _number(cell: str) -> float:
    try:
        return float(cell)
    except ValueError:
        return math.nan


def list_runs(root: Path) -> list[RunInfo]:
    """Every run under `root`, newest first; folders without run files are skipped."""
    if not root.is_dir():
        return []
    runs = [info for path in root.iterdir() if path.is_dir() and (info := _read_run(path)) is not None]
    runs.sort(key=lambda r: (r.started or datetime.min, r.name), reverse=True)
    return runs


def runs_with_model(root: Path) -> list[RunInfo]:
    """The runs under `root` that ended with a saved model (the ones whose weights can be exported), newest first."""
    return [run for run in list_runs(root) if (run.path / MODEL).is_file()]


def _read_run(path: Path) -> RunInfo | None:
    record = _read_record(path)
    if not record and not (path / HISTORY).exists():
        return None
    history = read_history(path)
    final = record.get("final")
    if not isinstance(final, dict):
        final = {k: v[-1] for k, v in history.items() if v and k != "epoch"}
    try:
        started = datetime.fromisoformat(record["started"])
    except (KeyError, TypeError, ValueError):
        started = None
    epochs = record.get("epochs_done")
    training = record.get("training")
    # A run still going has not recorded `strategy` yet; its settings have it when it is not the default.
    strategy = record.get("strategy") or (training.get("strategy") if isinstance(training, dict) else None)
    replicas = record.get("replicas")
    return RunInfo(
        path=path,
        name=path.name,
        started=started,
        status=str(record.get("status", "unknown")),
        epochs=epochs if isinstance(epochs, int) else len(history.get("epoch", [])),
        final={k: float(v) for k, v in final.items() if isinstance(v, (int, float))},
        strategy=strategy if isinstance(strategy, str) else "default",
        replicas=replicas if isinstance(replicas, int) and not isinstance(replicas, bool) else None,
        title=_text(record.get("title")),
        note=_text(record.get("note")),
    )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
