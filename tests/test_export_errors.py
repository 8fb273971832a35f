"""Exports that cannot be written: a folder the user may not write to, a disk that fills up.

Each must end in one readable sentence naming the user's target (on the
command line and in the Export dialog, in red), never the hidden temporary
file it was being written as, and leave earlier exports exactly as they
were, with no half-written version or temporary file behind. Permission is denied for
real: as a user without write access, or, when the tests run as root (who
may write anywhere), in a child process without root's capability to
override permissions. A full disk
cannot be made safely on a shared machine, so the failure is raised where
the system would raise it: from TensorFlow's SavedModel writer as the
`ResourceExhaustedError` its file system gives for ENOSPC, and from Keras'
`.keras` writer as Python's `OSError(ENOSPC)`, after part of the file is out.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import keras
import pytest
import tensorflow as tf

from netbuilder.graph.atomic_file import replacing
from netbuilder.graph.project_file import load
from netbuilder.keras_bridge.errors import BridgeError
from netbuilder.resources import example_path
from netbuilder.ui.export_dialog import UNTRAINED, ExportDialog

ARCHIVE = type(keras.export.ExportArchive())  # the backend's class, which the factory hands out


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _without_write_access(folder: Path, command: list[str]) -> list[str]:
    """`command`, run so that `folder` is not writable for it, for real."""
    folder.chmod(0o555)
    if os.geteuid() != 0:
        return command
    # Root writes anywhere by its capability to override permissions; the child runs without it.
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permissions cannot be taken away")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--", *command]


@pytest.mark.parametrize("fmt, name, reason", [
    ("savedmodel", "serving", "cannot write the SavedModel: Permission denied"),
    ("keras", "model.keras", "Permission denied"),
    ("package", "package", "Permission denied"),
])
def test_a_folder_without_write_permission_is_named_and_nothing_changes(fmt, name, reason, tmp_path):
    project = tmp_path / "tips.nbproj"
    shutil.copy(example_path("tips_regression"), project)
    project.chmod(0o644)
    target = tmp_path / "exports"
    target.mkdir()
    (target / "earlier.txt").write_text("an earlier export", encoding="utf-8")
    target.chmod(0o755)
    before = _snapshot(target)
    weights = [] if fmt == "package" else ["--untrained"]
    command = _without_write_access(target, [sys.executable, "-m", "netbuilder", "export", str(project), *weights,
                                             "--format", fmt, "-o", str(target / name)])
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=240, stdin=subprocess.DEVNULL)
    finally:
        target.chmod(0o755)
    assert done.returncode == 1, done.stdout + done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.endswith(f"{target / name}: {reason}") and "Traceback" not in done.stderr
    assert _snapshot(target) == before and sorted(p.name for p in target.iterdir()) == ["earlier.txt"]


def test_a_full_disk_during_a_savedmodel_leaves_the_earlier_version(tmp_path, monkeypatch):
    from netbuilder.keras_bridge.build import build_model
    from netbuilder.export.savedmodel import export_savedmodel

    model = build_model(load(example_path("tips_regression")), with_weights=False).model
    earlier = export_savedmodel(model, tmp_path, verify=False).path
    before = _snapshot(tmp_path)
    write_out = ARCHIVE.write_out

    def fills_the_disk(self, path, **kwargs):
        write_out(self, path, **kwargs)  # the files are out, as far as they got …
        raise tf.errors.ResourceExhaustedError(None, None, f"{path}/variables; No space left on device")

    monkeypatch.setattr(ARCHIVE, "write_out", fills_the_disk)
    with pytest.raises(BridgeError, match="cannot write the SavedModel: No space left on device"):
        export_savedmodel(model, tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [earlier.name]  # no partial version for a server to pick up
    assert _snapshot(tmp_path) == before


@pytest.fixture
def dialog(editor, tmp_path):
    project = tmp_path / "tips.nbproj"
    shutil.copy(example_path("tips_regression"), project)
    assert editor.files.open_path(project)
    editor.actions["export"].trigger()
    dialog = editor.export_dialog
    assert isinstance(dialog, ExportDialog)
    dialog.select_weights(UNTRAINED)
    return dialog


def _export(dialog: ExportDialog, qtbot, fmt: str, destination: Path) -> str:
    dialog.select_format(fmt)
    dialog.ask_destination = lambda fmt, suggestion: destination
    dialog.browse_button.click()
    dialog.export_button.click()
    qtbot.waitUntil(lambda: not dialog.is_busy, timeout=60_000)
    return dialog.result.text()


def test_a_full_disk_during_a_keras_file_is_shown_in_red_and_keeps_the_old_file(dialog, qtbot, tmp_path,
                                                                              monkeypatch):
    out = tmp_path / "out" / "tips.keras"
    assert "Wrote" in _export(dialog, qtbot, "keras", out)
    before = _snapshot(out.parent)

    def fills_the_disk(self, filepath, *args, **kwargs):
        Path(filepath).write_bytes(b"PK\x03\x04 half a zip")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(filepath))

    monkeypatch.setattr(keras.Model, "save", fills_the_disk)
    text = _export(dialog, qtbot, "keras", out)
    assert text == f"Export failed (nothing earlier was changed): {out}: No space left on device"
    assert "color" in dialog.result.styleSheet()
    assert _snapshot(out.parent) == before  # the old file, and no temporary one beside it


def test_a_full_disk_during_a_savedmodel_is_shown_in_the_dialog(dialog, qtbot, tmp_path, monkeypatch):
    def fills_the_disk(self, path, **kwargs):
        Path(path).mkdir(parents=True, exist_ok=True)
        (Path(path) / "saved_model.pb").write_bytes(b"half")
        raise tf.errors.ResourceExhaustedError(None, None, "No space left on device")

    monkeypatch.setattr(ARCHIVE, "write_out", fills_the_disk)
    out = tmp_path / "serving"
    text = _export(dialog, qtbot, "savedmodel", out)
    assert "Export failed (nothing earlier was changed)" in text
    assert f"{out}: cannot write the SavedModel: No space left on device" in text
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("raised", [
    OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)),  # a write to a full disk names no file
    "temporary",  # the hidden file itself, as open() or h5py name it
])
def test_a_failed_write_names_the_user_s_file_not_the_hidden_one(tmp_path, raised):
    target = tmp_path / "model.weights.h5"
    target.write_bytes(b"the earlier weights")
    with pytest.raises(OSError) as caught:
        with replacing(target, suffix=".weights.h5") as tmp:
            tmp.write_bytes(b"half")
            if raised == "temporary":
                raise OSError(None, f"Unable to create file (name = '{tmp}', errno = 28)", str(tmp))
            raise raised
    assert caught.value.filename == str(target) and ".model.weights.h5." not in caught.value.strerror
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.weights.h5"]


def test_a_failure_reading_another_file_keeps_its_name(tmp_path):
    with pytest.raises(FileNotFoundError) as caught:
        with replacing(tmp_path / "copy.csv") as tmp:
            tmp.write_bytes((tmp_path / "gone.csv").read_bytes())
    assert caught.value.filename == str(tmp_path / "gone.csv")


def test_a_full_disk_while_copying_a_package_s_data_names_the_package(tmp_path, monkeypatch, capsys):
    from netbuilder.cli import main

    def fills_the_disk(source, target, *args, **kwargs):
        Path(target).write_bytes(b"half the data")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(shutil, "copyfile", fills_the_disk)
    out = tmp_path / "pkg"
    assert main(["export", str(example_path("tips_regression")), "--format", "package", "-o", str(out)]) == 1
    assert capsys.readouterr().err.strip() == f"{out}: No space left on device"
    assert list(tmp_path.iterdir()) == []
