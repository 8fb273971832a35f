"""A run's training health on disk: `health.csv` (the checks) and `health_warnings.csv` (the warnings).

`health.HealthCallback` writes both into the run folder while it trains; the
Training tab reads them back when the user picks a past run, so the Health
tab shows that run as it showed it live. The files are plain CSV, one header
row then one row per item:

- `health.csv`: `epoch, batch, step, layer, weight_norm, grad_norm,
  update_ratio, active_fraction`, one row per layer and check (an empty
  `update_ratio` or `active_fraction` means "not measured");
- `health_warnings.csv`: `kind, layer, message`, one row per warning, in the
  order they were given (`layer` names the layer the warning is about, "" for
  none).

A run made before warnings were kept has no `health_warnings.csv`: it reads as
no warnings. A file that is damaged or was written by someone else raises
`HealthRecordError`, whose sentence names the file and what is wrong in it;
nothing read here is ever evaluated.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from netbuilder.training.events import HealthCheck, HealthWarning, LayerHealth

HEALTH_CSV = "health.csv"
WARNINGS_CSV = "health_warnings.csv"
COLUMNS = ["epoch", "batch", "step", "layer", "weight_norm", "grad_norm", "update_ratio", "active_fraction"]
WARNING_COLUMNS = ["kind", "layer", "message"]
MAX_BYTES = 64 * 1024 * 1024  # far above any real run's record; a larger file is not read into memory


class HealthRecordError(ValueError):
    """A health file of a run folder that cannot be read; the message names the file and the culprit."""


def append_warning(run_dir: Path, warning: HealthWarning) -> None:
    """Add `warning` to the run's warnings file (made, with its header, by the first warning)."""
    path = run_dir / WARNINGS_CSV
    new = not path.exists()
    with path.open("a", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        if new:
            out.writerow(WARNING_COLUMNS)
        out.writerow([warning.kind, warning.layer, warning.message])


def _rows(path: Path, columns: list[str]) -> list[dict[str, str]]:
    """The rows of a CSV file with exactly these columns; [] when the file does not exist."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise HealthRecordError(f"{path} is too large to be a health record ({path.stat().st_size:,} bytes).")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except UnicodeDecodeError as error:
        raise HealthRecordError(f"{path} is not UTF-8 text (byte {error.start}).") from None
    except OSError as error:
        raise HealthRecordError(f"Cannot read {path}: {error.strerror or error}.") from None
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise HealthRecordError(f"{path} is not a valid CSV file: {error}.") from None
    if not rows:
        return []
    if rows[0] != columns:
        raise HealthRecordError(f"{path} has the columns {', '.join(rows[0])[:200]!r}; "
                                f"a health record has {', '.join(columns)}.")
    found = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(columns):
            raise HealthRecordError(f"{path}, line {number}: {len(row)} cells where {len(columns)} are expected.")
        found.append(dict(zip(columns, row)))
    return found


def _count(path: Path, number: int, name: str, cell: str) -> int:
    try:
        value = int(cell)
    except ValueError:
        raise HealthRecordError(f"{path}, line {number}: {name} {cell[:40]!r} is not a whole number.") from None
    if value < 0:
        raise HealthRecordError(f"{path}, line {number}: {name} {value} is negative.")
    return value


def _real(path: Path, number: int, name: str, cell: str, optional: bool = False) -> float | None:
    if optional and cell == "":
        return None
    try:
        return float(cell)  # NaN and infinity are what an exploding run records
    except ValueError:
        raise HealthRecordError(f"{path}, line {number}: {name} {cell[:40]!r} is not a number.") from None


def read_checks(run_dir: Path) -> list[HealthCheck]:
    """The checks recorded in the run's `health.csv`, in order; [] when the run recorded none."""
    path = run_dir / HEALTH_CSV
    checks: list[HealthCheck] = []
    for number, row in enumerate(_rows(path, COLUMNS), start=2):
        epoch, batch, step = (_count(path, number, key, row[key]) for key in ("epoch", "batch", "step"))
        weight, grad = (_real(path, number, key, row[key]) for key in ("weight_norm", "grad_norm"))
        ratio = _real(path, number, "update_ratio", row["update_ratio"], optional=True)
        active = _real(path, number, "active_fraction", row["active_fraction"], optional=True)
        if active is not None and not (0.0 <= active <= 1.0):
            raise HealthRecordError(f"{path}, line {number}: active_fraction {active} is not between 0 and 1.")
        if not checks or (checks[-1].epoch, checks[-1].batch, checks[-1].step) != (epoch, batch, step):
            checks.append(HealthCheck(epoch, batch, step, {}))
        assert weight is not None and grad is not None
        checks[-1].layers[row["layer"]] = LayerHealth(weight, grad, ratio, active)
    return checks


def read_warnings(run_dir: Path) -> list[HealthWarning]:
    """The warnings recorded in the run's `health_warnings.csv`; [] for a run without that file."""
    path = run_dir / WARNINGS_CSV
    return [HealthWarning(row["kind"], row["layer"], row["message"]) for row in _rows(path, WARNING_COLUMNS)]

