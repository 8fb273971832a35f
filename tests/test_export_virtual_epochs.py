"""Exported code trains in virtual epochs as netbuilder does: `train_examples` examples in `evaluations` epochs.

The generated Python script's `train()` and the training package's `train.py`
(in a subprocess where netbuilder cannot be imported, as a user runs it) train
on the bundled tips data, whose training split is shorter than the examples
asked for, so the data must repeat; the epochs and steps they report and the
history they write are checked.
"""

import csv
import json
import os
import runpy
import subprocess
import sys

import pytest

from netbuilder.cli import main
from netbuilder.graph.project_file import from_dict
from netbuilder.export.python_code import python_code
from netbuilder.training.runs import read_history

from helpers import tips_project

# 480 examples in 4 evaluations of batches of 16: 7 steps an epoch, 448 examples in all, while the tips
# data's training split holds 196 rows (13 batches): without repeating, the data would run out.
VIRTUAL = {"train_examples": 480, "evaluations": 4, "batch_size": 16, "seed": 7}  # the project says 3 epochs
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}


def test_the_python_script_trains_the_examples_in_the_evaluations_asked(tmp_path):
    script = tmp_path / "tips.py"
    script.write_text(python_code(from_dict(tips_project(**VIRTUAL), "tips")), encoding="utf-8")
    # Run in this process (it is our own output): a subprocess would spend most of the test importing TensorFlow.
    history = runpy.run_path(str(script))["train"]()
    assert (len(history.history["loss"]), history.params["steps"]) == (4, 7)
    assert "val_loss" in history.history


@pytest.mark.slow
def test_the_training_package_trains_as_netbuilder_does_in_virtual_epochs(tmp_path, capsys):
    project = tmp_path / "tips.nbproj"
    project.write_text(json.dumps(tips_project(**VIRTUAL)), encoding="utf-8")
    folder = tmp_path / "package"
    assert main(["export", str(project), "--format", "package", "-o", str(folder)]) == 0
    argv = [str(folder / "train.py")]
    code = (f"import runpy, sys; sys.modules['netbuilder'] = None; sys.argv = {argv!r}; "
            "runpy.run_path(sys.argv[0], run_name='__main__')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=ENV,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    with open(folder / "output" / "history.csv", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    assert [r[0] for r in rows] == ["1", "2", "3", "4"] and "val_loss" in header
    assert done.stdout.count("7/7 - ") == 4, done.stdout  # verbose=2 prints each epoch's steps

    assert main(["train", str(project), "--out", str(tmp_path / "run")]) == 0
    capsys.readouterr()
    expected = read_history(tmp_path / "run")
    assert len(expected["loss"]) == 4
    for i, column in enumerate(header[1:], start=1):
        assert [round(float(r[i]), 4) for r in rows] == [round(v, 4) for v in expected[column]], column
