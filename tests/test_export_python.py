"""Python code export: the generated script rebuilds the very model netbuilder builds.

Every bundled example and a real `keras.applications` model (one of each
family under `-m slow`) are written as a script, compiled, run, and compared
with the netbuilder-built model: same layer names, parameter count and (after
copying the weights) outputs. Names that look like code stay data.
"""

import gc
import inspect
import os
import py_compile
import runpy
import subprocess
import sys
from collections import defaultdict

import keras
import numpy as np
import pytest
import tensorflow as tf

from netbuilder import resources
from netbuilder.cli import main
from netbuilder.graph import Edge, Graph, Node, Project
from netbuilder.graph.project_file import load
from netbuilder.keras_bridge.build import build_model
from netbuilder.keras_bridge.errors import BridgeError
from netbuilder.export.python_code import python_code
from netbuilder.export.sample_batch import sample_values
from netbuilder.training.adapt import adapt_preprocessing
from imported_applications import import_model


def _run_script(project, tmp_path):
    """The generated script's namespace (it is our own output, so running it is fine)."""
    script = tmp_path / "model_script.py"
    script.write_text(python_code(project), encoding="utf-8")
    py_compile.compile(str(script), doraise=True)
    return runpy.run_path(str(script))


def _sample(model, rng):
    x = [sample_values(t.shape, t.dtype, 2, rng) for t in model.inputs]  # words for a text Input
    return x[0] if len(x) == 1 else x


def _assert_same_model(project, tmp_path, with_weights=False):
    built = build_model(project, with_weights=with_weights)
    assert built.notes == []  # every saved weight fits its layer
    expected = built.model
    rebuilt = _run_script(project, tmp_path)["build_model"]()
    assert [layer.name for layer in rebuilt.layers] == [layer.name for layer in expected.layers]
    assert rebuilt.count_params() == expected.count_params()
    assert rebuilt.name == expected.name
    rebuilt.set_weights(expected.get_weights())
    x = _sample(expected, np.random.default_rng(0))
    if any(t.dtype == "string" for t in expected.inputs):  # the text example's vocabulary, learnt as training does
        for model in (expected, rebuilt):
            adapt_preprocessing(model, tf.data.Dataset.from_tensors(x))
    for got, want in zip(keras.tree.flatten(rebuilt(x)), keras.tree.flatten(expected(x))):
        np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-6, atol=1e-6)
    return rebuilt


@pytest.mark.parametrize("name", resources.example_names())
def test_every_example_is_rebuilt_by_its_script(name, tmp_path):
    _assert_same_model(load(resources.example_path(name)), tmp_path)


def test_script_trains_the_model_with_the_project_settings(tmp_path):
    namespace = _run_script(load(resources.example_path("tips_regression")), tmp_path)
    history = namespace["train"](epochs=1)
    assert "rmse" in history.history and "val_loss" in history.history
    assert history.model.optimizer.learning_rate.numpy() == pytest.approx(0.01)


def test_script_runs_from_the_command_line(tmp_path):
    script = tmp_path / "iris.py"
    script.write_text(python_code(load(resources.example_path("iris_classifier"))), encoding="utf-8")
    saved = tmp_path / "trained.keras"
    done = subprocess.run([sys.executable, str(script), "--epochs", "1", "--save", str(saved)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert keras.saving.load_model(saved).count_params() > 0


HOSTILE = ["x'); __import__('os').system('echo pwned') #", 'a"b\'c\\d', "line\nbreak", "\"\"\"", "class", "1st"]


def test_names_that_look_like_code_stay_data(tmp_path):
    graph = Graph()
    graph.add_node(Node("in'put\n", "Input", {"shape": [4], "name": HOSTILE[0]}))
    previous = "in'put\n"
    for i, text in enumerate(HOSTILE[1:]):
        graph.add_node(Node(text, "Dense", {"units": 3, "name": f"{text}{i}"}))
        graph.add_edge(Edge(previous, text))
        previous = text
    sub = Graph()
    sub.add_node(Node("i", "Input", {"shape": [3]}))
    sub.add_node(Node("d", "Dense", {"units": 2}))
    sub.add_edge(Edge("i", "d"))
    graph.add_node(Node("__import__('os')", "Submodel", {"submodel": '"""; import os'}))
    graph.add_edge(Edge(previous, "__import__('os')"))
    project = Project(name="evil\"\"\"\n__import__('os')", graph=graph, submodels={'"""; import os': sub})
    # Layer names TensorFlow could not train are refused, by name, before any code is written …
    with pytest.raises(BridgeError, match="can only use the letters A-Z"):
        python_code(project)
    # … while node ids, sub-model and project names may be anything and stay data.
    for node in graph:
        node.config.pop("name", None)
    code = python_code(project)
    assert "__import__('os')" not in code.replace(repr("__import__('os')"), "").replace(
        repr(project.name), "").replace(repr('"""; import os'), "")
    _assert_same_model(project, tmp_path)


def test_shared_layers_and_call_arguments_are_kept(tmp_path):
    graph = Graph()
    graph.add_node(Node("left", "Input", {"shape": [5]}))
    graph.add_node(Node("right", "Input", {"shape": [5]}))
    graph.add_node(Node("embed", "Dense", {"units": 4, "kernel_initializer": {"class_name": "Ones", "config": {}}}))
    graph.add_node(Node("embed_again", "Dense", {"units": 4}, shares="embed"))
    graph.add_node(Node("drop", "Dropout", {"rate": 0.5}, extra={"call_kwargs": {"training": False}}))
    graph.add_node(Node("join", "Concatenate", {}))
    graph.add_edge(Edge("left", "embed"))
    graph.add_edge(Edge("right", "embed_again"))
    graph.add_edge(Edge("embed", "drop"))
    graph.add_edge(Edge("drop", "join", target_port=0))
    graph.add_edge(Edge("embed_again", "join", target_port=1))
    project = Project(name="siamese", graph=graph)
    code = python_code(project)
    assert "embed_layer = layers.Dense(" in code and "training=False" in code
    rebuilt = _assert_same_model(project, tmp_path)
    assert rebuilt.count_params() == 5 * 4 + 4  # one Dense, called twice


def test_nested_sub_models_keep_one_instance_each(tmp_path):
    inner = Graph()
    inner.add_node(Node("i", "Input", {"shape": [6]}))
    inner.add_node(Node("d", "Dense", {"units": 6}))
    inner.add_edge(Edge("i", "d"))
    outer = Graph()
    outer.add_node(Node("i", "Input", {"shape": [6]}))
    outer.add_node(Node("twice", "Submodel", {"submodel": "inner"}))
    outer.add_edge(Edge("i", "twice"))
    graph = Graph()
    graph.add_node(Node("x", "Input", {"shape": [6]}))
    graph.add_node(Node("a", "Submodel", {"submodel": "outer"}))
    graph.add_node(Node("b", "Submodel", {"submodel": "inner"}))
    graph.add_edge(Edge("x", "a"))
    graph.add_edge(Edge("a", "b"))
    project = Project(name="nested", graph=graph, submodels={"inner": inner, "outer": outer})
    rebuilt = _assert_same_model(project, tmp_path)
    assert rebuilt.count_params() == 6 * 6 + 6  # "inner" is one model wherever it is used


def test_wrapper_and_attention_layers(tmp_path):
    lstm = {"module": "keras.layers", "class_name": "LSTM", "config": {"units": 3, "return_sequences": True},
            "registered_name": None}
    graph = Graph()
    graph.add_node(Node("seq", "Input", {"shape": [5, 4]}))
    graph.add_node(Node("both_ways", "Bidirectional", {"layer": lstm}))
    graph.add_node(Node("attend", "MultiHeadAttention", {"num_heads": 2, "key_dim": 3}))
    graph.add_edge(Edge("seq", "both_ways"))
    graph.add_edge(Edge("both_ways", "attend", target_port=0))
    graph.add_edge(Edge("both_ways", "attend", target_port=1))
    _assert_same_model(Project(name="rnn", graph=graph), tmp_path)


def _one_input_project(shape, dataset):
    graph = Graph()
    graph.add_node(Node("image", "Input", {"shape": shape}))
    graph.add_node(Node("flat", "Flatten", {}))
    graph.add_node(Node("digit", "Dense", {"units": 10, "activation": "softmax"}))
    graph.add_edge(Edge("image", "flat"))
    graph.add_edge(Edge("flat", "digit"))
    training = {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"], "early_stopping": True}
    return Project(name="digits", graph=graph, sections={"dataset": dataset, "training": training})


def test_npz_and_image_datasets_load_in_the_script(tmp_path):
    npz = _run_script(_one_input_project([8, 8, 1], {"source": "bundled:digits_npz"}), tmp_path)
    x, y = npz["load_data"](npz["DATA_PATH"])
    assert x.shape == (1797, 8, 8, 1) and y.shape == (1797,)
    images = _run_script(_one_input_project([8, 8, 1], {"source": "bundled:digits", "image_size": [8, 8],
                                                        "color_mode": "grayscale"}), tmp_path)
    train_data, validation_data = images["load_data"](images["DATA_PATH"])
    batch, labels = next(iter(train_data))
    assert tuple(batch.shape[1:]) == (8, 8, 1)
    history = images["train"](epochs=1)
    assert "val_accuracy" in history.history


def test_settings_without_a_dataset_ask_for_one(tmp_path, monkeypatch, capsys):
    project = load(resources.example_path("tips_regression"))
    del project.sections["dataset"]
    script = tmp_path / "no_data.py"
    script.write_text(python_code(project), encoding="utf-8")
    monkeypatch.setattr(sys, "argv", [str(script)])
    with pytest.raises(SystemExit) as exited:
        runpy.run_path(str(script), run_name="__main__")
    assert exited.value.code == 2 and "--data" in capsys.readouterr().err


def test_mobilenet_is_rebuilt_by_its_script(applications, tmp_path):
    _assert_same_model(load(applications.get("MobileNetV2", 96).project), tmp_path)  # test_applications.py's import


def _application_names():
    """Every model constructor in `keras.applications` and its submodules (helpers are lower-case)."""
    modules = [keras.applications, *(m for m in vars(keras.applications).values() if inspect.ismodule(m))]
    return sorted({name for module in modules for name, value in vars(module).items()
                   if inspect.isfunction(value) and name[:1].isupper()})


# Each family's smallest member: its bigger siblings are made by the same function with more or
# wider blocks, so rebuilding them adds minutes, not a layer, wiring or operation the script writer
# has not met. A family not listed here is rebuilt through its first member.
_SMALLEST_OF_FAMILY = {"ConvNeXtTiny", "DenseNet121", "EfficientNetB0", "EfficientNetV2B0", "MobileNetV3Small",
                       "NASNetMobile", "ResNet50", "ResNet50V2"}


def _one_per_family():
    """One constructor of each `keras.applications` module (a family: ResNet50/101/152, EfficientNetB0–B7, …)."""
    families = defaultdict(list)
    for name in _application_names():
        families[getattr(keras.applications, name).__module__].append(name)
    return sorted(next((n for n in names if n in _SMALLEST_OF_FAMILY), names[0]) for names in families.values())


def test_every_application_family_is_enumerated():
    names = _application_names()
    assert len(names) >= 35, names
    assert {"ConvNeXtXLarge", "DenseNet201", "EfficientNetB7", "EfficientNetV2L", "InceptionResNetV2",
            "MobileNetV3Small", "NASNetLarge", "ResNet152V2", "VGG19", "Xception"} <= set(names)
    assert _SMALLEST_OF_FAMILY | {"InceptionResNetV2", "VGG16", "VGG19", "Xception"} <= set(_one_per_family())


@pytest.fixture
def fresh_keras():
    """Frees the previous big model before the next one, so the slow run's memory stays flat."""
    yield
    keras.backend.clear_session()
    gc.collect()


@pytest.mark.slow
@pytest.mark.parametrize("name", _one_per_family())
def test_applications_are_rebuilt_by_their_script(name, applications, tmp_path, fresh_keras):
    _assert_script_rebuilds(applications.get(name), tmp_path)


def _assert_script_rebuilds(imported, tmp_path):
    """The script of an imported model: with the imported weights its model is Keras' own, number for number."""
    rebuilt = _assert_same_model(load(imported.project), tmp_path, with_weights=True)
    assert rebuilt.count_params() == imported.params
    want = imported.want
    np.testing.assert_allclose(np.asarray(rebuilt(imported.x)), want, rtol=1e-6,
                               atol=1e-6 * max(1.0, np.abs(want).max()))


def test_operations_and_application_only_layers_become_keras_layers(tmp_path):
    from keras.src.applications.convnext import LayerScale
    from keras.src.applications.inception_resnet_v2 import CustomScaleLayer

    image = keras.Input((4, 4, 3), name="image")
    conv = keras.layers.Conv2D(3, 1, name="conv")(image)
    shifted = 2.0 - (conv + 3.0) * 0.5 - 1.0  # how MobileNetV3 writes hard_sigmoid, and the other sides
    scaled = LayerScale(0.5, 3, name="layer_scale")(shifted)
    mixed = CustomScaleLayer(0.17, name="custom_scale")([scaled, conv])
    model = keras.Model(image, keras.layers.Add(name="sum")([mixed, conv * image]), name="tricks")
    model.get_layer("layer_scale").set_weights([np.array([0.5, -2.0, 3.0], "float32")])
    _assert_script_rebuilds(import_model(model, tmp_path), tmp_path)
    code = (tmp_path / "model_script.py").read_text()
    assert "layers.EinsumDense(" in code and "layers.Rescaling(" in code and "keras.src" not in code


def test_an_operation_without_a_layer_becomes_an_operation_node_and_a_keras_ops_call(tmp_path, capsys):
    values = keras.Input((3,), name="values")
    model = keras.Model(values, keras.ops.concatenate([values, values], axis=0), name="stacked")
    model.save(tmp_path / "stacked.keras")
    assert main(["import", str(tmp_path / "stacked.keras"), "-o", str(tmp_path / "stacked.nbproj")]) == 0
    project = load(tmp_path / "stacked.nbproj")
    [node] = [n for n in project.graph.nodes if n.layer == "Operation"]
    assert node.config == {"operation": "concatenate", "axis": 0}
    assert node.extra["call_args"] == [[{"port": 0}, {"port": 1}]]
    _assert_same_model(project, tmp_path)
    assert "keras.ops.concatenate([values, values], axis=0)" in (tmp_path / "model_script.py").read_text()


def test_wrappers_keyword_ports_and_named_outputs_are_written_as_keras_code(tmp_path, capsys):
    """Inner layers of wrappers as layers, `initial_state=` from the wired ports, outputs as the dict they are."""
    words = keras.Input((5, 3), name="words")
    encoded = keras.layers.Bidirectional(keras.layers.LSTM(4, return_sequences=True), name="bi")(words)
    per_step = keras.layers.TimeDistributed(keras.layers.Dense(2), name="per_step")(encoded)
    _, h, c = keras.layers.LSTM(4, return_state=True, name="encoder")(per_step)
    decoded = keras.layers.LSTM(4, name="decoder")(words, initial_state=[h, c])
    model = keras.Model(words, {"summary": keras.layers.Dense(1, name="head")(decoded), "steps": per_step})
    model.save(tmp_path / "m.keras")
    assert main(["import", str(tmp_path / "m.keras"), "-o", str(tmp_path / "m.nbproj")]) == 0
    rebuilt = _assert_same_model(load(tmp_path / "m.nbproj"), tmp_path, with_weights=True)
    code = (tmp_path / "model_script.py").read_text()
    assert "layers.Bidirectional(layer=layers.LSTM(" in code and "layers.TimeDistributed(layer=layers.Dense(" in code
    assert "initial_state=[encoder[1], encoder[2]]" in code
    assert "outputs={'summary': head, 'steps': per_step}" in code
    assert sorted(rebuilt.output) == ["steps", "summary"]


def test_the_command_line_writes_the_script(tmp_path, capsys):
    from netbuilder.cli import main
    from netbuilder.resources import example_path

    out = tmp_path / "tips.py"
    assert main(["export", str(example_path("tips_regression")), "--format", "python", "-o", str(out)]) == 0
    assert "build_model() and train()" in capsys.readouterr().out
    compile(out.read_text(), str(out), "exec")
    assert main(["export", str(example_path("tips_regression")), "--format", "python", "-o", str(tmp_path / "t.txt")]) == 1
    assert "must end in .py" in capsys.readouterr().err


def test_a_script_with_nothing_to_train_says_so_when_run_or_asked_for_help(tmp_path):
    """Its docstring promises what running it does; run, or with --help, it says there is nothing to train."""
    project = load(resources.example_path("mlp_128_10"))
    project.sections.pop("training", None)
    project.sections.pop("dataset", None)
    script = tmp_path / "model_script.py"
    script.write_text(python_code(project), encoding="utf-8")
    assert "trains it" not in script.read_text().split('"""')[1]
    helped = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=120)
    assert helped.returncode == 0 and "Nothing to train" in " ".join(helped.stdout.split())
    ran = subprocess.run([sys.executable, str(script), "--save", str(tmp_path / "m.keras")], capture_output=True,
                         text=True, timeout=300, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert ran.returncode == 0 and "Nothing to train" in ran.stdout and (tmp_path / "m.keras").exists()
