"""The deployment check names the layers TFLite built-ins, ONNX opset 17 or TF Serving cannot run, from the real
converters; answers are cached on disk; `netbuilder export --check` prints them and exits 1."""

from __future__ import annotations

import pytest

from netbuilder.cli import main
from netbuilder.graph import project_file
from netbuilder.export import deploy_check
from netbuilder.export.deploy_cache import ProbeCache

from helpers import EXAMPLES

VOLUME = {
    "format": "netbuilder", "version": 1, "name": "volume",
    "graph": {
        "nodes": [
            {"id": "scan", "layer": "Input", "config": {"shape": [4, 4, 4, 1]}},
            {"id": "smooth", "layer": "AveragePooling3D", "config": {"pool_size": 2}},
            {"id": "flat", "layer": "Flatten", "config": {}},
            {"id": "out", "layer": "Dense", "config": {"units": 1}},
        ],
        "edges": [{"source": "scan", "target": "smooth"}, {"source": "smooth", "target": "flat"},
                  {"source": "flat", "target": "out"}],
    },
}


@pytest.fixture(autouse=True)
def fresh_cache(tmp_path, monkeypatch):
    """Every test asks the converters itself, and writes its answers under tmp_path."""
    cache = ProbeCache(tmp_path / "deploy-check.json")
    monkeypatch.setattr(deploy_check, "_cache", cache)
    return cache


def by_node(project, target):
    return {f.node_id: f for f in deploy_check.deployment_findings(project, target)}


def test_tflite_builtins_lack_3d_average_pooling(write_project):
    findings = by_node(project_file.load(write_project(VOLUME)), "tflite")
    assert list(findings) == ["smooth"] and findings["smooth"].ops == ("AvgPool3D",)
    assert "TFLite's built-in ops cannot run AvgPool3D" in findings["smooth"].sentence()
    assert by_node(project_file.load(write_project(VOLUME)), "onnx") == {}


def test_text_vectorization_is_refused_by_onnx_and_tflite_but_served_by_tf_serving():
    project = project_file.load(EXAMPLES / "language_id.nbproj")
    onnx = by_node(project, "onnx")
    assert list(onnx) == ["words"] and {"StringSplitV2", "StaticRegexReplace"} <= set(onnx["words"].ops)
    tflite = by_node(project, "tflite")
    assert list(tflite) == ["words"] and {"StringLower", "StringSplitV2"} <= set(tflite["words"].ops)
    assert by_node(project, "savedmodel") == {}


def test_the_bundled_mlp_deploys_everywhere():  # mlp_128_10 is checked through the editor (test_ui_deploy_check)
    project = project_file.load(EXAMPLES / "mlp_128_128_10.nbproj")
    for target in deploy_check.TARGETS:
        assert by_node(project, target) == {}, target


def test_answers_are_kept_on_disk_and_reused_without_converting_again(write_project, fresh_cache, monkeypatch):
    project = project_file.load(write_project(VOLUME))
    first = by_node(project, "tflite")
    monkeypatch.setattr(deploy_check, "_cache", ProbeCache(fresh_cache.path))  # a new process reads the file

    def refuse_to_convert(model):
        raise AssertionError("converted again although the answer was cached")

    monkeypatch.setitem(deploy_check._PROBES, "tflite", refuse_to_convert)
    assert by_node(project, "tflite") == first


def test_export_check_prints_each_layer_and_exits_1(write_project, capsys, tmp_path):
    assert main(["export", str(write_project(VOLUME)), "--format", "tflite", "--check"]) == 1
    out = capsys.readouterr().out
    assert "smooth: AveragePooling3D 'smooth': TFLite's built-in ops cannot run AvgPool3D" in out
    assert main(["export", str(EXAMPLES / "mlp_128_10.nbproj"), "--format", "onnx", "--check"]) == 0
    assert "ok: every layer can be deployed to ONNX" in capsys.readouterr().out
    assert not list(tmp_path.glob("*.onnx"))
    assert main(["export", str(EXAMPLES / "mlp_128_10.nbproj"), "--format", "keras", "--check"]) == 1
    assert "--check applies to --format tflite, onnx, savedmodel" in capsys.readouterr().err
    assert main(["export", str(EXAMPLES / "mlp_128_10.nbproj"), "--format", "keras"]) == 2  # -o still needed
