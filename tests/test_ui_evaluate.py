"""The Evaluate and Predict views show what they were given: points, bars, counts, rows and messages."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from netbuilder.training.datasets.loaded import LoadedData, Split
from netbuilder.training.evaluate import evaluate
from netbuilder.ui.training.evaluate_view import EvaluateView
from netbuilder.ui.training.predict_view import TYPED_TAB, PredictView

CLASSES = ["setosa", "versicolor", "virginica"]


class Fixed:
    """A stand-in model: dataset row i (its first feature is i) gets `answers[i]`; one typed row gets `typed`."""

    output_names = ["out"]

    def __init__(self, answers, typed=None):
        self.answers = np.asarray(answers, dtype=np.float32)
        self.typed = typed

    def predict(self, x, verbose=0):
        if self.typed is not None and len(x) == 1:
            return np.asarray([self.typed], dtype=np.float32)
        return self.answers[np.asarray(x)[:, 0].astype(int)]


class Broken:
    output_names = ["out"]

    def predict(self, x, verbose=0):
        raise ValueError("Input 0 of layer 'dense' is incompatible with the layer")


def regression(n=4):
    x = np.column_stack([np.arange(n), np.ones(n), np.eye(2)[np.arange(n) % 2]]).astype(np.float32)
    split = Split({"x": x}, {"out": np.arange(1, n + 1, dtype=np.float32).reshape(n, 1)})
    return LoadedData(split, split, "regression", feature_columns={"x": ["id", "distance", "day=Sat", "day=Sun"]},
                      target_columns={"out": ["fare"]})


def classification(labels, validation=True):
    n = len(labels)
    x = np.column_stack([np.arange(n), np.full(n, 1.5)]).astype(np.float32)
    split = Split({"x": x}, {"out": np.asarray(labels)})
    return LoadedData(split, split if validation else None, "classification",
                      feature_columns={"x": ["id", "petal_width"]}, target_columns={"out": ["species"]},
                      class_names=CLASSES)


def probabilities(classes):
    p = np.full((len(classes), 3), 0.05)
    p[np.arange(len(classes)), classes] = 0.9
    return p


@pytest.fixture
def evaluate_view(qtbot):
    view = EvaluateView()
    qtbot.addWidget(view)
    view.resize(900, 300)
    view.show()
    return view


@pytest.fixture
def predict_view(qtbot):
    view = PredictView()
    qtbot.addWidget(view)
    view.resize(900, 300)
    view.show()
    return view


def test_regression_shows_every_row_as_a_point_beside_a_residual_histogram(evaluate_view):
    data = regression()
    evaluate_view.show_evaluation(evaluate(Fixed([[1.5], [2.0], [2.0], [6.0]]), data))
    assert evaluate_view.summary.text() == "RMSE 1.15 · MAE 0.88 · 4 validation rows"
    x, y = evaluate_view.scatter.getData()
    assert list(x) == [1, 2, 3, 4] and list(y) == [1.5, 2, 2, 6]
    assert list(evaluate_view.ideal.getData()[0]) == [1.0, 6.0]  # y = x across every value shown
    heights = evaluate_view.histogram.opts["height"]
    assert sum(heights) == 4
    assert evaluate_view.scatter_plot.isVisible() and evaluate_view.histogram_plot.isVisible()
    assert not evaluate_view.note.isVisible()


def test_classification_shows_counts_with_class_names_on_both_axes(evaluate_view):
    report = evaluate(Fixed(probabilities([0, 1, 1, 1, 1, 0])), classification([0, 0, 1, 1, 2, 2]))
    evaluate_view.show_evaluation(report)
    table = evaluate_view.confusion
    assert evaluate_view.summary.text() == "Accuracy 0.50 · 6 validation rows"
    assert [table.horizontalHeaderItem(j).text() for j in range(3)] == CLASSES
    assert [table.verticalHeaderItem(i).text() for i in range(3)] == CLASSES
    assert [[table.item(i, j).text() for j in range(3)] for i in range(3)] == [["1", "1", "0"],
                                                                              ["0", "2", "0"],
                                                                              ["1", "1", "0"]]
    assert "1 of 2 actual virginica predicted as setosa" in table.item(2, 0).toolTip()
    per_class = [[evaluate_view.per_class.item(i, j).text() for j in range(4)] for i in range(3)]
    assert per_class == [["setosa", "0.50", "0.50", "2"], ["versicolor", "0.50", "1.00", "2"],
                         ["virginica", "0.00", "0.00", "2"]]
    assert evaluate_view.confusion.isVisible() and not evaluate_view.scatter_plot.isVisible()


def test_scores_on_training_data_say_so(evaluate_view):
    report = evaluate(Fixed(probabilities([0, 1])), classification([0, 1], validation=False))
    evaluate_view.show_evaluation(report)
    assert evaluate_view.summary.text() == "Accuracy 1.00 · 2 training rows"
    assert evaluate_view.note.isVisible() and "training data" in evaluate_view.note.text()


def test_rows_mode_shows_targets_next_to_predictions_and_marks_the_wrong_ones(predict_view, qtbot):
    data = classification([0, 1, 2, 2, 1])
    predict_view.set_model(Fixed(probabilities([0, 1, 1, 2, 1])), data)
    table = predict_view.table
    headers = [table.horizontalHeaderItem(j).text() for j in range(table.columnCount())]
    assert headers == ["row", "id", "petal_width", "actual", "predicted", "probability"]
    assert table.rowCount() == 5
    assert [table.item(2, j).text() for j in (3, 4, 5)] == ["virginica", "versicolor", "0.90"]
    assert table.item(2, 4).background().color() != table.item(1, 4).background().color()
    assert "4 of 5 right" in predict_view.rows_status.text()

    predict_view.first_row.setValue(3)
    predict_view.count.setValue(10)  # more than are left: the table stops at the last row
    qtbot.mouseClick(predict_view.predict_rows_button, Qt.MouseButton.LeftButton)
    assert [table.item(i, 0).text() for i in range(table.rowCount())] == ["3", "4"]


def test_a_bad_typed_value_is_shown_under_its_field_and_nothing_runs(predict_view):
    model = Fixed(probabilities([0]), typed=[0.1, 0.2, 0.7])
    predict_view.set_model(model, classification([0, 1, 2]))
    predict_view.tabs.setCurrentIndex(TYPED_TAB)
    predict_view.editor("petal_width").setText("abc")
    predict_view.show_typed()
    error = predict_view.error("petal_width")
    assert error.isVisible() and error.text() == "petal_width: 'abc' is not a number"
    assert not predict_view.error("id").isVisible()
    assert "virginica" not in predict_view.result.text()

    predict_view.editor("petal_width").setText("2.4")
    predict_view.show_typed()
    assert not error.isVisible()
    assert predict_view.result.text().startswith("species: virginica (0.70)")


def test_one_hot_columns_are_typed_by_picking_a_category(predict_view):
    model = Fixed([[0.0]] * 4, typed=[12.5])
    predict_view.set_model(model, regression())
    day = predict_view.editor("day")
    assert isinstance(day, QComboBox)
    assert [day.itemText(i) for i in range(day.count())] == ["Sat", "Sun"]
    assert predict_view.editor("distance").text() == "1"  # the form starts from a real row
    predict_view.show_typed()
    assert predict_view.result.text() == "fare: 12.5"


def test_image_inputs_are_predicted_on_rows_only(predict_view):
    images = np.zeros((3, 4, 4, 1), dtype=np.float32)
    images[:, 0, 0, 0] = np.arange(3)
    split = Split({"img": images}, {"out": np.array([0, 1, 2])})
    data = LoadedData(split, split, "classification", class_names=CLASSES)
    predict_view.set_model(Fixed(probabilities([0, 1, 2])), data)
    assert not predict_view.tabs.isTabEnabled(TYPED_TAB)
    assert "predict on rows" in predict_view.tabs.tabToolTip(TYPED_TAB)
    assert predict_view.table.item(0, 1).text() == "4×4×1 values"


def test_a_model_that_fails_is_a_message_not_a_crash(predict_view):
    predict_view.set_model(Broken(), classification([0, 1]))
    assert predict_view.rows_status.text().startswith("Could not predict: Input 0 of layer 'dense'")
    predict_view.show_typed()
    assert predict_view.result.text().startswith("Could not predict")


def test_before_any_run_the_view_says_what_it_is_for(predict_view):
    assert "Train a model" in predict_view.rows_status.text()
    assert not predict_view.predict_rows_button.isEnabled()
    assert not predict_view.tabs.isTabEnabled(TYPED_TAB)
