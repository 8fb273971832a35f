"""Evaluation and prediction: the scores and tables a user reads after a run, checked by hand."""

import numpy as np
import pytest

from netbuilder.training.datasets.loaded import LoadedData, Split
from netbuilder.training.evaluate import ClassificationReport, RegressionReport, evaluate
from netbuilder.training.prediction_table import describe_prediction, predict_rows
from netbuilder.training.typed_values import TypedField, TypedValuesError, parse_typed_values, typed_fields


class Fixed:
    """A stand-in model whose predictions are given: output i of `predict` is `answers[i]` row by row."""

    def __init__(self, *answers, names=("out",)):
        self.answers = [np.asarray(a, dtype=np.float32) for a in answers]
        self.output_names = list(names)
        self.seen = None

    def predict(self, x, verbose=0):
        self.seen = x
        first = next(iter(x.values())) if isinstance(x, dict) else x
        # Rows are identified by their first feature, which the tests set to the row number.
        idx = np.asarray(first).reshape(len(first), -1)[:, 0].astype(int)
        picked = [a[idx] for a in self.answers]
        return picked[0] if len(picked) == 1 else picked


def regression_data(y_true, validation=True):
    n = len(y_true)
    split = Split({"x": np.arange(n, dtype=np.float32).reshape(n, 1)},
                  {"out": np.asarray(y_true, dtype=np.float32).reshape(n, 1)})
    return LoadedData(split, split if validation else None, "regression",
                      feature_columns={"x": ["row_id"]}, target_columns={"out": ["fare"]})


def iris_like(labels, columns=("row_id", "petal_width")):
    n = len(labels)
    x = np.column_stack([np.arange(n), np.linspace(0.1, 2.5, n)]).astype(np.float32)
    split = Split({"x": x}, {"out": np.asarray(labels, dtype=np.int64)})
    return LoadedData(split, split, "classification", feature_columns={"x": list(columns)},
                      target_columns={"out": ["species"]}, class_names=["setosa", "versicolor", "virginica"])


def one_hot_rows(classes, k=3, sure=0.8):
    rows = np.full((len(classes), k), (1 - sure) / (k - 1))
    rows[np.arange(len(classes)), classes] = sure
    return rows


def test_regression_scores_match_the_hand_computed_ones():
    data = regression_data([1.0, 2.0, 3.0, 4.0])
    report = evaluate(Fixed([[1.5], [2.0], [2.0], [6.0]]), data)
    assert isinstance(report, RegressionReport)
    # residuals 0.5, 0, -1, 2 -> squares 0.25, 0, 1, 4
    assert report.residuals.tolist() == [0.5, 0.0, -1.0, 2.0]
    assert report.rmse == pytest.approx(np.sqrt(5.25 / 4))
    assert report.mae == pytest.approx(3.5 / 4)
    assert report.y_true.tolist() == [1, 2, 3, 4] and report.y_pred.tolist() == [1.5, 2, 2, 6]
    assert (report.split, report.rows, report.note) == ("validation", 4, "")


def test_without_a_validation_split_the_report_says_it_scored_the_training_data():
    report = evaluate(Fixed([[1.0], [2.0]]), regression_data([1.0, 2.0], validation=False))
    assert report.split == "train"
    assert "training data" in report.note


def test_confusion_matrix_rows_are_true_classes_and_a_class_never_predicted_has_precision_zero():
    truth = [0, 0, 1, 1, 2, 2]
    guess = [0, 1, 1, 1, 1, 0]  # virginica is never predicted
    with np.errstate(all="raise"):  # no division warning for the empty column
        report = evaluate(Fixed(one_hot_rows(guess)), iris_like(truth))
    assert isinstance(report, ClassificationReport)
    assert report.class_names == ["setosa", "versicolor", "virginica"]
    assert report.confusion.tolist() == [[1, 1, 0], [0, 2, 0], [1, 1, 0]]
    assert report.precision == pytest.approx([1 / 2, 2 / 4, 0.0])
    assert report.recall == pytest.approx([1 / 2, 2 / 2, 0 / 2])
    assert report.support == [2, 2, 2]
    assert report.accuracy == pytest.approx(3 / 6)


def test_one_sigmoid_unit_is_class_one_above_one_half():
    split = Split({"x": np.arange(4, dtype=np.float32).reshape(4, 1)},
                  {"out": np.array([[0.0], [1.0], [1.0], [0.0]], dtype=np.float32)})
    data = LoadedData(split, split, "classification", class_names=["no", "yes"])
    report = evaluate(Fixed([[0.2], [0.9], [0.4], [0.6]]), data)
    assert report.confusion.tolist() == [[1, 1], [1, 1]]
    assert report.accuracy == 0.5


def test_logits_are_read_as_the_classes_they_favour():
    data = iris_like([2, 0])
    report = evaluate(Fixed([[-1.0, 0.5, 3.0], [4.0, -2.0, 0.0]]), data)
    assert report.accuracy == 1.0


def test_predict_rows_puts_features_targets_and_predictions_side_by_side():
    data = iris_like([0, 1, 2, 2])
    table = predict_rows(Fixed(one_hot_rows([0, 1, 1, 2], sure=0.9)), data, "validation", [1, 2])
    assert table.columns == ["row", "row_id", "petal_width", "actual", "predicted", "probability"]
    assert table.rows == [["1", "1", "0.9", "versicolor", "versicolor", "0.90"],
                          ["2", "2", "1.7", "virginica", "versicolor", "0.90"]]
    assert table.correct == [True, False]


def test_predict_rows_for_regression_names_the_target_columns():
    data = regression_data([10.0, 20.0, 30.0])
    table = predict_rows(Fixed([[11.0], [19.5], [30.0]]), data, "train", [0, 2])
    assert table.columns == ["row", "row_id", "fare", "predicted fare"]
    assert table.rows == [["0", "0", "10", "11"], ["2", "2", "30", "30"]]


def test_predict_rows_shows_an_image_input_by_its_shape():
    images = np.zeros((3, 8, 8, 1), dtype=np.float32)
    images[:, 0, 0, 0] = np.arange(3)
    split = Split({"img": images}, {"out": np.array([0, 1, 1])})
    data = LoadedData(split, split, "classification", class_names=["cat", "dog"])
    table = predict_rows(Fixed(one_hot_rows([1, 1, 0], k=2)), data, "validation", [0])
    assert table.columns == ["row", "img", "actual", "predicted", "probability"]
    assert table.rows[0][1] == "8×8×1 values"


def test_asking_for_a_row_past_the_end_says_how_many_there_are():
    with pytest.raises(ValueError, match="row 5 is out of range: the validation split has rows 0 to 3"):
        predict_rows(Fixed(one_hot_rows([0, 0, 0, 0])), iris_like([0, 0, 0, 0]), "validation", [5])


def test_one_hot_columns_become_one_category_field():
    split = Split({"x": np.zeros((2, 4), dtype=np.float32)}, {"out": np.zeros((2, 1), dtype=np.float32)})
    data = LoadedData(split, None, "regression",
                      feature_columns={"x": ["distance", "day=Sun", "day=Mon", "hour"]})
    assert typed_fields(data, "x") == [TypedField("distance"), TypedField("day", ["Sun", "Mon"]),
                                       TypedField("hour")]
    row = parse_typed_values({"distance": " 2.5", "day": "Mon", "hour": "17"}, data, "x")
    assert row.dtype == np.float32 and row.tolist() == [[2.5, 0.0, 1.0, 17.0]]


def test_bad_typed_values_are_named_field_by_field():
    data = iris_like([0, 1], columns=("sepal_length", "petal_width"))
    with pytest.raises(TypedValuesError) as caught:
        parse_typed_values({"sepal_length": "", "petal_width": "abc"}, data, "x")
    assert caught.value.problems == {"sepal_length": "sepal_length: enter a number",
                                     "petal_width": "petal_width: 'abc' is not a number"}
    assert "petal_width: 'abc' is not a number" in str(caught.value)


def test_typed_values_refuse_nan_and_unknown_categories():
    split = Split({"x": np.zeros((1, 3), dtype=np.float32)}, {"out": np.zeros((1, 1), dtype=np.float32)})
    data = LoadedData(split, None, "regression", feature_columns={"x": ["v", "day=Sun", "day=Mon"]})
    with pytest.raises(TypedValuesError) as caught:
        parse_typed_values({"v": "nan", "day": "Fri"}, data, "x")
    assert caught.value.problems == {"v": "v: 'nan' is not a number", "day": "day: 'Fri' is not one of Sun, Mon"}


def test_an_image_input_cannot_be_typed():
    split = Split({"img": np.zeros((2, 4, 4, 1), dtype=np.float32)}, {"out": np.array([0, 1])})
    data = LoadedData(split, None, "classification", class_names=["a", "b"])
    with pytest.raises(ValueError, match="Input 'img' takes 4×4×1 values per row; predict on rows"):
        typed_fields(data, "img")


def test_describe_prediction_ranks_the_likeliest_classes():
    data = iris_like([0])
    model = Fixed([[0.1, 0.3, 0.6]])
    text = describe_prediction(model, data, np.array([[0.0, 1.0]], dtype=np.float32))
    assert text.splitlines() == ["species: virginica (0.60)", "  next: versicolor (0.30), setosa (0.10)"]


def test_a_real_keras_model_is_evaluated_on_its_first_output():
    import keras

    inp = keras.Input((1,), name="x")
    first = keras.layers.Dense(1, name="fare")(inp)
    second = keras.layers.Dense(1, name="tip")(inp)
    model = keras.Model(inp, [first, second])
    model.get_layer("fare").set_weights([np.array([[2.0]]), np.array([1.0])])  # fare = 2x + 1
    x = np.array([[0.0], [1.0], [2.0]], dtype=np.float32)
    split = Split({"x": x}, {"fare": np.array([[1.0], [3.0], [4.0]], dtype=np.float32),
                             "tip": np.zeros((3, 1), dtype=np.float32)})
    data = LoadedData(split, split, "regression", target_columns={"fare": ["fare"], "tip": ["tip"]})
    report = evaluate(model, data)
    assert report.output == "fare"
    assert report.y_pred.tolist() == pytest.approx([1.0, 3.0, 5.0])
    assert report.rmse == pytest.approx(np.sqrt(1 / 3))
    typed = describe_prediction(model, data, np.array([[10.0]], dtype=np.float32))
    assert typed.splitlines()[0] == "fare: 21"
