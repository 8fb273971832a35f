"""Virtual epochs: `train_examples` and `evaluations` set a run's length in examples, whatever the data's size."""

import csv
import json

import numpy as np
import pytest

from netbuilder.cli import main
from netbuilder.graph.project_file import from_dict
from netbuilder.training.events import BatchEnd, EpochEnd
from netbuilder.training.session import TrainingSession
from netbuilder.training.settings import SettingsError, TrainingSettings
from netbuilder.ui.training.settings_form import SettingsForm

from helpers import tips_project


def test_the_fields_round_trip_and_an_old_section_stays_as_it_was():
    settings = TrainingSettings.from_section({"train_examples": 6400, "evaluations": 4, "batch_size": 32})
    assert (settings.fit_epochs, settings.fit_steps_per_epoch) == (4, 50)
    assert TrainingSettings.from_section(settings.to_section()) == settings
    old = {"epochs": 3, "batch_size": 8}
    section = TrainingSettings.from_section(old).to_section()
    assert "train_examples" not in section and "evaluations" not in section
    alone = TrainingSettings.from_section({"train_examples": 960, "epochs": 3, "batch_size": 32})
    assert (alone.fit_epochs, alone.fit_steps_per_epoch) == (3, 10)  # evaluations default to the epochs


@pytest.mark.parametrize("section, message", [
    ({"train_examples": 0, "evaluations": 2}, "training.train_examples must be at least 1, got 0"),
    ({"train_examples": 640, "evaluations": 0}, "training.evaluations must be at least 1, got 0"),
    ({"evaluations": 3}, "training.evaluations needs train_examples too"),
    ({"train_examples": 100, "evaluations": 4, "batch_size": 32},
     "training.train_examples must be at least batch_size × evaluations (32 × 4 = 128), got 100"),
    ({"train_examples": 6400, "evaluations": 4, "steps_per_epoch": 5},
     "training.steps_per_epoch must be left out when train_examples sets the steps"),
    ({"train_examples": "many"}, "training.train_examples: expected a whole number or null, got 'many'"),
    ({"train_examples": 640, "evaluations": 1.5}, "training.evaluations: expected a whole number or null"),
])
def test_bad_values_are_refused_naming_the_field(section, message):
    with pytest.raises(SettingsError) as refused:
        TrainingSettings.from_section(section)
    assert any(p.startswith(message) for p in refused.value.problems), refused.value.problems


def test_a_session_trains_the_examples_asked_with_the_evaluations_asked(tmp_path):
    project = from_dict(tips_project(train_examples=400, evaluations=3, batch_size=16), "tips")
    settings = TrainingSettings.from_section(project.sections["training"])
    batches, epochs = [], []

    def listen(event):
        if isinstance(event, BatchEnd):
            batches.append(event.epoch)
        elif isinstance(event, EpochEnd):
            epochs.append(event.logs)

    from netbuilder.training.datasets.spec import DatasetSpec

    spec = DatasetSpec.from_section(project.sections["dataset"])
    result = TrainingSession(project, spec, settings, tmp_path, run_dir=tmp_path / "run", listener=listen,
                             queue_events=False).run()
    assert result.status == "completed", result.message
    # 400 // (16 × 3) = 8 batches per virtual epoch, whatever the size of the data
    assert len(batches) == 3 * 8 and [batches.count(e) for e in (1, 2, 3)] == [8, 8, 8]
    assert len(epochs) == 3 and all("val_loss" in logs for logs in epochs)
    assert len(result.history["loss"]) == 3
    record = json.loads((tmp_path / "run" / "settings.json").read_text())
    assert record["training"]["train_examples"] == 400 and record["epochs_done"] == 3


@pytest.fixture
def fares(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 10, size=(60, 2))
    data = tmp_path / "fares.csv"
    with data.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["km", "hour", "fare"])
        writer.writerows([[*row, 2 + row[0]] for row in x])
    project = tmp_path / "fares.nbproj"
    project.write_text(json.dumps({
        "format": "netbuilder", "version": 1, "name": "fares",
        "graph": {"nodes": [{"id": "trip", "layer": "Input", "config": {"shape": [2]}},
                            {"id": "fare", "layer": "Dense", "config": {"units": 1}}],
                  "edges": [{"source": "trip", "target": "fare"}]},
    }))
    return project, data


def test_the_command_line_trains_in_virtual_epochs(fares, tmp_path, capsys):
    project, data = fares
    out = tmp_path / "run"
    code = main(["train", str(project), "--data", str(data), "--target", "fare", "--batch-size", "8",
                 "--train-examples", "1000", "--evaluations", "4", "--seed", "1", "--out", str(out)])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    epoch_lines = [line for line in printed.out.splitlines() if line.startswith("epoch ")]
    assert [line.split()[1] for line in epoch_lines] == ["1/4", "2/4", "3/4", "4/4"]
    assert len(list(csv.reader((out / "history.csv").open()))) == 1 + 4


def test_a_bad_flag_is_refused_naming_the_flag(fares, tmp_path, capsys):
    project, data = fares
    code = main(["train", str(project), "--data", str(data), "--target", "fare", "--train-examples", "0",
                 "--evaluations", "2", "--out", str(tmp_path / "run")])
    assert code == 1
    assert "--train-examples must be at least 1, got 0" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()


def test_the_settings_form_edits_both_fields(qtbot):
    form = SettingsForm()
    qtbot.addWidget(form)
    sections = []
    form.edited.connect(sections.append)
    evaluations = form.field("evaluations")
    evaluations.setText("4")
    evaluations.editingFinished.emit()
    assert form.error("evaluations").startswith("evaluations needs train_examples too")
    assert not sections
    examples = form.field("train_examples")
    examples.setText("6400")
    examples.editingFinished.emit()
    assert sections[-1]["train_examples"] == 6400 and form.error("train_examples") == ""
    form.show_settings(TrainingSettings.from_section(sections[-1]))
    evaluations.setText("4")
    evaluations.editingFinished.emit()
    assert sections[-1]["evaluations"] == 4
    examples.setText("0")
    examples.editingFinished.emit()
    assert form.error("train_examples") == "train_examples must be at least 1, got 0"
