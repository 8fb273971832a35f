"""Saves and exports killed halfway: the next save or export of the same target removes what they left.

A process killed with SIGKILL cannot remove its temporary file (`.NAME.XXXXXXXX.SUFFIX`)
or folder (`.NAME.XXXXXXXX.partial`); nothing else ever would. Each test here
kills a real child process in the middle of writing, with `kill -9`, and
checks that the next write of the same target cleans up after it — once the
leftover has been untouched for a minute, so that a write still going on in
another process keeps its file — and that nothing but our own leftovers is
ever deleted.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from netbuilder.graph.atomic_file import STALE_SECONDS, atomic_write_text, new_folder, replacing
from netbuilder.graph.project_file import load
from netbuilder.resources import example_path

ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}

WRITES_FOREVER = """
import sys, time
from pathlib import Path
from netbuilder.graph.atomic_file import replacing

with replacing(Path(sys.argv[1]), suffix=".keras") as tmp, open(tmp, "wb") as fh:
    print(tmp, flush=True)
    while True:  # a big model, still being written when the process is killed
        fh.write(bytes(1 << 16))
        fh.flush()
        time.sleep(0.001)
"""

WRITES_FOR_A_WHILE = """
import sys, time
from pathlib import Path
from netbuilder.graph.atomic_file import replacing

with replacing(Path(sys.argv[1])) as tmp, open(tmp, "w") as fh:
    print(tmp, flush=True)
    for _ in range(int(sys.argv[2])):
        fh.write("x" * 1000)
        fh.flush()
        time.sleep(0.01)
    fh.write(" written by the other process")
"""

FILLS_A_FOLDER = """
import sys, time
from pathlib import Path
from netbuilder.graph.atomic_file import new_folder

with new_folder(Path(sys.argv[1])) as work:
    (work / "train.py").write_text("half a package")
    print(work, flush=True)
    time.sleep(600)
"""

HOLDS_A_SAVEDMODEL = """
import sys, time
from pathlib import Path
import keras
from netbuilder.graph.project_file import load
from netbuilder.keras_bridge.build import build_model
from netbuilder.export.savedmodel import export_savedmodel
from netbuilder.resources import example_path

archive = type(keras.export.ExportArchive())
write_out = archive.write_out

def written_then_held(self, path, **kwargs):
    write_out(self, path, **kwargs)
    print(path, flush=True)
    time.sleep(600)  # killed here: the version is all on disk, under its temporary name

archive.write_out = written_then_held
export_savedmodel(build_model(load(example_path("tips_regression")), with_weights=False).model, Path(sys.argv[1]))
"""


def start(code: str, *args: str) -> tuple[subprocess.Popen, Path]:
    """A child running `code`, and the temporary path it printed once it began writing."""
    child = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             stdin=subprocess.DEVNULL, text=True, env=ENV)
    line = child.stdout.readline().strip()
    assert line, f"the child ended before it began writing (exit {child.wait()})"
    return child, Path(line)


def kill(child: subprocess.Popen) -> None:
    os.kill(child.pid, signal.SIGKILL)
    assert child.wait(timeout=30) == -signal.SIGKILL


def wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def age(path: Path, seconds: float = 2 * STALE_SECONDS) -> None:
    """Make `path` (and all under it) look untouched for `seconds`, as if the killed write were that long ago."""
    then = time.time() - seconds
    for p in [path, *(path.rglob("*") if path.is_dir() and not path.is_symlink() else [])]:
        os.utime(p, (then, then), follow_symlinks=False)


def test_a_save_killed_halfway_is_cleaned_up_by_the_next_save(tmp_path):
    target = tmp_path / "model.keras"
    target.write_bytes(b"the earlier model")
    child, leftover = start(WRITES_FOREVER, str(target))
    wait_for(lambda: leftover.stat().st_size > 1 << 20)
    kill(child)
    assert leftover.exists() and target.read_bytes() == b"the earlier model"

    with replacing(target, suffix=".keras") as tmp:  # just killed: it might be another process's, still writing
        tmp.write_bytes(b"a model")
    assert leftover.exists() and target.read_bytes() == b"a model"

    age(leftover)
    with replacing(target, suffix=".keras") as tmp:
        tmp.write_bytes(b"the next model")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.keras"]
    assert target.read_bytes() == b"the next model"


def test_only_our_own_leftovers_of_the_same_target_are_removed(tmp_path):
    target = tmp_path / "p.nbproj"
    ours = tmp_path / ".p.nbproj.k3j_9x0a.tmp"
    others = [".p.nbproj.notes", ".p.nbproj.k3j_9x0a.tmp.bak", "p.nbproj.k3j_9x0a.tmp", ".q.nbproj.k3j_9x0a.tmp",
              ".p.nbproj.K3J_9X0A.tmp", ".p.nbproj.k3j_9x0.tmp", "p.nbproj"]
    for name in [ours.name, *others]:
        (tmp_path / name).write_text("a file")
    (tmp_path / "elsewhere").write_text("kept")
    link = tmp_path / ".p.nbproj.abcdefgh.tmp"
    link.symlink_to(tmp_path / "elsewhere")
    for path in tmp_path.iterdir():
        age(path)
    atomic_write_text(target, "{}")
    assert not ours.exists() and link.is_symlink() and (tmp_path / "elsewhere").read_text() == "kept"
    assert all((tmp_path / name).exists() for name in others)


def test_a_temporary_file_still_being_written_by_another_process_is_left_alone(tmp_path):
    target = tmp_path / "p.nbproj"
    child, theirs = start(WRITES_FOR_A_WHILE, str(target), "100")
    atomic_write_text(target, "ours")  # meanwhile, this process saves the same file
    assert theirs.exists()
    assert child.wait(timeout=30) == 0
    assert target.read_text().endswith("written by the other process")  # its rename still found its file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.nbproj"]


def test_a_package_export_killed_halfway_is_cleaned_up_by_the_next_one(tmp_path):
    from netbuilder.export.training_package import write_package

    out = tmp_path / "pkg"
    child, leftover = start(FILLS_A_FOLDER, str(out))
    kill(child)
    assert (leftover / "train.py").exists() and not out.exists()
    age(leftover)
    write_package(load(example_path("tips_regression")), out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg"] and (out / "train.py").is_file()


def test_a_savedmodel_export_killed_halfway_is_cleaned_up_by_the_next_one(tmp_path):
    from netbuilder.keras_bridge.build import build_model
    from netbuilder.export.savedmodel import export_savedmodel

    out = tmp_path / "serving"
    child, leftover = start(HOLDS_A_SAVEDMODEL, str(out))
    kill(child)
    assert (leftover / "saved_model.pb").exists() and leftover.name.startswith(".version.")
    assert [p.name for p in out.iterdir()] == [leftover.name]  # no version a server would pick up
    age(leftover)
    model = build_model(load(example_path("tips_regression")), with_weights=False).model
    result = export_savedmodel(model, out, verify=False)
    assert [p.name for p in out.iterdir()] == [result.path.name]


@pytest.mark.parametrize("name", [".20240102030405.partial", ".version.ab_cd123.partial"])
def test_savedmodel_leftovers_of_earlier_releases_and_of_this_one_go_other_folders_stay(tmp_path, name):
    from netbuilder.keras_bridge.build import build_model
    from netbuilder.export.savedmodel import export_savedmodel

    out = tmp_path / "serving"
    (out / name / "variables").mkdir(parents=True)
    (out / ".version.notes").mkdir()
    (out / "20240102030405").mkdir()
    for path in out.iterdir():
        age(path)
    model = build_model(load(example_path("tips_regression")), with_weights=False).model
    result = export_savedmodel(model, out, verify=False)
    assert sorted(p.name for p in out.iterdir()) == sorted([".version.notes", "20240102030405", result.path.name])


def test_a_leftover_folder_whose_files_are_still_changing_is_kept(tmp_path):
    target = tmp_path / "pkg"
    leftover = tmp_path / ".pkg.abcd1234.partial"
    (leftover / "data").mkdir(parents=True)
    age(leftover)
    (leftover / "data" / "big.csv").write_text("still being copied")  # changed just now
    with new_folder(target) as work:
        (work / "train.py").write_text("")
    assert leftover.exists()
