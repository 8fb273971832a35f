"""Every export format takes any name a user can type: keywords, leading digits, spaces, hyphens,
non-ASCII letters and names that differ only in case (issue: `in` broke SavedModel and TFLite)."""

import json

import pytest

from netbuilder.cli import main
from netbuilder.export.signature_names import renamed, signature_keys

SUFFIXES = {"keras": ".keras", "savedmodel": "", "python": ".py", "tflite": ".tflite", "onnx": ".onnx"}


def test_names_tensorflow_takes_are_kept_and_the_others_mapped_one_way():
    names = ["in", "2nd input", "ünïcode", "a b", "a_b", "deep-features", "Out", "out", "class", "x", "_x", "λ",
             "a-b"]
    assert signature_keys(names) == ["in_", "input_2nd_input", "unicode", "a_b", "a_b_2", "deep-features", "Out",
                                     "out_2", "class_", "x", "input__x", "input", "a_b_3"]
    assert renamed(["in", "x"]) == {"in": "in_"}


def awkward_project(tmp_path):
    """Inputs called `in`, `2nd input` and `ünï-code`, joined by `def`, into outputs `Out` and `out`."""
    nodes = [
        {"id": "in", "layer": "Input", "config": {"shape": [3]}},
        {"id": "2nd input", "layer": "Input", "config": {"shape": [2]}},
        {"id": "ünï-code", "layer": "Input", "config": {"shape": [2]}},
        {"id": "def", "layer": "Concatenate", "config": {}},
        {"id": "Out", "layer": "Dense", "config": {"units": 1}},
        {"id": "out", "layer": "Dense", "config": {"units": 2}},
    ]
    edges = [{"source": "in", "target": "def", "target_port": 0},
             {"source": "2nd input", "target": "def", "target_port": 1},
             {"source": "ünï-code", "target": "def", "target_port": 2},
             {"source": "def", "target": "Out"}, {"source": "def", "target": "out"}]
    path = tmp_path / "awkward names.nbproj"
    path.write_text(json.dumps({"format": "netbuilder", "version": 1, "name": "class",
                                "graph": {"nodes": nodes, "edges": edges}}), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", sorted(SUFFIXES))
def test_every_format_exports_a_project_whose_names_python_would_refuse(fmt, tmp_path, capsys):
    out = tmp_path / f"exported{SUFFIXES[fmt]}"
    assert main(["export", str(awkward_project(tmp_path)), "--format", fmt, "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    if fmt in ("savedmodel", "tflite", "onnx"):
        assert "verified" in captured.out  # reloaded and compared with the Keras model


def test_the_savedmodel_signature_uses_the_mapped_keys(tmp_path, capsys):
    import tensorflow as tf

    assert main(["export", str(awkward_project(tmp_path)), "--format", "savedmodel", "-o", str(tmp_path / "sm")]) == 0
    [version] = (tmp_path / "sm").iterdir()
    signature = tf.saved_model.load(str(version)).signatures["serving_default"]
    assert sorted(signature.structured_input_signature[1]) == ["in_", "input_2nd_input", "uni_code"]
    assert sorted(signature.structured_outputs) == ["Out", "out"]


def test_an_id_tensorflow_refuses_as_a_layer_name_builds_under_the_closest_name_it_takes():
    from netbuilder.graph.layer_names import keras_name

    assert [keras_name(n) for n in ["dense_1", "ünï-code", "my tip!", "λ", "2nd input"]] == [
        "dense_1", "uni-code", "my_tip", "layer", "2nd_input"]
