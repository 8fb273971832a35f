"""Quantized TFLite exports: each mode writes a smaller file and a report beside it whose numbers are what
tf.lite.Interpreter gives on the validation data, int8 is calibrated on the project's training data (and
refused without one), and what the converter refuses is named in one sentence."""

import json
import warnings

import numpy as np
import pytest
import tensorflow as tf
from digits_run import trained_digits
from tips_run import trained_tips

from netbuilder.cli import main
from netbuilder.cli_export import QUANTIZE_MODES
from netbuilder.graph import project_file
from netbuilder.export.tflite_quantize import LABELS
from netbuilder.training.datasets import load_dataset
from netbuilder.training.datasets.spec import DatasetSpec


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    return trained_digits(tmp_path_factory.mktemp("digits"))


def export(project, run, mode, out, capsys):
    code = main(["export", str(project), "--run", str(run), "--format", "tflite", "--quantize", mode, "-o", str(out)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def report_of(out):
    return json.loads(out.with_suffix(".report.json").read_text(encoding="utf-8"))


def validation_split(project, input_name, output_name):
    """The validation rows as training split them (the example's split and seed), loaded here independently."""
    doc = project_file.load(project)
    settings = doc.sections["training"]
    data = load_dataset(DatasetSpec.from_section(doc.sections["dataset"]), project.parent,
                        input_names=[input_name], output_names=[output_name],
                        validation_split=settings["validation_split"], seed=settings["seed"], task="classification")
    return data.validation.features[input_name], data.validation.targets[output_name]


def interpreter_outputs(path, images):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "tf.lite.Interpreter is deprecated"
        interpreter = tf.lite.Interpreter(model_path=str(path))
    return interpreter, interpreter.get_signature_runner("serving_default")(image=images)["digit"]


def test_the_command_line_offers_exactly_the_modes_the_exporter_knows():
    assert set(QUANTIZE_MODES) == {"none", *LABELS}


def test_int8_is_smaller_scores_like_float_and_its_report_is_what_the_interpreter_gives(digits, tmp_path, capsys):
    project, run = digits
    out = tmp_path / "digits_int8.tflite"
    code, stdout, err = export(project, run, "int8", out, capsys)
    assert code == 0, err
    lines = stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"wrote {out}: int8: {out.stat().st_size:,} bytes")
    assert " float vs " in lines[0] and "report: digits_int8.report.json, digits_int8.report.txt" in lines[0]
    report = report_of(out)
    assert report["mode"] == "int8" and report["size_bytes"] == out.stat().st_size and report["calibration_rows"] == 300
    # ~4× on the weights; the few KB of graph and signature every file carries make the whole file ~2.6×.
    assert report["float_size_bytes"] / report["size_bytes"] > 2.5

    images, labels = validation_split(project, "image", "digit")
    interpreter, answers = interpreter_outputs(out, images)
    accuracy = float(np.mean(answers.argmax(axis=1) == labels))
    keras_answers = tf.keras.models.load_model(run / "model.keras", compile=False)(images).numpy()
    assert report["metric"] == "accuracy" and report["rows"] == len(labels)
    assert report["quantized_metric"] == pytest.approx(accuracy)
    assert report["float_metric"] == pytest.approx(float(np.mean(keras_answers.argmax(axis=1) == labels)))
    assert report["float_metric"] - report["quantized_metric"] < 0.03 and report["quantized_metric"] > 0.9
    assert report["max_difference"] == pytest.approx(float(np.abs(answers - keras_answers).max()), abs=1e-5)
    # Weights and activations are int8 inside; the user's image goes in as float32 and the digit comes out so.
    assert interpreter.get_input_details()[0]["dtype"] == np.float32
    assert interpreter.get_output_details()[0]["dtype"] == np.float32
    assert sum(d["dtype"] == np.int8 for d in interpreter.get_tensor_details()) > 5
    text = out.with_suffix(".report.txt").read_text(encoding="utf-8")
    assert text.startswith("digits_int8.tflite: full-integer (int8) quantization\n")
    assert f"accuracy on {len(labels)} rows (the validation split of bundled:digits)" in text


@pytest.mark.parametrize("mode, smaller", [("dynamic", 2.5), pytest.param("float16", 1.6, marks=pytest.mark.slow)])
def test_dynamic_and_float16_write_a_file_and_a_report(digits, tmp_path, capsys, mode, smaller):
    project, run = digits
    out = tmp_path / f"digits_{mode}.tflite"
    code, _, err = export(project, run, mode, out, capsys)
    assert code == 0, err
    report = report_of(out)
    assert report["mode"] == mode and report["calibration_rows"] == 0
    assert report["float_size_bytes"] / out.stat().st_size > smaller
    assert report["metric"] == "accuracy" and abs(report["float_metric"] - report["quantized_metric"]) < 0.03
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [out.name, f"digits_{mode}.report.json", f"digits_{mode}.report.txt"])


@pytest.fixture
def no_dataset(write_project):
    return write_project({"format": "netbuilder", "version": 1, "name": "t", "graph": {
        "nodes": [{"id": "features", "layer": "Input", "config": {"shape": [4]}},
                  {"id": "score", "layer": "Dense", "config": {"units": 2}}],
        "edges": [{"source": "features", "target": "score"}]}})


def test_int8_without_a_dataset_is_refused_with_a_sentence_and_writes_nothing(no_dataset, tmp_path, capsys):
    out = tmp_path / "out" / "t.tflite"
    assert main(["export", str(no_dataset), "--untrained", "--format", "tflite", "--quantize", "int8",
                 "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1] == (
        f"{no_dataset}: full-integer (int8) quantization needs a dataset: its int8 ranges are measured on a few "
        "hundred of the project's training rows. Choose the project's dataset (or export with dynamic or float16 "
        "quantization, which need none)")
    assert not out.parent.exists()


def test_without_a_dataset_dynamic_compares_the_files_on_random_inputs(no_dataset, tmp_path, capsys):
    out = tmp_path / "t.tflite"
    assert main(["export", str(no_dataset), "--untrained", "--format", "tflite", "--quantize", "dynamic",
                 "-o", str(out)]) == 0
    report = report_of(out)
    assert report["metric"] is None and report["rows"] == 32 and "no dataset" in report["measured_on"]
    assert 0 <= report["max_difference"] < 0.1
    assert "largest output difference" in capsys.readouterr().out


def test_a_layer_tflite_cannot_quantize_is_named(write_project, tmp_path, capsys):
    path = write_project({"format": "netbuilder", "version": 1, "name": "t", "graph": {
        "nodes": [{"id": "volume", "layer": "Input", "config": {"shape": [4, 4, 4, 2]}},
                  {"id": "pool", "layer": "AveragePooling3D", "config": {"pool_size": 2}},
                  {"id": "head", "layer": "Dense", "config": {"units": 2}}],
        "edges": [{"source": "volume", "target": "pool"}, {"source": "pool", "target": "head"}]}})
    out = tmp_path / "pool.tflite"
    assert main(["export", str(path), "--untrained", "--format", "tflite", "--quantize", "dynamic",
                 "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert (f"{path}: TFLite cannot convert layer pool (AveragePooling3D: AvgPool3D), with dynamic-range "
            "quantization (int8 weights, float activations)") in err
    assert "Traceback" not in err and not out.exists()


def test_quantize_applies_to_tflite_only(no_dataset, tmp_path, capsys):
    assert main(["export", str(no_dataset), "--format", "keras", "--quantize", "int8", "-o",
                 str(tmp_path / "t.keras")]) == 1
    assert capsys.readouterr().err.strip() == "--quantize int8: quantization applies to --format tflite only"


@pytest.mark.slow
def test_a_regression_model_reports_rmse(tmp_path, capsys):
    project, run = trained_tips(tmp_path)
    out = tmp_path / "tips.tflite"
    code, stdout, err = export(project, run, "int8", out, capsys)
    assert code == 0, err
    report = report_of(out)
    assert report["metric"] == "rmse" and " rmse " in stdout
    assert abs(report["quantized_metric"] - report["float_metric"]) < 0.1 * report["float_metric"]
