"""Run folders: where runs go, what they hold, how the run list reads them back, the curves picture."""

import json
import math
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

from netbuilder.training.plot_svg import curves_svg
from netbuilder.training.runs import RunFolder, history_columns, list_runs, read_history, runs_root

HISTORY = {"loss": [2.5, 1.25, 0.1 + 0.2], "rmse": [1.5, 1.1, 0.5],
           "val_loss": [3.0, 2.0, math.nan], "val_rmse": [1.7, 1.4, math.nan]}


def test_a_saved_project_keeps_its_runs_beside_it(tmp_path):
    assert runs_root(tmp_path / "taxi.nbproj") == tmp_path / "taxi.runs"


def test_an_unsaved_project_keeps_its_runs_in_the_user_data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("NETBUILDER_RUNS_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert runs_root(None, "my model/v2") == tmp_path / "data" / "netbuilder" / "runs" / "my_model_v2"
    monkeypatch.setenv("NETBUILDER_RUNS_DIR", str(tmp_path / "elsewhere"))
    assert runs_root(None) == tmp_path / "elsewhere" / "untitled"


def test_run_folders_are_named_for_their_start_and_never_reused(tmp_path):
    now = datetime(2025, 3, 4, 5, 6, 7)
    names = [RunFolder.create(tmp_path, now).path.name for _ in range(3)]
    assert names == ["20250304-050607", "20250304-050607-2", "20250304-050607-3"]


def test_history_columns_pair_each_value_with_its_validation_twin():
    assert history_columns(["loss", "rmse", "val_loss", "val_rmse"]) == ["epoch", "loss", "val_loss", "rmse", "val_rmse"]
    assert history_columns(["mae", "loss", "learning_rate", "val_mae", "val_loss"]) == [
        "epoch", "loss", "val_loss", "mae", "val_mae", "learning_rate"]


def test_history_round_trips_exactly(tmp_path):
    folder = RunFolder.create(tmp_path)
    folder.write_history(HISTORY)
    text = (folder.path / "history.csv").read_text()
    assert text.splitlines()[:2] == ["epoch,loss,val_loss,rmse,val_rmse", "1,2.5,3.0,1.5,1.7"]
    back = read_history(folder.path)
    assert back["epoch"] == [1.0, 2.0, 3.0]
    assert back["loss"][2] == 0.1 + 0.2  # repr precision: nothing lost
    assert math.isnan(back["val_loss"][2])
    assert read_history(tmp_path / "nowhere") == {}


def test_the_run_list_shows_newest_first_with_status_and_final_values(tmp_path):
    old = RunFolder.create(tmp_path, datetime(2025, 1, 1, 9, 0, 0))
    old.write_history(HISTORY)
    old.write_settings({"started": "2025-01-01T09:00:00", "status": "completed", "epochs_done": 3,
                        "final": {"loss": 0.3, "val_loss": math.nan}})
    new = RunFolder.create(tmp_path, datetime(2025, 1, 2, 9, 0, 0))
    new.write_settings({"started": "2025-01-02T09:00:00", "status": "failed", "message": "no such file",
                        "epochs_done": 0, "final": {}})
    (tmp_path / "not a run").mkdir()
    runs = list_runs(tmp_path)
    assert [(r.name, r.status, r.epochs) for r in runs] == [("20250102-090000", "failed", 0),
                                                           ("20250101-090000", "completed", 3)]
    assert runs[1].final == {"loss": 0.3}  # a value never measured is not shown as one
    assert runs[1].started == datetime(2025, 1, 1, 9, 0, 0)
    assert json.loads((old.path / "settings.json").read_text())["final"]["val_loss"] is None
    assert list_runs(tmp_path / "missing") == []


def test_a_run_with_only_a_history_is_still_listed(tmp_path):
    folder = RunFolder.at(tmp_path / "by-hand")
    folder.write_history(HISTORY)
    [run] = list_runs(tmp_path)
    assert (run.status, run.epochs, run.final["rmse"]) == ("unknown", 3, 0.5)


def test_the_curves_picture_has_a_panel_per_quantity_and_leaves_gaps_for_nan(tmp_path):
    svg = curves_svg({"epoch": [1.0, 2.0, 3.0], **HISTORY}, "taxi — run 1")
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts[0] == "taxi — run 1"
    assert {"loss", "rmse", "val_loss", "val_rmse", "epoch"} <= set(texts)
    lines = list(root.iter("{http://www.w3.org/2000/svg}polyline"))
    assert len(lines) == 4  # loss, val_loss, rmse, val_rmse
    val_loss = [line for line in lines if "stroke-dasharray" in line.attrib][0]
    assert len(val_loss.attrib["points"].split()) == 2  # the NaN epoch is left out
    assert "nan" not in svg


def test_the_curves_picture_of_a_run_without_epochs_says_so():
    svg = curves_svg({}, "empty")
    assert "No epoch finished" in svg
    ET.fromstring(svg)


def test_a_flat_curve_and_a_single_epoch_still_draw(tmp_path):
    for history in ({"loss": [1.0, 1.0, 1.0]}, {"loss": [0.5], "val_loss": [0.7]}):
        root = ET.fromstring(curves_svg(history, "flat"))
        assert list(root.iter("{http://www.w3.org/2000/svg}circle"))
    assert Path(RunFolder.at(tmp_path / "r").write_curves(HISTORY, "t")).read_text().startswith("<svg")


def test_a_title_and_a_note_stay_in_settings_json_when_the_session_rewrites_it(tmp_path):
    folder = RunFolder.at(tmp_path / "20250101-090000")
    folder.write_settings({"status": "running", "started": "2025-01-01T09:00:00"})
    folder.annotate(title="  baseline ", note="lr 0.01")
    folder.write_settings({"status": "completed", "started": "2025-01-01T09:00:00", "epochs_done": 3})
    [run] = list_runs(tmp_path)
    assert (run.title, run.note, run.label, run.status) == ("baseline", "lr 0.01", "baseline", "completed")
    assert run.name == "20250101-090000"  # the folder keeps its name
    folder.annotate(title="")
    assert list_runs(tmp_path)[0].label == "20250101-090000"
    assert "title" not in json.loads((folder.path / "settings.json").read_text())


def test_a_run_gives_the_validation_value_of_a_quantity_else_the_training_one(tmp_path):
    folder = RunFolder.at(tmp_path / "r")
    folder.write_history(HISTORY)
    folder.write_settings({"final": {"loss": 0.3, "rmse": 0.5, "val_rmse": 1.4, "val_loss": math.nan}})
    [run] = list_runs(tmp_path)
    assert run.metrics == ["loss", "rmse"]
    assert run.result("rmse") == ("val_rmse", 1.4)
    assert run.result("loss") == ("loss", 0.3)  # validation never measured: the training value, said so
    assert run.result("accuracy") is None
