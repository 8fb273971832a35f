"""Sharing a project is safe: a training package copies no file from outside the project's folder unasked.

A project file can come from anyone, and its dataset section can name any
path: `/home/me/.ssh/id_rsa`, `../../private.csv`, or a file in the project's
folder that is a link to one of those. `netbuilder export --format package`
refuses such a dataset (exit 1, one sentence naming the path and the flag
that allows it) unless given `--include-outside-data`; the Export dialog asks
a question naming the path. Data inside the project's folder, and bundled
datasets, need no consent; neither does training on any file.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from helpers import tips_project
from netbuilder.cli import main
from netbuilder.graph.project_file import load
from netbuilder.resources import DATASETS
from netbuilder.training.datasets import DatasetSpec, load_dataset
from netbuilder.training.datasets.sharing import OutsideDataError

TIPS = DATASETS / "tips.csv"


@pytest.fixture
def world(tmp_path):
    """A project folder, and beside it the user's private files."""
    (tmp_path / "project").mkdir()
    (tmp_path / "home" / ".ssh").mkdir(parents=True)
    secret = tmp_path / "home" / ".ssh" / "id_rsa"
    secret.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n", encoding="utf-8")
    shutil.copy(TIPS, tmp_path / "home" / "tips.csv")
    return tmp_path


def project_with(folder: Path, dataset: dict) -> Path:
    doc = tips_project()
    doc["dataset"] = dataset
    path = folder / "project" / "shared.nbproj"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def export(project: Path, out: Path, *flags: str) -> int:
    return main(["export", str(project), "--format", "package", "-o", str(out), *flags])


def assert_nothing_written(out: Path) -> None:
    assert not out.exists() and not [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]


def test_a_project_naming_a_private_file_is_refused_and_names_it_and_the_flag(world, capsys):
    secret = world / "home" / ".ssh" / "id_rsa"
    project = project_with(world, {"source": str(secret), "kind": "csv", "target": ["tip"]})
    out = world / "upload"
    assert export(project, out) == 1
    assert capsys.readouterr().err.strip() == (
        f"{secret}: the dataset lies outside the project's folder ({world / 'project'}); a training package "
        "would carry a copy of it; to copy it into the package anyway, add --include-outside-data")
    assert_nothing_written(out)


@pytest.mark.parametrize("how", ["dot-dot", "home", "link", "link in a folder"])
def test_every_way_out_of_the_folder_is_seen(world, how):
    target = world / "home" / "tips.csv"
    if how == "dot-dot":
        source = "../home/tips.csv"
    elif how == "home":
        source = str(target)
    elif how == "link":
        (world / "project" / "tips.csv").symlink_to(target)
        source = "tips.csv"
    else:
        (world / "project" / "pics" / "cat").mkdir(parents=True)
        shutil.copy(TIPS, world / "project" / "pics" / "cat" / "a.png")
        (world / "project" / "pics" / "cat" / "b.png").symlink_to(world / "home" / ".ssh" / "id_rsa")
        source, target = "pics", world / "home" / ".ssh" / "id_rsa"
    project = project_with(world, {"source": source, "target": ["tip"]})
    with pytest.raises(OutsideDataError) as caught:
        from netbuilder.export.training_package import write_package

        write_package(load(project), world / "upload")
    assert caught.value.paths == [target] and caught.value.folder == world / "project"
    assert_nothing_written(world / "upload")


def test_with_the_flag_the_outside_file_is_copied(world, capsys):
    project = project_with(world, {"source": "../home/tips.csv", "target": ["tip"]})
    out = world / "upload"
    assert export(project, out, "--include-outside-data") == 0, capsys.readouterr().err
    assert (out / "data" / "tips.csv").read_bytes() == TIPS.read_bytes()


def test_data_inside_the_project_s_folder_needs_no_consent(world, capsys):
    (world / "project" / "data").mkdir()
    shutil.copy(TIPS, world / "project" / "data" / "tips.csv")
    (world / "project" / "data" / "same.csv").symlink_to(world / "project" / "data" / "tips.csv")
    project = project_with(world, {"source": "data/same.csv", "target": ["tip"]})
    assert export(project, world / "upload") == 0, capsys.readouterr().err
    assert (world / "upload" / "data" / "same.csv").is_file()


def test_training_may_read_outside_the_folder(world):
    data = load_dataset(DatasetSpec("../home/tips.csv", target=["tip"], inputs={"x": ["total_bill", "size"]}),
                        world / "project", input_names=["x"], output_names=["y"])
    assert len(data.train) > 0


def _dialog(editor, project: Path, destination: Path):
    assert editor.files.open_path(project)
    editor.actions["export"].trigger()
    dialog = editor.export_dialog
    dialog.select_format("package")
    dialog.ask_destination = lambda fmt, suggestion: destination
    dialog.browse_button.click()
    return dialog


def test_the_export_dialog_asks_naming_the_path_and_a_no_writes_nothing(editor, qtbot, world):
    outside = world / "home" / "tips.csv"
    out = world / "upload"
    dialog = _dialog(editor, project_with(world, {"source": str(outside), "target": ["tip"]}), out)
    asked = []
    dialog.confirm_outside_data = lambda error: asked.append(error.paths) or False
    dialog.export_button.click()
    qtbot.waitUntil(lambda: bool(asked) and not dialog.is_busy, timeout=60_000)
    assert asked == [[outside]]
    assert dialog.result.text().startswith(f"Nothing was exported: {outside} lies outside the project's folder")
    assert_nothing_written(out)


def test_the_export_dialog_copies_the_file_after_a_yes_to_the_real_question(editor, qtbot, world, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    outside = world / "home" / "tips.csv"
    out = world / "upload"
    dialog = _dialog(editor, project_with(world, {"source": str(outside), "target": ["tip"]}), out)
    questions = []

    def answer(parent, title, text, buttons, default):  # the modal box itself, answered as a user would
        questions.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    dialog.export_button.click()
    qtbot.waitUntil(lambda: dialog.result.text().startswith("Wrote"), timeout=60_000)
    assert len(questions) == 1 and str(outside) in questions[0] and str(world / "project") in questions[0]
    assert (out / "data" / "tips.csv").read_bytes() == TIPS.read_bytes()
