"""Keras model files → projects → .keras again, with identical outputs."""

import zipfile

import keras
import numpy as np
import pytest

from netbuilder.cli import main
from netbuilder.graph import json_limits, project_file
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
    assert project.graph.node("shared__call1").shares == "shared"
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


def test_a_nested_model_called_twice_gives_two_submodel_nodes_and_its_second_call_is_an_output(tmp_path):
    inner_in = keras.Input((4,))
    twice = keras.Model(inner_in, keras.layers.Dense(4, name="d")(inner_in), name="twice")
    x = keras.Input((4,), name="x")
    model = keras.Model(x, twice(twice(x)), name="outer")
    project, again = round_trip(model, tmp_path)
    nodes = {n.id: n for n in project.graph.nodes}
    assert nodes["twice"].config == nodes["twice__call1"].config == {"submodel": "twice"}
    assert [(e.source, e.target) for e in project.graph.edges] == [("x", "twice"), ("twice", "twice__call1")]
    assert again.count_params() == model.count_params() == 20
    assert_same_outputs(model, again)


def test_tensors_passed_by_keyword_become_named_ports(tmp_path):
    encoder_in, decoder_in = keras.Input((None, 3), name="enc_in"), keras.Input((None, 3), name="dec_in")
    _, h, c = keras.layers.LSTM(4, return_state=True, name="encoder")(encoder_in)
    out = keras.layers.LSTM(4, name="decoder")(decoder_in, initial_state=[h, c])
    model = keras.Model([encoder_in, decoder_in], out)
    project, again = round_trip(model, tmp_path)
    assert project.graph.node("decoder").extra == {"call_kwargs": {"initial_state": [{"port": 1}, {"port": 2}]}}
    assert sorted((e.source, e.source_port, e.target_port) for e in project.graph.incoming("decoder")) == [
        ("dec_in", 0, 0), ("encoder", 1, 1), ("encoder", 2, 2)]
    x = [np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32") for _ in range(2)]
    np.testing.assert_array_equal(np.asarray(again(x)), np.asarray(model(x)))


def test_operations_become_the_layers_that_compute_them_or_operation_nodes(tmp_path):
    a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
    gated = keras.activations.swish(a) * keras.ops.relu(b)
    mean = keras.ops.mean(gated, axis=-1, keepdims=True)
    model = keras.Model([a, b], keras.layers.Concatenate(name="cat")([gated[:, 1:3], mean]))
    project, again = round_trip(model, tmp_path)
    kinds = [(n.layer, n.config) for n in project.graph.nodes[2:]]  # Keras numbers the names: leave them out
    assert kinds == [("Activation", {"activation": "silu"}), ("Activation", {"activation": "relu"}),
                     ("Multiply", {}), ("Operation", {"operation": "get_item"}),
                     ("Operation", {"operation": "mean", "axis": -1, "keepdims": True}), ("Concatenate", {})]
    [item] = [n for n in project.graph.nodes if n.config.get("operation") == "get_item"]
    assert item.extra["call_args"][1][1] == {"class_name": "__slice__", "config": {"start": 1, "stop": 3, "step": None}}
    assert_same_outputs(model, again)


def test_an_embedding_mask_is_handed_on_by_keras_not_drawn(tmp_path):
    tokens = keras.Input((None,), dtype="int32", name="tokens")
    embedded = keras.layers.Embedding(10, 4, mask_zero=True, name="embed")(tokens)
    model = keras.Model(tokens, keras.layers.LSTM(3, name="lstm")(embedded))
    project, again = round_trip(model, tmp_path)
    assert [n.id for n in project.graph.nodes] == ["tokens", "embed", "lstm"]
    assert project.graph.node("lstm").extra == {}
    x = np.array([[3, 1, 0, 0], [2, 5, 7, 0]], dtype="int32")
    np.testing.assert_array_equal(np.asarray(again(x)), np.asarray(model(x)))


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_named_outputs_stay_named(tmp_path, suffix):
    x = keras.Input((3,), name="x")
    model = keras.Model(x, {"priority": keras.layers.Dense(1, name="p")(x), "department": keras.layers.Dense(2, name="d")(x)})
    project, again = round_trip(model, tmp_path, suffix)
    assert project.sections["io"] == {"outputs": {"priority": "p", "department": "d"}}
    out = again(np.ones((1, 3), "float32"))
    assert sorted(out) == ["department", "priority"] and out["department"].shape == (1, 2)


def test_an_adapted_vocabulary_is_kept_in_the_weights_file_and_in_the_export(tmp_path):
    import h5py

    lookup = keras.layers.StringLookup(output_mode="one_hot", name="lookup")
    lookup.adapt(np.array(["red", "green", "blue", "red"]))
    colour = keras.Input((1,), dtype="string", name="colour")
    model = keras.Model(colour, keras.layers.Dense(2, name="score")(lookup(colour)))
    project, again = round_trip(model, tmp_path)
    # No vocabulary in the project file; its size, as Keras' own config reports it, tells shapes before loading.
    assert project.graph.node("lookup").config == {"output_mode": "one_hot", "vocabulary_size": 4}
    with h5py.File(tmp_path / "proj.weights.h5") as fh:
        assert "lookup" in fh["state"]
    x = np.array([["green"], ["pink"]])
    np.testing.assert_array_equal(np.asarray(again(x)), np.asarray(model(x)))


def test_a_custom_layer_is_refused_by_its_name_and_class(tmp_path, capsys):
    @keras.saving.register_keras_serializable(package="tests")
    class Doubler(keras.layers.Layer):
        def call(self, x):
            return x * 2

    x = keras.Input((2,), name="x")
    keras.Model(x, Doubler(name="twice")(x)).save(tmp_path / "custom.keras")
    assert main(["import", str(tmp_path / "custom.keras"), "-o", str(tmp_path / "c.nbproj")]) == 1
    err = capsys.readouterr().err
    assert "layer 'twice' is of the custom class Doubler" in err and "Traceback" not in err


def test_attention_by_keyword_takes_its_named_ports_and_a_mask_becomes_a_keyword_port(tmp_path):
    tokens = keras.Input((5,), dtype="int32", name="tokens")
    embedded = keras.layers.Embedding(10, 4, name="embed")(tokens)
    mask = keras.ops.expand_dims(keras.ops.not_equal(tokens, 0), 1)
    attended = keras.layers.MultiHeadAttention(2, 2, name="mha")(query=embedded, value=embedded, attention_mask=mask)
    model = keras.Model(tokens, attended)
    project, again = round_trip(model, tmp_path)
    mha = project.graph.node("mha")
    assert mha.extra == {"call_kwargs": {"attention_mask": {"port": 2}}}
    assert sorted((e.source, e.target_port) for e in project.graph.incoming("mha"))[:2] == [("embed", 0), ("embed", 1)]
    x = np.array([[3, 1, 0, 0, 2], [2, 5, 7, 1, 1]], dtype="int32")
    np.testing.assert_array_equal(np.asarray(again(x)), np.asarray(model(x)))


def _keras_file_with_config(path, config_text):
    """A `.keras` archive whose config.json is `config_text` (deflated, as Keras writes it)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("config.json", config_text)
        zf.writestr("metadata.json", "{}")
    return path


def test_a_model_file_nested_past_the_limit_is_refused_in_one_sentence(tmp_path, capsys):
    path = _keras_file_with_config(tmp_path / "deep.keras", "[" * 100_000 + "]" * 100_000)
    assert main(["import", str(path), "-o", str(tmp_path / "deep.nbproj")]) == 1
    err = capsys.readouterr().err
    assert "deep.keras: its model description lists and objects nest more than 64 levels deep" in err
    assert "Traceback" not in err


def test_a_model_file_that_inflates_past_the_cap_is_refused_without_reading_it_whole(tmp_path, capsys):
    path = _keras_file_with_config(tmp_path / "bomb.keras", " " * (json_limits.MAX_BYTES + 10))
    assert path.stat().st_size < 1_000_000  # a zip bomb: small on disk
    assert main(["import", str(path), "-o", str(tmp_path / "bomb.nbproj")]) == 1
    assert "bomb.keras: its model description is larger than 64 MB" in capsys.readouterr().err


def test_an_h5_file_whose_model_config_is_no_text_is_refused(tmp_path, capsys):
    import h5py

    path = tmp_path / "numbers.h5"
    with h5py.File(path, "w") as fh:
        fh.attrs["model_config"] = np.arange(3)
    assert main(["import", str(path), "-o", str(tmp_path / "numbers.nbproj")]) == 1
    assert "numbers.h5: the file's model_config is not text" in capsys.readouterr().err
