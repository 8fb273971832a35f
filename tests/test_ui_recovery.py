"""Autosave and crash recovery: unsaved work is copied aside, cleared on save, offered back after a crash."""

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta

import pytest

from netbuilder.catalog import load_catalog
from netbuilder.graph import AddNode, Node, project_file
from netbuilder.ui.document import EditorDocument
from netbuilder.ui.recovery import Autosaver, find_recoverable, forget, load_recovered, recovery_dir

from helpers import EXAMPLES


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture
def document(tmp_path, catalog, qtbot):
    path = tmp_path / "wide_and_deep.nbproj"
    shutil.copyfile(EXAMPLES / "wide_and_deep.nbproj", path)
    return EditorDocument(project_file.load(path), catalog)


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "recovery"


def edit(document, node_id="extra"):
    document.push(AddNode(document.graph, Node(node_id, "Dense", {"units": 3}, (500.0, 0.0))))


def copies(folder):
    return sorted(folder.glob("*.nbproj")) if folder.exists() else []


def dead_pid():
    """The id of a process that has already exited."""
    child = subprocess.Popen([sys.executable, "-c", ""])
    child.wait()
    return child.pid


def crash(folder, pid=None):
    """Make every sidecar in `folder` look written by a process that died."""
    pid = pid or dead_pid()
    for sidecar in folder.glob("*.json"):
        doc = json.loads(sidecar.read_text(encoding="utf-8"))
        sidecar.write_text(json.dumps({**doc, "pid": pid}), encoding="utf-8")


def test_an_edit_is_autosaved_with_where_it_came_from(qtbot, document, folder):
    Autosaver(document, interval_ms=50, directory=folder)
    edit(document)
    qtbot.waitUntil(lambda: len(copies(folder)) == 1, timeout=10_000)
    saved = copies(folder)[0]
    assert project_file.load(saved).to_dict() == document.project.to_dict()
    sidecar = json.loads(saved.with_suffix(".json").read_text(encoding="utf-8"))
    assert sidecar["original"] == str(document.project.path)
    assert sidecar["name"] == "wide_and_deep"
    assert sidecar["pid"] == os.getpid()
    assert document.project.path.name == "wide_and_deep.nbproj"  # autosave is not a Save


def test_an_unmodified_document_is_not_autosaved(qtbot, document, folder):
    saver = Autosaver(document, interval_ms=20, directory=folder)
    qtbot.wait(150)
    assert copies(folder) == []
    assert saver.autosave_now() is None


def test_later_edits_overwrite_the_same_copy(qtbot, document, folder):
    saver = Autosaver(document, interval_ms=50, directory=folder)
    edit(document, "first")
    first = saver.autosave_now()
    edit(document, "second")
    qtbot.waitUntil(lambda: "second" in first.read_text(encoding="utf-8"), timeout=10_000)
    assert copies(folder) == [first]


def test_saving_deletes_the_copy(qtbot, document, folder):
    saver = Autosaver(document, interval_ms=50, directory=folder)
    edit(document)
    saved = saver.autosave_now()
    assert saved is not None and saved.exists()
    document.save()
    assert list(folder.iterdir()) == []


def test_undoing_back_to_the_saved_state_deletes_the_copy(qtbot, document, folder):
    saver = Autosaver(document, interval_ms=50, directory=folder)
    edit(document)
    saver.autosave_now()
    document.undo()
    assert list(folder.iterdir()) == []


def test_a_normal_close_deletes_the_copy_and_stops_autosaving(qtbot, document, folder):
    saver = Autosaver(document, interval_ms=20, directory=folder)
    edit(document)
    saver.autosave_now()
    saver.discard()
    assert list(folder.iterdir()) == []
    edit(document, "after_close")
    qtbot.wait(120)
    assert copies(folder) == []


def test_a_failing_autosave_is_reported_once_and_never_raises(qtbot, document, tmp_path):
    blocked = tmp_path / "not_a_folder"
    blocked.write_text("a file where the recovery folder should be")
    saver = Autosaver(document, interval_ms=20, directory=blocked)
    reports = []
    saver.failed.connect(reports.append)
    edit(document)
    qtbot.waitUntil(lambda: len(reports) == 1, timeout=10_000)
    edit(document, "again")
    qtbot.wait(150)
    assert len(reports) == 1, reports
    assert "Autosave failed" in reports[0] and "not_a_folder" in reports[0]


def test_work_of_a_crashed_process_is_found_and_restored(qtbot, document, folder):
    saver = Autosaver(document, interval_ms=60_000, directory=folder)
    edit(document)
    saver.autosave_now()
    assert find_recoverable(folder) == []  # this process is alive: its work is not up for grabs
    crash(folder)
    [work] = find_recoverable(folder)
    assert work.name == "wide_and_deep"
    assert work.original == document.project.path
    assert abs(work.saved_at - datetime.now().astimezone()) < timedelta(minutes=1)
    restored = load_recovered(work)
    assert restored.to_dict() == document.project.to_dict()
    assert restored.path == document.project.path  # Save goes back to the original file


def test_never_saved_work_is_recovered_without_a_path(qtbot, catalog, folder):
    document = EditorDocument(project_file.Project(name="scratch"), catalog)
    saver = Autosaver(document, interval_ms=60_000, directory=folder)
    edit(document)
    saver.autosave_now()
    crash(folder)
    [work] = find_recoverable(folder)
    assert (work.name, work.original) == ("scratch", None)
    assert load_recovered(work).path is None


def test_recoverable_work_comes_newest_first(folder):
    folder.mkdir()
    pid = dead_pid()
    for stem, stamp in [("old", "2024-01-01T10:00:00+00:00"), ("new", "2024-06-01T10:00:00+00:00")]:
        (folder / f"{stem}.nbproj").write_text(project_file.dumps(project_file.Project(name=stem)))
        (folder / f"{stem}.json").write_text(json.dumps({"original": None, "name": stem, "saved_at": stamp,
                                                         "pid": pid}))
    assert [w.name for w in find_recoverable(folder)] == ["new", "old"]


def test_damaged_copies_are_skipped_and_damaged_sidecars_still_recover(folder):
    folder.mkdir()
    (folder / "broken.nbproj").write_text("{ not json")
    (folder / "good.nbproj").write_text(project_file.dumps(project_file.Project(name="good")))
    (folder / "good.json").write_text("garbage")
    [work] = find_recoverable(folder)
    assert (work.name, work.original, work.path.name) == ("good", None, "good.nbproj")


def test_forget_deletes_both_files(qtbot, document, folder):
    saver = Autosaver(document, interval_ms=60_000, directory=folder)
    edit(document)
    saver.autosave_now()
    crash(folder)
    [work] = find_recoverable(folder)
    forget(work)
    assert list(folder.iterdir()) == []
    assert find_recoverable(folder) == []


def test_the_recovery_folder_can_be_chosen_and_is_created(tmp_path, monkeypatch):
    chosen = tmp_path / "elsewhere" / "recovery"
    monkeypatch.setenv("NETBUILDER_RECOVERY_DIR", str(chosen))
    assert recovery_dir() == chosen and chosen.is_dir()
