"""`netbuilder analyze` as a user runs it: the cost table, the JSON scripts read, and clear refusals."""

import json

import pytest

from helpers import EXAMPLES
from netbuilder.cli import main

WIDE = str(EXAMPLES / "wide_and_deep.nbproj")
# wide (10) and deep (8) in; h1 = Dense(32, relu) on deep; cat = [wide, h1] (42); out = Dense(1) on cat.
MACS = {"h1": 8 * 32, "out": 42}
FLOPS = {"h1": 2 * 8 * 32 + 32, "out": 2 * 42 + 1}  # 2 per multiply-accumulate, 1 per bias; Relu counts 0
VALUES = {"wide": 10, "deep": 8, "h1": 32, "cat": 42, "out": 1}  # output values per sample


def analyze_json(capsys, *args):
    assert main(["analyze", WIDE, "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_has_one_entry_per_layer_and_the_totals(capsys):
    report = analyze_json(capsys)
    assert [(row["name"], row["class"]) for row in report["layers"]] == [
        ("wide", "InputLayer"), ("deep", "InputLayer"), ("h1", "Dense"), ("cat", "Concatenate"), ("out", "Dense")]
    keys = ["name", "class", "params", "trainable_params", "macs", "flops", "weight_bytes", "activation_bytes"]
    assert all(list(row) == keys for row in report["layers"])
    rows = {row["name"]: row for row in report["layers"]}
    assert {name: rows[name]["macs"] for name in MACS} == MACS
    assert {name: rows[name]["flops"] for name in FLOPS} == FLOPS
    assert {name: rows[name]["activation_bytes"] for name in VALUES} == {k: 4 * v for k, v in VALUES.items()}
    assert report["total"] == {"params": 331, "trainable_params": 331, "macs": 298, "flops": 629,
                               "weight_bytes": 331 * 4, "activation_bytes": 93 * 4}


def test_batch_size_and_dtype_change_the_figures_they_should(capsys):
    total = analyze_json(capsys, "--batch-size", "8", "--dtype", "mixed_float16")["total"]
    assert total == {"params": 331, "trainable_params": 331, "macs": 8 * 298, "flops": 8 * 629,
                     "weight_bytes": 331 * 4, "activation_bytes": 8 * 93 * 2}
    int8 = analyze_json(capsys, "--dtype", "int8")["total"]
    assert (int8["weight_bytes"], int8["activation_bytes"]) == (331, 93)


def test_the_table_has_a_row_per_layer_and_the_totals_last(capsys):
    assert main(["analyze", WIDE]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["layer", "class", "output", "shape", "params", "MACs", "FLOPs", "weights",
                                "activations"]
    assert lines[4].split() == ["h1", "Dense", "(32)", "288", "256", "544", "1.12", "KiB", "128", "B"]
    assert lines[-2].split()[:2] == ["total", "331"]
    assert lines[-1] == "331 parameters (331 trainable, 0 not); 298 MACs, 629 FLOPs for a batch of 1 in float32"


def test_a_bad_project_gets_one_clear_line_and_exit_1(write_project, capsys):
    path = write_project({"format": "netbuilder", "version": 1, "name": "bad", "graph": {
        "nodes": [{"id": "x", "layer": "Input", "config": {"shape": [4]}},
                  {"id": "h", "layer": "Dense", "config": {"units": -3}}],
        "edges": [{"source": "x", "target": "h"}]}})
    assert main(["analyze", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"{path}: ") and "'h'" in captured.err and "Traceback" not in captured.err
    assert main(["analyze", str(path.with_name("missing.nbproj"))]) == 1
    assert capsys.readouterr().err == f"{path.with_name('missing.nbproj')}: no such file\n"


@pytest.mark.parametrize("args", [["--batch-size", "0"], ["--batch-size", "two"], ["--dtype", "float64"]])
def test_usage_errors_exit_2(args, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["analyze", WIDE, *args])
    assert exited.value.code == 2
    assert "usage: netbuilder analyze" in capsys.readouterr().err
