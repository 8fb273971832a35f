"""Preprocessing layers learn their state from the training split before the model trains, once per dataset."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from netbuilder.graph.project_file import from_dict
from netbuilder.training.adapt import adapt_preprocessing, adaptable_layers, cache_path
from netbuilder.training.datasets import load_dataset
from netbuilder.training.datasets.spec import DatasetSpec
from netbuilder.training.events import Preparing
from netbuilder.training.session import TrainingSession
from netbuilder.training.settings import TrainingSettings

from helpers import tips_project


def _normalized_tips(tmp_path, **training):
    doc = tips_project(**{"seed": 3, "validation_split": 0.25, **training})
    doc["graph"]["nodes"].insert(1, {"id": "norm", "layer": "Normalization", "config": {}})
    doc["graph"]["edges"] = [{"source": "x", "target": "norm"}, {"source": "norm", "target": "h"},
                             {"source": "h", "target": "out"}]
    path = tmp_path / "tips.nbproj"
    path.write_text(json.dumps(doc))
    project = from_dict(doc, "tips")
    project.path = path
    return project


def _train(project, tmp_path, run):
    notes = []
    settings = TrainingSettings.from_section(project.sections["training"])
    spec = DatasetSpec.from_section(project.sections["dataset"])
    session = TrainingSession(project, spec, settings, tmp_path, run_dir=tmp_path / run, queue_events=False,
                              listener=lambda e: notes.append(e.message) if isinstance(e, Preparing) else None)
    result = session.run()
    assert result.status == "completed", result.message
    return session.model, notes


def test_a_normalization_learns_the_training_rows_only_and_the_saved_model_keeps_it(tmp_path):
    project = _normalized_tips(tmp_path)
    model, notes = _train(project, tmp_path, "run")
    data = load_dataset(DatasetSpec.from_section(project.sections["dataset"]), None, input_names=["x"],
                        output_names=["out"], validation_split=0.25, seed=3)
    train = data.train.features["x"]
    layer = model.get_layer("norm")
    np.testing.assert_allclose(np.ravel(layer.mean), train.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(np.ravel(layer.variance), train.var(axis=0), rtol=1e-4)
    everything = np.concatenate([train, data.validation.features["x"]])
    assert not np.allclose(np.ravel(layer.mean), everything.mean(axis=0), rtol=1e-5)  # no validation row leaked
    assert "Adapting 'norm' on the training data…" in notes
    saved = keras.saving.load_model(tmp_path / "run" / "model.keras", safe_mode=True)
    np.testing.assert_allclose(np.ravel(saved.get_layer("norm").mean), train.mean(axis=0), rtol=1e-5)


def test_a_second_run_on_the_same_data_reads_the_state_from_beside_the_project(tmp_path):
    project = _normalized_tips(tmp_path)
    first, _ = _train(project, tmp_path, "one")
    cache = cache_path(project.path)
    assert cache == tmp_path / "tips.adapted.json" and cache.exists()
    second, notes = _train(project, tmp_path, "two")
    assert "Preprocessing state of 'norm' read from tips.adapted.json." in notes
    assert not any(n.startswith("Adapting") for n in notes)
    np.testing.assert_array_equal(np.asarray(second.get_layer("norm").mean), np.asarray(first.get_layer("norm").mean))

    project.sections["training"]["seed"] = 4  # another split: other training rows, another state
    _, notes = _train(project, tmp_path, "three")
    assert "Adapting 'norm' on the training data…" in notes


@pytest.mark.parametrize("damage", ["not json {", '{"format": "netbuilder-adapted", "layers": {"norm": '
                                    '{"key": "x", "state": {"mean": "a"}}}}', "[]"])
def test_a_damaged_cache_is_ignored_and_written_again(tmp_path, damage):
    project = _normalized_tips(tmp_path)
    cache = cache_path(project.path)
    cache.write_text(damage)
    _, notes = _train(project, tmp_path, "run")
    assert "Adapting 'norm' on the training data…" in notes
    assert json.loads(cache.read_text())["format"] == "netbuilder-adapted"


def test_layers_fed_at_once_share_one_pass_and_a_layer_behind_another_waits(tmp_path):
    bill = keras.Input((1,), name="bill")
    day = keras.Input((1,), dtype="string", name="day")
    first = keras.layers.Normalization(name="first")(bill)
    lookup = keras.layers.StringLookup(name="lookup")(day)
    behind = keras.layers.Normalization(name="behind")(keras.layers.Concatenate()([first, bill]))
    model = keras.Model([bill, day], [keras.layers.Dense(1)(behind), lookup])
    rows = {"bill": np.arange(100, dtype="float32").reshape(-1, 1), "day": np.array([["Sun"], ["Mon"]] * 50)}
    notes = []
    adapted = adapt_preprocessing(model, tf.data.Dataset.from_tensor_slices(rows).batch(16), note=notes.append)
    assert adapted == ["first", "lookup", "behind"]
    assert notes == ["Adapting 'first' and 'lookup' on the training data…", "Adapting 'behind' on the training data…"]
    np.testing.assert_allclose(np.ravel(model.get_layer("behind").mean), [0.0, 49.5], atol=1e-5)
    assert set(model.get_layer("lookup").get_vocabulary()) == {"[UNK]", "Sun", "Mon"}
    assert adaptable_layers(model) == []  # adapted layers have their state


def test_a_layer_inside_a_sub_model_and_a_layer_given_its_state_are_handled():
    inner_input = keras.Input((2,), name="inner")
    inner = keras.Model(inner_input, keras.layers.Normalization(name="inside")(inner_input), name="pre")
    outer = keras.Input((2,), name="x")
    fixed = keras.layers.Normalization(mean=[0.0, 0.0], variance=[1.0, 1.0], name="fixed")(outer)
    model = keras.Model(outer, keras.layers.Add()([inner(outer), fixed]))
    assert [layer.name for layer, _ in adaptable_layers(model)] == ["inside"]
    rows = np.array([[1.0, 10.0], [3.0, 30.0]], dtype="float32")
    assert adapt_preprocessing(model, tf.data.Dataset.from_tensor_slices(rows).batch(1)) == ["inside"]
    np.testing.assert_allclose(np.ravel(inner.get_layer("inside").mean), [2.0, 20.0])


def test_a_streamed_file_is_adapted_in_one_pass_to_the_same_state(tmp_path, monkeypatch):
    monkeypatch.setenv("NETBUILDER_STREAM_CSV_MB", "0")  # stream even the small tips file
    project = _normalized_tips(tmp_path, validation_split=0)
    model, _ = _train(project, tmp_path, "run")
    monkeypatch.setenv("NETBUILDER_STREAM_CSV_MB", "64")
    whole = load_dataset(DatasetSpec.from_section(project.sections["dataset"]), None, input_names=["x"],
                         output_names=["out"], validation_split=0)
    np.testing.assert_allclose(np.ravel(model.get_layer("norm").mean), whole.train.features["x"].mean(axis=0),
                               rtol=1e-5)


def test_a_sub_model_used_in_two_graphs_is_fed_through_its_call_in_this_one():
    inner_input = keras.Input((2,), name="inner")
    inner = keras.Model(inner_input, keras.layers.Normalization(name="inside")(inner_input), name="inner")
    middle_input = keras.Input((2,), name="middle")
    middle = keras.Model(middle_input, inner(middle_input), name="middle")
    x = keras.Input((2,), name="x")
    model = keras.Model(x, inner(keras.layers.Dense(2, kernel_initializer="ones", name="d")(middle(x))))
    rows = np.array([[1.0, 10.0], [3.0, 30.0]], dtype="float32")
    assert adapt_preprocessing(model, tf.data.Dataset.from_tensor_slices(rows).batch(2)) == ["inside"]
    plain = keras.Model(inner_input, inner_input)  # the same layers without a state to adapt: nothing happens
    assert adaptable_layers(keras.Model(x, keras.layers.Dense(2)(plain(x)))) == []


def test_nothing_is_written_into_the_bundled_examples_folder():
    from netbuilder.resources import example_path

    assert cache_path(example_path("tips_regression")) is None
    assert cache_path(None) is None


def test_the_adapting_pass_takes_big_batches_of_small_rows_and_learns_what_small_batches_learn():
    from netbuilder.training.adapt import ADAPT_BATCH_ROWS, adapt_batch_size

    documents = np.array([f"w{i % 97} w{i % 13} common" for i in range(3_000)], dtype=object)
    assert adapt_batch_size({"text": documents[:, None]}, 32) == ADAPT_BATCH_ROWS
    assert adapt_batch_size({"x": np.zeros((10, 20), np.float32)}, 32) == ADAPT_BATCH_ROWS
    assert adapt_batch_size({"image": np.zeros((10, 224, 224, 3), np.float32)}, 32) == 32  # 600 kB a row
    assert adapt_batch_size({"image": np.zeros((10, 64, 64, 3), np.float32)}, 8) == 85  # 4 MB of them
    learnt = {}
    for batch in (32, ADAPT_BATCH_ROWS):
        inputs = keras.Input((1,), dtype="string")
        model = keras.Model(inputs, keras.layers.TextVectorization(max_tokens=50, name="words")(inputs))
        adapt_preprocessing(model, tf.data.Dataset.from_tensor_slices(documents[:, None].astype(str)).batch(batch))
        learnt[batch] = model.get_layer("words").get_vocabulary()
    assert learnt[32] == learnt[ADAPT_BATCH_ROWS] and len(learnt[32]) == 50
