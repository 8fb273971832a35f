"""The pre-flight check says exactly what does not fit between the dataset, the model and the
loss — one sentence each — before a run starts, instead of a Keras traceback mid-fit."""

import numpy as np
import pytest

from netbuilder.training.datasets import DatasetSpec, LoadedData, Split, load_dataset
from netbuilder.training.preflight import loss_key, preflight, task_for_loss

IRIS = ["setosa", "versicolor", "virginica"]


def tabular(features=None, targets=None, *, class_names=None, feature_columns=None, target_columns=None):
    features = features if features is not None else {"x": np.zeros((6, 4), np.float32)}
    targets = targets if targets is not None else {"y": np.zeros((6, 1), np.float32)}
    return LoadedData(Split(features, targets), None, "classification" if class_names else "regression",
                      feature_columns or {}, target_columns or {}, class_names)


def labels(values, names=IRIS):
    return tabular(targets={"y": np.array(values, np.int32)}, class_names=names, target_columns={"y": ["species"]})


def numbers(values, column="tip"):
    return tabular(targets={"y": np.array(values, np.float32).reshape(len(values), -1)},
                   target_columns={"y": [column]})


def test_a_fitting_model_passes():
    assert preflight({"x": (4,)}, {"y": (1,)}, tabular(), "mean_squared_error") == []
    assert preflight({"x": (4,)}, {"y": (3,)}, labels([0, 1, 2]), "sparse_categorical_crossentropy") == []


def test_the_input_shape_mismatch_in_the_issue():
    data = tabular({"img": np.zeros((5, 784), np.float32)})
    assert preflight({"img": (28, 28, 1)}, {"y": (1,)}, data, "mse") == [
        "Input 'img' expects (28, 28, 1), the dataset gives (784,)"]


def test_free_dimensions_match_anything():
    data = tabular({"seq": np.zeros((5, 7, 3), np.float32)})
    assert preflight({"seq": (None, 3)}, {"y": (1,)}, data, "mse") == []
    assert preflight({"seq": (None, 4)}, {"y": (1,)}, data, "mse") == [
        "Input 'seq' expects (None, 4), the dataset gives (7, 3)"]


def test_a_column_count_mismatch_lists_the_columns():
    data = tabular({"x": np.zeros((5, 3), np.float32)}, feature_columns={"x": ["total_bill", "day=Sat", "day=Sun"]})
    assert preflight({"x": (2,)}, {"y": (1,)}, data, "mse") == [
        "Input 'x' expects (2,), the dataset gives (3,) (3 columns: total_bill, day=Sat, day=Sun)"]


def test_an_image_size_mismatch_says_which_dataset_setting_to_change():
    data = tabular({"img": np.zeros((5, 64, 64, 3), np.float32)}, feature_columns={"img": ["image"]})
    assert preflight({"img": (28, 28, 1)}, {"y": (1,)}, data, "mse") == [
        "Input 'img' expects (28, 28, 1), the dataset gives (64, 64, 3); set the dataset's image size to 28×28 "
        "and its colour mode to grayscale"]


def test_inputs_without_data_and_mapped_names_the_model_lacks():
    data = tabular({"wide": np.zeros((5, 2), np.float32), "dep": np.zeros((5, 3), np.float32)})
    assert preflight({"wide": (2,), "deep": (3,)}, {"y": (1,)}, data, "mse") == [
        "Input 'deep' gets no data: map it to columns (or an array) in the dataset inputs",
        "The dataset inputs map 'dep', which is not an input of the model (its inputs: wide, deep)",
    ]


def test_outputs_without_targets_and_mapped_names_the_model_lacks():
    data = tabular(targets={"price": np.zeros((6, 1), np.float32)})
    assert preflight({"x": (4,)}, {"tip": (1,)}, data, "mse") == [
        "Output 'tip' gets no data: map it to target columns in the dataset outputs",
        "The dataset outputs map 'price', which is not an output of the model (its outputs: tip)",
    ]


def test_output_units_must_match_the_number_of_classes():
    assert preflight({"x": (4,)}, {"y": (10,)}, labels([0, 1, 2]), "sparse_categorical_crossentropy") == [
        "Output 'y' has 10 units for 3 classes (setosa, versicolor, virginica): sparse_categorical_crossentropy "
        "needs 3 units (softmax)"]
    two = labels([0, 1, 1], ["no", "yes"])
    assert preflight({"x": (4,)}, {"y": (1,)}, two, "sparse_categorical_crossentropy") == [
        "Output 'y' has 1 unit for 2 classes (no, yes): sparse_categorical_crossentropy needs 2 units (softmax); "
        "or use binary_crossentropy with 1 sigmoid unit"]


def test_binary_losses_want_two_classes_and_one_unit():
    two = labels([0, 1, 1], ["no", "yes"])
    assert preflight({"x": (4,)}, {"y": (1,)}, two, "binary_crossentropy") == []
    assert preflight({"x": (4,)}, {"y": (2,)}, two, "binary_crossentropy") == [
        "Output 'y' has 2 units; binary_crossentropy with 2 classes needs 1 unit (sigmoid), or use "
        "sparse_categorical_crossentropy with 2 units"]
    assert preflight({"x": (4,)}, {"y": (1,)}, labels([0, 1, 2]), "BinaryCrossentropy") == [
        "binary_crossentropy suits 2 classes, but 'species' has 3 classes (setosa, versicolor, virginica): use "
        "sparse_categorical_crossentropy with 3 units"]


def test_a_classification_loss_on_numbers_and_a_regression_loss_on_classes():
    assert preflight({"x": (4,)}, {"y": (3,)}, labels([0, 1, 2]), "mse") == [
        "mean_squared_error is a regression loss, but 'species' holds class labels (setosa, versicolor, "
        "virginica): use sparse_categorical_crossentropy with 3 units"]
    assert preflight({"x": (4,)}, {"y": (3,)}, labels([0, 1, 2]), "categorical_crossentropy") == [
        "categorical_crossentropy expects one-hot targets, but 'species' holds class labels (setosa, versicolor, "
        "virginica): use sparse_categorical_crossentropy with 3 units"]
    assert preflight({"x": (4,)}, {"y": (1,)}, numbers([1.01, 3.5]), "sparse_categorical_crossentropy") == [
        "sparse_categorical_crossentropy needs class labels, but 'tip' holds numbers such as 1.01: use a regression "
        "loss such as mean_squared_error"]
    assert preflight({"x": (4,)}, {"y": (1,)}, numbers([1.01, 3.5]), "binary_crossentropy") == [
        "binary_crossentropy needs targets between 0 and 1, but 'tip' goes from 1.01 to 3.5: use a regression loss "
        "such as mean_squared_error"]


def test_whole_numbers_read_as_regression_still_suit_a_sparse_loss():
    data = numbers([0, 2, 1], "label")
    assert preflight({"x": (4,)}, {"y": (3,)}, data, "sparse_categorical_crossentropy") == []
    assert preflight({"x": (4,)}, {"y": (2,)}, data, "sparse_categorical_crossentropy") == [
        "Output 'y' has 2 units, but the labels in 'label' go up to 2: sparse_categorical_crossentropy needs 3 "
        "units (one per class)"]


def test_regression_target_width_against_output_units():
    assert preflight({"x": (4,)}, {"y": (3,)}, numbers([1.0, 2.0]), "mae") == [
        "Output 'y' gives (3,), the targets are (1,) (1 column: tip)"]
    two = tabular(targets={"y": np.zeros((6, 2), np.float32)}, target_columns={"y": ["lat", "lon"]})
    assert preflight({"x": (4,)}, {"y": (2,)}, two, "huber") == []


def test_loss_names_are_read_in_any_keras_spelling():
    assert loss_key("SparseCategoricalCrossentropy") == "sparse_categorical_crossentropy"
    assert loss_key("mse") == loss_key("MeanSquaredError") == "mean_squared_error"
    assert loss_key("KLDivergence") == "kl_divergence"
    assert task_for_loss("sparse_categorical_crossentropy") == "classification"
    assert task_for_loss("mse") is None and task_for_loss("binary_crossentropy") is None


def test_unknown_losses_only_get_the_shape_checks():
    assert preflight({"x": (4,)}, {"y": (3,)}, labels([0, 1, 2]), "my_custom_loss") == []


@pytest.mark.parametrize("name", ["tips_regression", "iris_classifier", "digits_cnn"])
def test_the_bundled_training_examples_fit_their_bundled_data(name):
    from helpers import EXAMPLES
    from netbuilder.graph import project_file
    from netbuilder.keras_bridge import build_model

    project = project_file.load(EXAMPLES / f"{name}.nbproj")
    model = build_model(project).model
    training = project.sections["training"]
    data = load_dataset(DatasetSpec.from_section(project.sections["dataset"]), EXAMPLES,
                        input_names=[t.name for t in model.inputs], output_names=list(model.output_names),
                        validation_split=training["validation_split"], seed=training["seed"],
                        task=task_for_loss(training["loss"]))
    inputs = {t.name: tuple(t.shape[1:]) for t in model.inputs}
    outputs = {n: tuple(t.shape[1:]) for n, t in zip(model.output_names, model.outputs)}
    assert preflight(inputs, outputs, data, training["loss"]) == []
