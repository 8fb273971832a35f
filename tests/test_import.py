"""Keras model files → projects → .keras again, with identical outputs."""

import keras
import numpy as np
import pytest

from netbuilder.cli import main
from netbuilder.graph import project_file
from netbuilder.keras_bridge import BridgeError, import_model_file


def round_trip(model: keras.Model, tmp_path, suffix=".keras", capsys=None):
    """Save `model`, import it with the CLI, export it back; returns (project, reloaded)."""
    source = tmp_path / f"source{suffix}"
    model.save(source)
    target = tmp_path / "proj.nbproj"
    assert main(["import", str(source), "-o", str(target)]) == 0
    out = tmp_path / "exported.keras"
    assert main(["export", str(target), "--format", "keras", "-o", str(out)]) == 0
    return project_file.load(target), keras.saving.load_model(out)


def assert_same_outputs(a: keras.Model, b: keras.Model, seed=0):
    rng = np.random.default_rng(seed)
    xs = [rng.normal(size=(2, *t.shape[1:])).astype(t.dtype) for t in a.inputs]
    x = xs[0] if len(xs) == 1 else xs
    out_a, out_b = a(x), b(x)
    for ya, yb in zip(keras.tree.flatten(out_a), keras.tree.flatten(out_b)):
        np.testing.assert_array_equal(np.asarray(ya), np.asarray(yb))


def test_multi_input_multi_output_with_shared_layer_and_attention(tmp_path):
    a = keras.Input((4,), name="a")
    b = keras.Input((4,), name="b")
    seq = keras.Input((5, 4), name="seq")
    shared = keras.layers.Dense(3, activation="tanh", name="shared")
    added = keras.layers.Add(name="added")([shared(a), shared(b)])
    attended = keras.layers.MultiHeadAttention(2, 2, name="mha")(seq, seq, key=seq)
    pooled = keras.layers.GlobalAveragePooling1D(name="pool")(attended)
    model = keras.Model([a, b, seq], [added, pooled], name="mixed")
    project, again = round_trip(model, tmp_path)
    ids = [n.id for n in project.graph.nodes]
    assert ids[:3] == ["a", "b", "seq"]
    assert project.graph.node("shared__call1").extra["shares"] == "shared"
    assert again.count_params() == model.count_params()
    assert_same_outputs(model, again)


def test_sequential_and_h5_file(tmp_path):
    model = keras.Sequential(
        [keras.Input((6,)), keras.layers.Dense(5, activation="relu"), keras.layers.Dropout(0.2), keras.layers.Dense(2)],
        name="seq_model",
    )
    project, again = round_trip(model, tmp_path, suffix=".h5")
    assert [n.layer for n in project.graph.nodes] == ["Input", "Dense", "Dropout", "Dense"]
    assert_same_outputs(model, again)


def test_nested_model_becomes_a_submodel(tmp_path):
    inner_in = keras.Input((8,))
    inner = keras.Model(inner_in, keras.layers.Dense(4, name="inner_dense")(inner_in), name="encoder")
    x = keras.Input((8,), name="x")
    model = keras.Model(x, keras.layers.Dense(1, name="head")(inner(x)), name="outer")
    project, again = round_trip(model, tmp_path)
    assert list(project.submodels) == ["encoder"]
    assert project.graph.node("encoder").layer == "Submodel"
    assert_same_outputs(model, again)


def test_imported_configs_leave_out_keras_defaults(tmp_path):
    x = keras.Input((3,), name="x")
    model = keras.Model(x, keras.layers.Dense(2, activation="relu", name="d")(x))
    model.save(tmp_path / "m.keras")
    project = import_model_file(tmp_path / "m.keras", tmp_path / "m.nbproj")
    assert project.graph.node("d").config == {"units": 2, "activation": "relu"}
    assert project.graph.node("x").config == {"shape": [3]}
    assert project.graph.node("x").position == (0.0, 0.0)
    assert project.graph.node("d").position == (0.0, 110.0)  # laid out: the editor opens it tidy
    assert (tmp_path / "m.weights.h5").exists()


def test_lambda_file_is_refused_and_its_code_never_runs(tmp_path, capsys):
    marker = tmp_path / "ran.txt"

    def leave_mark(t, path=str(marker)):
        open(path, "w").close()  # running this function leaves a file behind
        return t * 2

    x = keras.Input((2,), name="x")
    y = keras.layers.Lambda(leave_mark, name="double")(x)
    keras.Model(x, y).save(tmp_path / "evil.keras")
    marker.unlink(missing_ok=True)  # building the model above ran it once
    code = main(["import", str(tmp_path / "evil.keras"), "-o", str(tmp_path / "e.nbproj")])
    err = capsys.readouterr().err
    assert code == 1
    assert "layer 'double' is a Lambda, which carries Python code; netbuilder never runs code from a file" in err
    assert not (tmp_path / "e.nbproj").exists() and not marker.exists()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"not a zip", "not a readable Keras model file"),
        (None, "no such file"),
    ],
)
def test_broken_model_files(tmp_path, capsys, content, message):
    path = tmp_path / "broken.keras"
    if content is not None:
        path.write_bytes(content)
    assert main(["import", str(path), "-o", str(tmp_path / "b.nbproj")]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_unsupported_extension(tmp_path):
    path = tmp_path / "model.onnx"
    path.write_bytes(b"x")
    with pytest.raises(BridgeError, match="unsupported file type '.onnx'"):
        import_model_file(path, tmp_path / "x.nbproj")
