"""Opening a dataset file with one clear message for each way it can fail to open."""

from __future__ import annotations

from pathlib import Path

from netbuilder.training.datasets.spec import DatasetError


def read_text(path: Path, what: str) -> str:
    """The whole of `path` as UTF-8 text; `what` names the expected file in messages ("a CSV file")."""
    try:
        return path.read_text(encoding="utf-8-sig")  # spreadsheets often write a byte-order mark
    except FileNotFoundError:
        raise DatasetError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DatasetError(f"{path}: is a folder, expected {what}") from None
    except UnicodeDecodeError:
        raise DatasetError(f"{path.name}: is not UTF-8 text; is it really {what}?") from None
    except OSError as exc:
        raise DatasetError(f"{path}: cannot be read: {exc.strerror}") from None


def check_file(path: Path, what: str) -> None:
    """Refuse a missing file or a folder where a file was expected, as `read_text` would."""
    if not path.exists():
        raise DatasetError(f"{path}: no such file")
    if path.is_dir():
        raise DatasetError(f"{path}: is a folder, expected {what}")
