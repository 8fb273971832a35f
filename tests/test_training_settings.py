"""Training settings as the project file holds them, and the Keras objects their names stand for."""

import json

import pytest

from netbuilder.training import keras_objects
from netbuilder.training.settings import EarlyStopping, ReduceLR, SettingsError, TrainingSettings


def test_defaults_round_trip_through_the_project_file():
    section = TrainingSettings().to_section()
    assert section == {"optimizer": "adam", "learning_rate": 0.001, "loss": "mean_squared_error",
                       "metrics": ["rmse"], "epochs": 10, "batch_size": 32, "validation_split": 0.2, "seed": 42}
    assert TrainingSettings.from_section(json.loads(json.dumps(section))) == TrainingSettings()


def test_every_field_round_trips():
    settings = TrainingSettings(
        optimizer="sgd", learning_rate=0.05, loss="huber", metrics=["rmse", "mae"], epochs=3, batch_size=7,
        validation_split=0.0, steps_per_epoch=11, early_stopping=EarlyStopping(patience=2),
        reduce_lr=ReduceLR(factor=0.2, min_lr=1e-5), tensorboard_dir="logs", seed=None, shuffle=False,
    )
    assert TrainingSettings.from_section(json.loads(json.dumps(settings.to_section()))) == settings


def test_a_missing_section_means_the_defaults_and_true_switches_a_part_on():
    assert TrainingSettings.from_section(None) == TrainingSettings()
    assert TrainingSettings.from_section({"early_stopping": True}).early_stopping == EarlyStopping()
    assert TrainingSettings.from_section({"reduce_lr": False}).reduce_lr is None


def test_every_bad_field_is_named_at_once():
    with pytest.raises(SettingsError) as caught:
        TrainingSettings.from_section({
            "epochs": 0, "batch_size": "big", "learning_rate": -1, "metrics": [1], "validation_split": 1.5,
            "early_stopping": {"patience": "x"}, "shuffle": "yes", "colour": "red",
        })
    assert caught.value.problems == [
        "training.metrics: expected a list of names, got [1]",
        "training.batch_size: expected a whole number, got 'big'",
        "training.early_stopping.patience: expected a whole number, got 'x'",
        "training.shuffle: expected true or false, got 'yes'",
        "training.colour: unknown setting; known ones are batch_size, early_stopping, epochs, evaluations, "
        "learning_rate, loss, metrics, optimizer, reduce_lr, seed, shuffle, steps_per_epoch, strategy, "
        "tensorboard_dir, train_examples, validation_split",
        "training.learning_rate must be more than 0, got -1",
        "training.epochs must be at least 1, got 0",
        "training.validation_split must be from 0 up to (not including) 1, got 1.5",
    ]


def test_a_section_that_is_not_an_object_is_refused():
    with pytest.raises(SettingsError, match="training: expected an object"):
        TrainingSettings.from_section(["adam"])


def test_problems_of_settings_made_in_code():
    settings = TrainingSettings(epochs=0, reduce_lr=ReduceLR(factor=2.0), steps_per_epoch=0)
    assert settings.problems() == [
        "epochs must be at least 1, got 0",
        "steps_per_epoch must be at least 1, got 0",
        "reduce_lr.factor must be between 0 and 1, got 2",
    ]


# -- names → Keras objects --------------------------------------------------------------------


def test_every_optimizer_builds_with_its_learning_rate():
    names = keras_objects.optimizer_names()
    assert {"adam", "sgd", "rmsprop", "adamw", "nadam"} <= set(names)
    for name in names:
        optimizer = keras_objects.make_optimizer(name, 0.01)
        assert float(optimizer.learning_rate) == pytest.approx(0.01), name
    assert type(keras_objects.make_optimizer("RMSprop", 0.1)).__name__ == "RMSprop"


def test_every_loss_resolves_and_short_aliases_work():
    names = keras_objects.loss_names()
    assert {"mean_squared_error", "sparse_categorical_crossentropy", "huber"} <= set(names)
    for name in names:
        assert callable(keras_objects.make_loss(name)), name
    assert keras_objects.make_loss("mse") is keras_objects.make_loss("mean_squared_error")


def test_every_metric_name_resolves_and_rmse_is_named_rmse():
    names = keras_objects.metric_names()
    assert names[0] == "rmse"
    assert {"accuracy", "mean_absolute_error", "auc", "r2_score", "sparse_categorical_accuracy"} <= set(names)
    assert len(keras_objects.make_metrics(names)) == len(names)
    [rmse] = keras_objects.make_metrics(["rmse"])
    assert (type(rmse).__name__, rmse.name) == ("RootMeanSquaredError", "rmse")


def test_unknown_names_list_the_choices():
    problems = keras_objects.check_names("adm", "msee", ["rmse", "acuracy"])
    assert problems[0].startswith("optimizer: 'adm' is not a Keras optimizer; choose one of adadelta, ")
    assert problems[1].startswith("loss: 'msee' is not a Keras loss; choose one of binary_crossentropy, ")
    assert problems[2].startswith("metric: 'acuracy' is not a Keras metric; choose one of rmse, accuracy, ")
    assert keras_objects.check_names("adam", "mse", ["rmse", "mae", "accuracy"]) == []
