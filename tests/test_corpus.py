"""The corpus: real Keras architectures open, edit and export exactly.

Every model in `tests/corpus/` (reproduced from keras.io code, each citing
its page) is saved by Keras, imported (`netbuilder import`), summarised (the
exact parameter count), exported to `.keras` (the same outputs on the same
input), written as a Python script (rebuilt with the same parameter count),
and the exported file imported again (the same project). Some go through a
legacy `.h5` file too. A quarter runs by default; all of them under `-m slow`.
Models that carry Python code (`corpus.refusals`) are refused by name, their code never run.
"""

from __future__ import annotations

import re
import runpy

import keras
import numpy as np
import pytest
from corpus import Architecture, corpus
from corpus.refusals import RAN, REFUSALS, Refusal

from netbuilder.cli import main
from netbuilder.graph import project_file
from netbuilder.keras_bridge.export import export_keras
from netbuilder.export.python_code import python_code

ARCHITECTURES = corpus()


def _params(architecture: Architecture) -> list:
    return [pytest.param(a, id=a.name, marks=() if a.fast else pytest.mark.slow) for a in architecture]


def sample(model: keras.Model, architecture: Architecture, seed: int = 0):
    """One batch of 2 for the model's inputs, in the structure the model takes."""
    rng = np.random.default_rng(seed)

    def one(tensor):
        shape = (2, *[4 if d is None else d for d in tensor.shape[1:]])
        dtype = str(tensor.dtype)
        if architecture.sample is not None:
            name = tensor._keras_history.operation.name
            values = np.asarray(architecture.sample(rng, name, shape, dtype))
            return values.astype("str" if dtype == "string" else dtype)
        if "int" in dtype:
            return rng.integers(0, 10, size=shape).astype(dtype)
        return rng.normal(size=shape).astype(dtype)

    try:
        structure = model.input
    except AttributeError:  # a Sequential is never called by itself: its first layer's input
        structure = model.inputs[0]
    return keras.tree.map_structure(one, structure)


def assert_same_outputs(expected: keras.Model, got: keras.Model, x) -> None:
    want, have = expected(x), got(x)
    if isinstance(want, dict):
        assert isinstance(have, dict) and sorted(have) == sorted(want)
    for a, b in zip(keras.tree.flatten(want), keras.tree.flatten(have)):
        np.testing.assert_allclose(np.asarray(b, dtype="float64"), np.asarray(a, dtype="float64"), atol=1e-5)


def graph_of(project) -> dict:
    """What must survive a round trip: every graph's nodes, wires and outputs, and the io section."""
    doc = project.to_dict()
    doc.pop("name")
    for graph in [doc["graph"], *doc.get("submodels", {}).values()]:
        for node in graph["nodes"]:
            node.pop("position", None)
    return doc


def total_params(project_path, capsys) -> int:
    capsys.readouterr()
    assert main(["summary", str(project_path)]) == 0
    out = capsys.readouterr().out
    return int(re.search(r"Total params: ([\d,]+)", out).group(1).replace(",", ""))


def check(architecture: Architecture, tmp_path, capsys, suffix: str = ".keras") -> None:
    keras.utils.set_random_seed(0)
    original = architecture.build()
    source = tmp_path / f"source{suffix}"
    original.save(source)
    target = tmp_path / "imported.nbproj"
    assert main(["import", str(source), "-o", str(target)]) == 0, capsys.readouterr().err
    assert total_params(target, capsys) == original.count_params()
    project = project_file.load(target)
    exported = tmp_path / "exported.keras"
    export_keras(project, exported)
    again = keras.saving.load_model(exported)
    assert_same_outputs(original, again, sample(original, architecture))
    script = tmp_path / "generated.py"
    script.write_text(python_code(project), encoding="utf-8")
    assert runpy.run_path(str(script))["build_model"]().count_params() == original.count_params()
    assert main(["import", str(exported), "-o", str(tmp_path / "again.nbproj")]) == 0, capsys.readouterr().err
    assert graph_of(project_file.load(tmp_path / "again.nbproj")) == graph_of(project)


@pytest.mark.parametrize("architecture", _params(ARCHITECTURES))
def test_architecture_round_trip(architecture: Architecture, tmp_path, capsys) -> None:
    check(architecture, tmp_path, capsys)


@pytest.mark.parametrize("architecture", _params([a for a in ARCHITECTURES if a.h5]))
def test_architecture_from_h5(architecture: Architecture, tmp_path, capsys) -> None:
    check(architecture, tmp_path, capsys, suffix=".h5")


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
@pytest.mark.parametrize("refusal", REFUSALS, ids=[r.name for r in REFUSALS])
def test_code_in_a_model_is_refused_by_name_and_never_runs(refusal: Refusal, suffix: str, tmp_path, capsys) -> None:
    source, target = tmp_path / f"model{suffix}", tmp_path / "model.nbproj"
    refusal.build().save(source)
    RAN.clear()  # building and saving ran the code; importing must not
    assert main(["import", str(source), "-o", str(target)]) == 1
    err = capsys.readouterr().err
    assert refusal.message in err and "netbuilder never runs code from a file" in err
    assert "Traceback" not in err and "could not be deserialized" not in err
    assert RAN == [] and not target.exists()
