"""TensorBoard receives the run's scalars, from a training session, `netbuilder train` and the generated script.

The event files are read back with TensorBoard's own `EventAccumulator`: what a
user would see in its Scalars tab must be the run's history.csv, epoch by epoch.
"""

import json
import runpy
from pathlib import Path

import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.util.tensor_util import make_ndarray
from test_training_session import tiny_project, train

from helpers import tips_project
from netbuilder.cli import main
from netbuilder.graph.project_file import load
from netbuilder.export.python_code import python_code
from netbuilder.training.runs import read_history
from netbuilder.training.tensorboard_logs import log_dir, run_log_dir


def scalars(logs):
    """{history key: per-epoch values} as TensorBoard shows them: train/epoch_X is X, validation/epoch_X is val_X."""
    found = {}
    for split, prefix in (("train", ""), ("validation", "val_")):
        events = EventAccumulator(str(logs / split))
        events.Reload()
        for tag in events.Tags()["tensors"]:
            if tag.startswith("epoch_") and tag != "epoch_learning_rate":
                steps = events.Tensors(tag)
                assert [e.step for e in steps] == list(range(len(steps)))  # one point per epoch, in order
                found[prefix + tag.removeprefix("epoch_")] = [float(make_ndarray(e.tensor_proto)) for e in steps]
    return found


def assert_history_in_tensorboard(logs, run_dir):
    history = read_history(run_dir)
    history.pop("epoch")
    assert set(scalars(logs)) == set(history)
    for key, values in scalars(logs).items():
        assert values == pytest.approx(history[key], rel=1e-6), key


def test_a_saved_projects_run_logs_its_history_in_its_own_subfolder_and_records_it(tmp_path):
    project = tiny_project()
    project.path = tmp_path / "tiny.nbproj"
    result, _, _ = train(tmp_path, project=project, epochs=3, tensorboard_dir="logs")
    assert result.status == "completed", result.message
    logs = tmp_path / "logs" / result.run_dir.name  # beside the project, one folder per run
    assert run_log_dir(result.run_dir) == logs
    assert_history_in_tensorboard(logs, result.run_dir)
    assert len(read_history(result.run_dir)["loss"]) == 3


def test_an_unsaved_projects_logs_stay_in_its_run_folder(tmp_path):
    result, _, _ = train(tmp_path, epochs=2, tensorboard_dir="tb")
    assert run_log_dir(result.run_dir) == result.run_dir / "tb"
    assert_history_in_tensorboard(result.run_dir / "tb", result.run_dir)


def test_where_the_logs_go():
    run = Path("/p/P.runs/20250101-093000")
    assert log_dir(None, Path("/p/P.nbproj"), run) is None
    assert log_dir("logs", Path("/p/P.nbproj"), run) == Path("/p/logs/20250101-093000")
    assert log_dir("/tb", Path("/p/P.nbproj"), run) == Path("/tb/20250101-093000")
    assert log_dir("logs", None, run) == run / "logs"


def test_a_run_without_logs_has_none_to_open(tmp_path):
    (tmp_path / "settings.json").write_text(json.dumps({"status": "completed"}), encoding="utf-8")
    assert run_log_dir(tmp_path) is None  # trained with the setting off
    (tmp_path / "settings.json").write_text(json.dumps({"tensorboard_logs": str(tmp_path / "gone")}))
    assert run_log_dir(tmp_path) is None  # its logs were deleted since
    assert run_log_dir(tmp_path / "nowhere") is None


def test_netbuilder_train_logs_the_projects_tensorboard_folder(tmp_path, capsys):
    project = tmp_path / "tips.nbproj"
    project.write_text(json.dumps(tips_project(tensorboard_dir="logs", epochs=2)), encoding="utf-8")
    out = tmp_path / "run"
    assert main(["train", str(project), "--seed", "1", "--out", str(out)]) == 0, capsys.readouterr().err
    assert run_log_dir(out) == tmp_path / "logs" / "run"
    assert_history_in_tensorboard(tmp_path / "logs" / "run", out)


def test_the_generated_script_writes_tensorboard_events(tmp_path):
    path = tmp_path / "tips.nbproj"
    logs = tmp_path / "script_logs"
    path.write_text(json.dumps(tips_project(tensorboard_dir=str(logs), epochs=2)), encoding="utf-8")
    script = tmp_path / "tips.py"
    script.write_text(python_code(load(path)), encoding="utf-8")
    fitted = runpy.run_path(str(script))["train"](epochs=2)  # our own generated code
    found = scalars(logs)
    for key, values in fitted.history.items():
        if key != "learning_rate":
            assert found[key] == pytest.approx(values, rel=1e-6), key
