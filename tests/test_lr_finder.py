"""The learning-rate finder: its suggestion trains well, the weights are thrown away, streams are read
only as far as the test goes, and `netbuilder lr-find` prints the curve, JSON, or a clear refusal."""

import dataclasses
import json
import math

import numpy as np
import pytest

from netbuilder.cli import main
from netbuilder.graph import project_file
from netbuilder.training.datasets import csv_scan, csv_stream
from netbuilder.training.datasets.spec import DatasetSpec
from netbuilder.training.lr_finder import DivergenceWatch, LearningRateFinder, schedule, smoothed, suggest
from netbuilder.training.session import TrainingSession
from netbuilder.training.settings import TrainingSettings

from helpers import REPO

TIPS = REPO / "resources" / "examples" / "tips_regression.nbproj"


def tips():
    project = project_file.load(TIPS)
    return (project, DatasetSpec.from_section(project.sections["dataset"]),
            TrainingSettings.from_section(project.sections["training"]))


# -- the rule, on curves drawn by hand ------------------------------------------------------------

def test_the_rates_rise_exponentially_from_the_lowest_to_the_highest():
    rates = schedule(1e-6, 1.0, 7)
    assert rates[0] == pytest.approx(1e-6) and rates[-1] == pytest.approx(1.0)
    assert all(b / a == pytest.approx(10.0) for a, b in zip(rates, rates[1:]))


def test_smoothing_keeps_a_flat_curve_flat_at_both_ends():
    assert smoothed([3.0] * 30) == pytest.approx([3.0] * 30)


def test_the_watch_stops_at_four_times_the_lowest_running_average_or_a_nan():
    steady = DivergenceWatch()
    assert all(steady.add(3.0) for _ in range(200))  # a flat curve from its first batch: never diverged
    rising = DivergenceWatch()
    went_on = [rising.add(1.0) for _ in range(20)] + [rising.add(50.0) for _ in range(20)]
    assert went_on[:21] == [True] * 21 and not went_on[-1] and rising.diverged
    assert not DivergenceWatch().add(float("nan"))


def test_the_suggestion_is_a_tenth_of_the_rate_at_the_lowest_smoothed_loss():
    lrs = schedule(1e-5, 1.0, 100)
    # Flat, then falling to a valley at 1e-2, then blowing up: the shape a range test draws.
    losses = [2.0 + (math.log10(lr) + 2) ** 2 if lr > 1e-4 else 6.0 for lr in lrs]
    lowest = lrs[int(np.argmin(smoothed(losses)))]
    assert suggest(lrs, losses) == pytest.approx(lowest / 10)
    assert 0.7e-3 <= lowest / 10 <= 1.4e-3  # the smoothed valley is where the raw one is


def test_no_suggestion_when_the_loss_never_falls():
    lrs = schedule(1e-5, 1.0, 50)
    assert suggest(lrs, [1.0 + i for i in range(50)]) is None
    assert suggest(lrs[:3], [3.0, 2.0, 1.0]) is None  # too few batches to say anything


# -- the finder on real data --------------------------------------------------------------------------

def final_val_loss(tmp_path, name, learning_rate):
    project, spec, settings = tips()
    settings = dataclasses.replace(settings, epochs=10, learning_rate=learning_rate)
    result = TrainingSession(project, spec, settings, tmp_path, run_dir=tmp_path / name).run()
    assert result.status == "completed", result.message
    return result.history["val_loss"][-1]


@pytest.mark.slow  # four short runs on the tips example
def test_the_suggestion_trains_the_tips_example_at_least_as_well_as_the_default(tmp_path):
    project, spec, settings = tips()
    finder = LearningRateFinder(project, spec, settings)
    result = finder.run()
    assert result.status == "completed", result.message
    suggested = finder.found.suggested
    assert suggested is not None and f"Suggested learning rate: {suggested:.3g}." in result.message
    assert finder.model is None  # the trained weights are gone
    assert list(tmp_path.iterdir()) == [] and not (TIPS.parent / ".runs").exists()  # nothing written
    with_suggestion = final_val_loss(tmp_path, "suggested", float(f"{suggested:.3g}"))
    # Keras' default (and a new project's), then the example's own hand-tuned rate; same seed for all.
    assert with_suggestion <= final_val_loss(tmp_path, "default", TrainingSettings().learning_rate)
    assert with_suggestion <= final_val_loss(tmp_path, "example", settings.learning_rate)


def test_the_test_stops_once_the_loss_diverges():
    project, spec, settings = tips()
    finder = LearningRateFinder(project, spec, dataclasses.replace(settings, optimizer="sgd"), max_lr=10.0)
    result = finder.run()
    assert result.status == "completed", result.message
    assert "where the loss diverged (over 4× its lowest)" in result.message
    assert len(finder.found.lrs) < 100 and finder.found.lrs[-1] < 1.0  # plain SGD blows up long before 10
    assert finder.found.suggested < finder.found.lrs[-1] / 10
    json.dumps(finder.found.as_json(), allow_nan=False)  # a blown-up loss is null, not NaN: strict JSON


@pytest.mark.slow  # building the streaming pipeline takes seconds
def test_a_streamed_csv_is_read_for_the_test_s_batches_only(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_stream, "STREAM_BYTES", 0)  # every CSV streams, as one above 64 MB would
    monkeypatch.delenv(csv_stream.STREAM_ENV, raising=False)
    csv_scan._scans.clear()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(800, 2))
    rows = "\n".join(f"{a:.4f},{b:.4f},{2 * a - b + 1:.4f}" for a, b in x)
    (tmp_path / "big.csv").write_text("a,b,y\n" + rows + "\n", encoding="utf-8")
    project = project_file.from_dict({
        "format": "netbuilder", "version": 1, "name": "lin",
        "graph": {"nodes": [{"id": "x", "layer": "Input", "config": {"shape": [2]}},
                            {"id": "y_hat", "layer": "Dense", "config": {"units": 1}}],
                  "edges": [{"source": "x", "target": "y_hat"}]}}, "lin")
    spec = DatasetSpec(source=str(tmp_path / "big.csv"), target=["y"])
    finder = LearningRateFinder(project, spec, TrainingSettings(batch_size=16), steps=25)
    result = finder.run()
    assert result.status == "completed", result.message
    assert type(finder.data).__name__ == "StreamedData"
    assert 2 <= len(finder.found.lrs) <= 25  # at most the steps asked, from a stream of 40 batches


# -- the command line ----------------------------------------------------------------------------------

def test_lr_find_prints_a_sparse_table_and_the_suggestion(capsys):
    assert main(["lr-find", str(TIPS), "--steps", "40"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["learning", "rate", "loss", "smoothed"]
    assert 10 <= len(out) <= 23  # about 20 rows of 40, then the sentence
    assert out[1].split()[0] == "1e-07"
    assert out[-1].startswith("Tried ") and "Suggested learning rate:" in out[-1]


def test_lr_find_json_has_the_suggestion_and_the_curve(capsys):
    assert main(["lr-find", str(TIPS), "--json", "--steps", "20", "--min", "1e-5", "--max", "10"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert set(found) == {"suggested", "lrs", "losses"}
    assert len(found["lrs"]) == len(found["losses"]) <= 20
    assert found["lrs"][0] == pytest.approx(1e-5) and found["suggested"] > 0


@pytest.mark.parametrize("args, says", [
    (["--min", "0"], "lr-find: the lowest learning rate must be a number above 0, got 0"),
    (["--min", "1", "--max", "0.1"], "lr-find: the highest learning rate must be above the lowest (1), got 0.1"),
    (["--data", "nowhere.csv"], "nowhere.csv"),
])
def test_lr_find_refuses_bad_input_in_a_sentence(args, says, capsys):
    assert main(["lr-find", str(TIPS), *args]) == 1
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err


def test_lr_find_of_a_broken_project_says_which_file(tmp_path, capsys):
    broken = tmp_path / "broken.nbproj"
    broken.write_text("{not json", encoding="utf-8")
    assert main(["lr-find", str(broken)]) == 1
    err = capsys.readouterr().err
    assert str(broken) in err and "Traceback" not in err
