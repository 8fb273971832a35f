"""Each dataset kind loads into the arrays a model is fed: bundled sets, CSV columns and their
mapping onto inputs and outputs, .npz arrays, image folders, splits, previews and tf.data."""

import json
import subprocess
import sys

import numpy as np
import pytest

from netbuilder import resources
from netbuilder.training.datasets import (
    DatasetSpec, Split, bundled_datasets, dataset_kind, load_dataset, preview_dataset,
)
from netbuilder.training.datasets.load import split_rows

TIPS_FEATURES = ["total_bill", "sex=Female", "sex=Male", "smoker=No", "smoker=Yes",
                 "day=Fri", "day=Sat", "day=Sun", "day=Thur", "time=Dinner", "time=Lunch", "size"]


def load(spec, base_dir=None, *, inputs=("x",), outputs=("y",), **kw):
    return load_dataset(spec, base_dir, input_names=list(inputs), output_names=list(outputs), **kw)


def both(data, key="x", targets=False):
    """Training and validation rows of one array, stacked (the split puts them in either)."""
    side = "targets" if targets else "features"
    parts = [getattr(data.train, side)[key]] + ([getattr(data.validation, side)[key]] if data.validation else [])
    return np.concatenate(parts)


def test_the_bundled_sets_are_listed_with_source_licence_and_files():
    sets = {s.name: s for s in bundled_datasets()}
    assert set(sets) == {"tips", "iris", "digits", "digits_npz", "languages", "co2"}
    readme = (resources.DATASETS / "README.md").read_text(encoding="utf-8")
    for found in sets.values():
        assert found.path.exists() and found.source and found.licence and found.title
        assert f"`{found.name}`" in readme
        assert resources.dataset_path(found.name) == found.path
    assert {sets["tips"].task, sets["iris"].task, sets["digits"].task} == {"regression", "classification"}


def test_tips_is_a_regression_set_with_one_hot_text_columns():
    data = load(DatasetSpec("bundled:tips", target=["tip"]), seed=0)
    assert data.task == "regression" and data.class_names is None
    assert data.feature_columns == {"x": TIPS_FEATURES}
    assert data.target_columns == {"y": ["tip"]}
    assert (len(data.train), len(data.validation)) == (196, 48)
    assert data.input_shapes() == {"x": (12,)} and data.target_shapes() == {"y": (1,)}
    assert data.train.features["x"].dtype == np.float32 and data.train.targets["y"].dtype == np.float32
    x, y = both(data), both(data, "y", targets=True)
    # The file's first row: 16.99, 1.01, Female, No, Sun, Dinner, 2.
    row = np.flatnonzero(np.isclose(x[:, 0], 16.99))[0]
    assert dict(zip(TIPS_FEATURES, x[row])) == pytest.approx(
        {"total_bill": 16.99, "sex=Female": 1, "sex=Male": 0, "smoker=No": 1, "smoker=Yes": 0, "day=Fri": 0,
         "day=Sat": 0, "day=Sun": 1, "day=Thur": 0, "time=Dinner": 1, "time=Lunch": 0, "size": 2})
    assert y[row, 0] == pytest.approx(1.01)
    assert x[:, 1:11].sum(axis=1).tolist() == [4.0] * 244  # one category of each text column per row


def test_iris_is_classified_by_species_name():
    data = load(DatasetSpec("bundled:iris", target="species".split()), seed=0)
    assert data.task == "classification"
    assert data.class_names == ["setosa", "versicolor", "virginica"]
    labels = both(data, "y", targets=True)
    assert labels.dtype == np.int32 and labels.shape == (150,)
    assert np.bincount(labels).tolist() == [50, 50, 50]
    assert data.input_shapes() == {"x": (4,)} and data.target_shapes() == {"y": ()}


def test_the_same_seed_gives_the_same_split_and_another_seed_another():
    spec = DatasetSpec("bundled:iris", target=["species"])
    first, again, other = (load(spec, seed=s).validation.features["x"] for s in (7, 7, 8))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_no_validation_split_keeps_every_row_for_training():
    data = load(DatasetSpec("bundled:tips", target=["tip"]), validation_split=0)
    assert data.validation is None and len(data.train) == 244


def test_split_rows_keep_the_file_order_within_each_part():
    rows = Split({"x": np.arange(20.0).reshape(-1, 1)}, {"y": np.arange(20)})
    train, validation = split_rows(rows, 0.25, 3, "t.csv")
    assert len(train) == 15 and len(validation) == 5
    for part in (train, validation):
        order = part.features["x"][:, 0].tolist()
        assert order == sorted(order) and part.targets["y"].tolist() == order
    assert sorted(train.targets["y"].tolist() + validation.targets["y"].tolist()) == list(range(20))


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_whole_number_labels_are_classes_when_asked_and_numbers_otherwise(tmp_path):
    write(tmp_path, "t.csv", "a,label\n1,0\n2,2\n3,1\n4,2\n5,0\n")
    spec = DatasetSpec("t.csv", target=["label"])
    as_classes = load(spec, tmp_path, validation_split=0, task="classification")
    assert as_classes.class_names == ["0", "1", "2"]
    assert as_classes.train.targets["y"].tolist() == [0, 2, 1, 2, 0]
    as_numbers = load(spec, tmp_path, validation_split=0)
    assert as_numbers.task == "regression" and as_numbers.train.targets["y"].tolist() == [[0], [2], [1], [2], [0]]


def test_each_model_input_gets_its_own_columns_and_each_output_its_targets(tmp_path):
    write(tmp_path, "t.csv", "a,b,c,colour,t1,t2\n1,2,3,red,10,x\n4,5,6,blue,20,y\n7,8,9,red,30,x\n")
    spec = DatasetSpec("t.csv", inputs={"wide": ["a", "b"], "deep": ["colour", "c"]},
                       outputs={"price": ["t1"], "kind": ["t2"]})
    data = load(spec, tmp_path, inputs=("wide", "deep"), outputs=("price", "kind"), validation_split=0)
    assert data.feature_columns == {"wide": ["a", "b"], "deep": ["colour=blue", "colour=red", "c"]}
    assert data.train.features["wide"].tolist() == [[1, 2], [4, 5], [7, 8]]
    assert data.train.features["deep"].tolist() == [[0, 1, 3], [1, 0, 6], [0, 1, 9]]
    assert data.train.targets["price"].tolist() == [[10], [20], [30]]
    assert data.train.targets["kind"].tolist() == [0, 1, 0]
    assert data.task == "regression" and data.class_names == ["x", "y"]


def test_without_a_mapping_the_only_input_gets_every_column_but_the_targets(tmp_path):
    write(tmp_path, "t.csv", "a,t,b\n1,5,2\n3,6,4\n")
    data = load(DatasetSpec("t.csv", target=["t"]), tmp_path, inputs=("features",), validation_split=0)
    assert data.feature_columns == {"features": ["a", "b"]}
    assert data.train.model_x().tolist() == [[1, 2], [3, 4]]


def test_a_validation_file_is_encoded_like_the_training_file(tmp_path):
    write(tmp_path, "train.csv", "x,day,y\n1,Sun,1\n2,Sat,2\n3,Sun,3\n")
    write(tmp_path, "val.csv", "day,x,y\nFri,4,4\n")  # another column order and a day only it has
    data = load(DatasetSpec("train.csv", target=["y"], validation_file="val.csv"), tmp_path)
    assert (len(data.train), len(data.validation)) == (3, 1)
    assert data.feature_columns["x"] == ["x", "day=Fri", "day=Sat", "day=Sun"]
    assert data.validation.features["x"].tolist() == [[4, 1, 0, 0]]
    assert data.train.features["x"][0].tolist() == [1, 0, 0, 1]


def test_spreadsheet_habits_are_tolerated(tmp_path):
    # A byte-order mark, Windows line ends, quoted cells, a blank line and an unnamed index column.
    write(tmp_path, "t.csv", '\ufeff,a,"b"\r\n0,"1.5",2\r\n\r\n1,3,"4"\r\n')
    data = load(DatasetSpec("t.csv", target=["b"]), tmp_path, validation_split=0)
    assert data.feature_columns == {"x": ["column 1", "a"]}
    assert data.train.features["x"].tolist() == [[0, 1.5], [1, 3]]


def test_a_clean_numeric_file_and_a_quoted_one_read_the_same(tmp_path):
    rng = np.random.default_rng(0)
    values = rng.normal(size=(50, 3)).round(4)
    write(tmp_path, "plain.csv", "a,b,c\n" + "".join(",".join(map(str, row)) + "\n" for row in values))
    write(tmp_path, "quoted.csv", '"a","b","c"\n' + "".join(",".join(f'"{v}"' for v in row) + "\n" for row in values))
    spec = {"target": ["c"], "categorical": "reject"}
    plain = load(DatasetSpec("plain.csv", **spec), tmp_path, validation_split=0)
    quoted = load(DatasetSpec("quoted.csv", **spec), tmp_path, validation_split=0)
    np.testing.assert_array_equal(plain.train.features["x"], values[:, :2].astype(np.float32))
    np.testing.assert_array_equal(quoted.train.features["x"], plain.train.features["x"])


def test_npz_arrays_are_picked_by_name(tmp_path):
    np.savez(tmp_path / "d.npz", images=np.zeros((6, 4, 4), np.uint8), labels=np.array([3, 1, 3, 2, 1, 3]),
             price=np.arange(6.0))
    by_label = load(DatasetSpec("d.npz", inputs={"img": ["images"]}, target=["labels"]), tmp_path,
                    inputs=("img",), validation_split=0)
    assert by_label.task == "classification" and by_label.class_names == ["1", "2", "3"]
    assert by_label.train.targets["y"].tolist() == [2, 0, 2, 1, 0, 2]
    assert by_label.input_shapes() == {"img": (4, 4)} and by_label.train.features["img"].dtype == np.float32
    by_price = load(DatasetSpec("d.npz", inputs={"img": ["images"]}, target=["price"]), tmp_path,
                    inputs=("img",), validation_split=0)
    assert by_price.task == "regression" and by_price.target_shapes() == {"y": (1,)}


def test_the_bundled_digits_arrays_load_as_an_npz_dataset():
    data = load(DatasetSpec("bundled:digits_npz"), seed=1)
    assert data.input_shapes() == {"x": (8, 8, 1)} and data.class_names == [str(d) for d in range(10)]
    assert len(data.train) + len(data.validation) == 1797
    x = both(data)
    assert 0 <= x.min() and x.max() == 1


def test_dataset_kind_follows_the_spec_then_the_suffix_then_folders(tmp_path):
    (tmp_path / "pics").mkdir()
    assert dataset_kind(DatasetSpec("a.csv"), tmp_path) == "csv"
    assert dataset_kind(DatasetSpec("a.NPZ"), tmp_path) == "npz"
    assert dataset_kind(DatasetSpec("pics"), tmp_path) == "images"
    assert dataset_kind(DatasetSpec("export.dat", kind="csv"), tmp_path) == "csv"
    assert dataset_kind(DatasetSpec("bundled:digits"), None) == "images"


def test_the_csv_preview_shows_the_first_rows_and_each_columns_kind():
    preview = preview_dataset(DatasetSpec("bundled:tips"), None, rows=5)
    assert preview.columns == ["total_bill", "tip", "sex", "smoker", "day", "time", "size"]
    assert preview.rows[0] == ["16.99", "1.01", "Female", "No", "Sun", "Dinner", "2"] and len(preview.rows) == 5
    assert preview.kinds == {"total_bill": "numeric", "tip": "numeric", "sex": "categorical",
                             "smoker": "categorical", "day": "categorical", "time": "categorical", "size": "numeric"}
    assert preview.n_rows == 244 and "244 rows" in preview.note and "sex, smoker, day, time" in preview.note


def test_an_empty_column_shows_as_empty_in_the_preview(tmp_path):
    write(tmp_path, "t.csv", "a,notes\n1,\n2,\n")
    assert preview_dataset(DatasetSpec("t.csv"), tmp_path).kinds == {"a": "numeric", "notes": "empty"}


def test_npz_and_image_previews_list_arrays_and_class_folders():
    arrays = preview_dataset(DatasetSpec("bundled:digits_npz"), None)
    assert arrays.rows == [["x", "(1797, 8, 8, 1)", "float32"], ["y", "(1797,)", "int64"]]
    assert arrays.n_rows == 1797
    folders = preview_dataset(DatasetSpec("bundled:digits", image_size=(8, 8), color_mode="grayscale"), None)
    assert folders.columns == ["class", "images"] and folders.rows[0] == ["0", "80"] and len(folders.rows) == 10
    assert folders.n_rows == 800 and "8×8 grayscale" in folders.note


def test_tabular_loading_and_previews_never_import_tensorflow():
    code = (
        "import sys, json\n"
        "from netbuilder.training.datasets import DatasetSpec, load_dataset, preview_dataset\n"
        "from netbuilder.training.preflight import preflight\n"
        "for name, target in (('tips', ['tip']), ('digits_npz', [])):\n"
        "    spec = DatasetSpec('bundled:' + name, target=target)\n"
        "    data = load_dataset(spec, None, input_names=['x'], output_names=['y'])\n"
        "    preview_dataset(spec, None)\n"
        "    preflight({'x': (12,)}, {'y': (1,)}, data, 'mse')\n"
        "print(json.dumps([m for m in ('tensorflow', 'keras') if m in sys.modules]))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


# ---- image folders and tf.data need TensorFlow ----

def png(path, pixels):
    import tensorflow as tf

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(tf.io.encode_png(np.asarray(pixels, np.uint8)).numpy())


def test_the_bundled_digit_images_are_the_digits_of_the_arrays():
    data = load(DatasetSpec("bundled:digits", image_size=(8, 8), color_mode="grayscale"), inputs=("image",),
                validation_split=0)
    assert data.task == "classification" and data.class_names == [str(d) for d in range(10)]
    images, labels = data.train.features["image"], data.train.targets["y"]
    assert images.shape == (800, 8, 8, 1) and images.dtype == np.float32 and images.max() == 255
    assert np.bincount(labels).tolist() == [80] * 10
    with np.load(resources.DATASETS / "digits.npz") as arrays:
        first_zero = arrays["x"][np.flatnonzero(arrays["y"] == 0)[0]]
    np.testing.assert_array_equal(images[0], np.rint(first_zero * 255))


def test_an_image_folder_and_its_validation_folder(tmp_path):
    for folder, count in (("train", 3), ("val", 1)):
        for label, shade in (("cat", 40), ("dog", 200)):
            for i in range(count):
                png(tmp_path / folder / label / f"{i}.png", np.full((6, 4, 3), shade))
    spec = DatasetSpec("train", validation_file="val", image_size=(5, 5), color_mode="rgb")
    data = load(spec, tmp_path, inputs=("pic",), outputs=("animal",))
    assert data.class_names == ["cat", "dog"]
    assert data.input_shapes() == {"pic": (5, 5, 3)}
    assert data.train.targets["animal"].tolist() == [0, 0, 0, 1, 1, 1]
    assert data.validation.targets["animal"].tolist() == [0, 1]
    assert data.validation.features["pic"][1].mean() == pytest.approx(200)


def test_tf_dataset_batches_and_prefetches_what_fit_needs(tmp_path):
    data = load(DatasetSpec("bundled:tips", target=["tip"]), seed=0)
    train = data.tf_dataset("train", 32, seed=0)
    assert "Prefetch" in type(train).__name__
    shapes = [(tuple(x.shape), tuple(y.shape)) for x, y in train]
    assert shapes[0] == ((32, 12), (32, 1)) and shapes[-1] == ((196 - 6 * 32, 12), (196 - 6 * 32, 1))
    assert len(shapes) == 7
    write(tmp_path, "t.csv", "a,b,c,t\n" + "\n".join(f"{i},{i},{i},{i}" for i in range(10)) + "\n")
    two = load(DatasetSpec("t.csv", inputs={"wide": ["a", "b"], "deep": ["c"]}, target=["t"]), tmp_path,
               inputs=("wide", "deep"), validation_split=0.2, seed=0)
    x, y = next(iter(two.tf_dataset("validation", 4)))
    assert {k: tuple(v.shape) for k, v in x.items()} == {"wide": (2, 2), "deep": (2, 1)} and tuple(y.shape) == (2, 1)


def test_two_class_labels_train_a_one_unit_sigmoid_with_binary_crossentropy(tmp_path):
    import keras

    write(tmp_path, "t.csv", "x,answer\n" + "\n".join(f"{i},{'yes' if i > 4 else 'no'}" for i in range(10)) + "\n")
    data = load(DatasetSpec("t.csv", target=["answer"]), tmp_path, inputs=("x",), outputs=("p",), seed=0)
    assert data.class_names == ["no", "yes"]
    inp = keras.Input((1,), name="x")
    model = keras.Model(inp, keras.layers.Dense(1, activation="sigmoid", name="p")(inp))
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(data.tf_dataset("train", 4), validation_data=data.tf_dataset("validation", 4),
                        epochs=1, shuffle=False, verbose=0)
    assert np.isfinite(history.history["loss"][0]) and "val_accuracy" in history.history
