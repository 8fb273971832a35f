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
        raise DatasetError(_not_utf8(path, what)) from None
    except OSError as exc:
        raise DatasetError(f"{path}: cannot be read: {exc.strerror}") from None


def _not_utf8(path: Path, what: str) -> str:
    """Where the file stops being UTF-8: a file saved half in one encoding and half in another is
    fixed at that line, and UTF-16 (which some spreadsheets write) is named as what it is."""
    data = path.read_bytes()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return f"{path.name}: is UTF-16 text; save it as UTF-8 (is it really {what}?)"
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = exc.object.count(b"\n", 0, exc.start) + 1
        return (f"{path.name}: line {line} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x}); save the file "
                f"as UTF-8 (is it really {what}?)")
    return f"{path.name}: is not UTF-8 text; is it really {what}?"


def check_file(path: Path, what: str) -> None:
    """Refuse a missing file or a folder where a file was expected, as `read_text` would."""
    if not path.exists():
        raise DatasetError(f"{path}: no such file")
    if path.is_dir():
        raise DatasetError(f"{path}: is a folder, expected {what}")
