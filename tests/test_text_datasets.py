"""A folder of text files in class sub-folders is a dataset: told from an image folder, split by file and seed,
previewed, refused by file when a document cannot be read, streamed under a memory limit, and the bundled
text example trains on it well beyond chance."""

import csv
import json
import shutil

import numpy as np
import pytest

from helpers import EXAMPLES
from memory_limit import peak_bytes, train_limited
from netbuilder.cli import main
from netbuilder.resources import dataset_path
from netbuilder.training.datasets import DatasetError, DatasetSpec, dataset_kind, load_dataset, preview_dataset
from netbuilder.training.datasets.text_folder import TextData


def _folder(root, docs):
    """`docs`: {class: [document text or bytes, …]} written as root/class/NNNN.txt."""
    for name, texts in docs.items():
        (root / name).mkdir(parents=True, exist_ok=True)
        for i, text in enumerate(texts):
            path = root / name / f"{i:04d}.txt"
            path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return root


def _load(path, split=0.25, seed=3, **spec):
    return load_dataset(DatasetSpec(source=str(path), **spec), None, input_names=["text"], output_names=["label"],
                        validation_split=split, seed=seed)


def test_a_folder_of_text_files_is_a_text_dataset_and_a_folder_of_images_is_not(tmp_path):
    texts = _folder(tmp_path / "reviews", {"bad": ["awful"], "good": ["great"]})
    assert dataset_kind(DatasetSpec(source=str(texts)), None) == "text"
    assert dataset_kind(DatasetSpec(source="bundled:digits"), None) == "images"
    assert dataset_kind(DatasetSpec(source="bundled:languages"), None) == "text"
    assert DatasetSpec.from_section({"source": "x", "kind": "text"}).kind == "text"


def test_documents_arrive_as_raw_strings_with_class_indices_split_by_file_and_seed(tmp_path):
    docs = {"neg": [f"bad film number {i}" for i in range(40)], "pos": [f"good film number {i}" for i in range(40)]}
    folder = _folder(tmp_path / "reviews", docs)
    data = _load(folder)
    assert isinstance(data, TextData) and data.class_names == ["neg", "pos"] and data.task == "classification"
    assert data.n_rows("train") + data.n_rows("validation") == 80 and 5 < data.n_rows("validation") < 35
    assert data.input_shapes() == {"text": (1,)} and data.target_shapes() == {"label": ()}

    def streamed(which, seed):
        return [(x[0].decode(), int(y)) for xs, ys in _load(folder, seed=seed).tf_dataset(which, 16, shuffle=False)
                for x, y in zip(xs.numpy(), ys.numpy())]

    train, validation = streamed("train", 3), streamed("validation", 3)
    every = sorted((text, label) for label, name in enumerate(docs) for text in docs[name])
    assert sorted(train + validation) == every  # each document once, with its folder's class
    assert streamed("validation", 3) == validation and streamed("validation", 4) != validation
    # The in-memory sample (pre-flight, evaluation views) is the split's documents as the stream gives them.
    assert [(x[0], int(y)) for x, y in zip(data.train.features["text"], data.train.targets["label"])] == train


def test_a_validation_folder_with_the_same_classes_is_the_validation_split(tmp_path):
    train = _folder(tmp_path / "train", {"a": ["one two", "three"], "b": ["four", "five six"]})
    held = _folder(tmp_path / "held", {"a": ["seven"], "b": ["eight"]})
    data = _load(train, validation_file=str(held))
    assert (data.n_rows("train"), data.n_rows("validation")) == (4, 2)
    other = _folder(tmp_path / "other", {"a": ["x"], "c": ["y"]})
    with pytest.raises(DatasetError, match=r"other: the validation folder's classes \(a, c\) differ from train's"):
        _load(train, validation_file=str(other))


@pytest.mark.parametrize("content, message", [
    (b"caf\xe9 au lait\n", r"reviews/good/0001.txt: line 1 is not UTF-8 text \(byte 0xe9\); save the file as UTF-8"),
    (b"", r"reviews/good/0001.txt: the text file is empty"),
    (b"  \n\n", r"reviews/good/0001.txt: the text file is empty"),
])
def test_a_document_that_cannot_be_read_is_named_by_its_path(tmp_path, content, message):
    folder = _folder(tmp_path / "reviews", {"bad": ["awful"], "good": ["great", content]})
    with pytest.raises(DatasetError, match=message):
        _load(folder)


def test_a_folder_without_classes_or_documents_says_so(tmp_path):
    (tmp_path / "flat").mkdir()
    (tmp_path / "flat" / "0001.txt").write_text("a document outside any class folder", encoding="utf-8")
    with pytest.raises(DatasetError, match="flat: has no class sub-folders"):
        _load(tmp_path / "flat", kind="text")
    empty = tmp_path / "empty"
    (empty / "a").mkdir(parents=True)
    (empty / "a" / "notes.md").write_text("not a .txt file", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"empty: its class folders \(a\) hold no text files \(.txt\)"):
        _load(empty, kind="text")


def test_the_preview_lists_classes_with_file_counts_and_first_lines():
    preview = preview_dataset(DatasetSpec(source="bundled:languages"), None)
    assert preview.columns == ["class", "files", "first lines"] and preview.n_rows == 1200
    assert [row[:2] for row in preview.rows] == [[name, "240"] for name in
                                                  ("dutch", "english", "italian", "portuguese", "spanish")]
    first = (dataset_path("languages") / "dutch" / "0000.txt").read_text(encoding="utf-8").strip()
    assert preview.rows[0][2].startswith(first)
    assert "1,200 text files in 5 classes" in preview.note


def test_the_bundled_text_example_trains_well_beyond_chance(tmp_path):
    """Five languages: chance is 20 %; a few seconds of training on raw strings reach far more."""
    project = tmp_path / "language_id.nbproj"
    shutil.copy(EXAMPLES / "language_id.nbproj", project)  # its adapted vocabulary is cached beside it
    assert main(["train", str(project), "--epochs", "4", "--out", str(tmp_path / "run")]) == 0
    with (tmp_path / "run" / "history.csv").open(newline="", encoding="utf-8") as fh:
        last = list(csv.DictReader(fh))[-1]
    assert float(last["val_accuracy"]) > 0.7
    assert (tmp_path / "language_id.adapted.json").exists()


def test_a_model_whose_input_takes_numbers_is_told_to_take_strings(tmp_path, capsys):
    folder = _folder(tmp_path / "reviews", {"bad": ["awful film", "dull"], "good": ["great film", "fun"]})
    project = tmp_path / "p.nbproj"
    project.write_text(json.dumps({
        "format": "netbuilder", "version": 1, "name": "numbers",
        "graph": {"nodes": [{"id": "text", "layer": "Input", "config": {"shape": [1]}},
                            {"id": "label", "layer": "Dense", "config": {"units": 2, "activation": "softmax"}}],
                  "edges": [{"source": "text", "target": "label"}]},
        "training": {"loss": "sparse_categorical_crossentropy", "validation_split": 0},
    }))
    assert main(["train", str(project), "--data", str(folder), "--out", str(tmp_path / "run")]) != 0
    said = "".join(capsys.readouterr())
    assert ("Input 'text' takes float32 values, but the dataset gives it raw text (one string per document): set "
            "the Input's dtype to string and start the model with a TextVectorization layer") in said


def test_the_data_tab_shows_a_text_folder_s_classes_with_counts_and_first_lines(editor, tmp_path):
    project = tmp_path / "language_id.nbproj"
    shutil.copy(EXAMPLES / "language_id.nbproj", project)
    editor.files.open_path(project)
    form = editor.training.data_form
    table = form.preview_table
    assert [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())] == ["class", "files",
                                                                                           "first lines"]
    assert [table.item(r, 0).text() for r in range(table.rowCount())] == ["dutch", "english", "italian",
                                                                           "portuguese", "spanish"]
    assert table.item(1, 1).text() == "240" and table.item(1, 2).text()
    assert "1,200 text files in 5 classes" in form.note.text()
    assert not form.mapping.isVisible()  # classes come from the folders: nothing to map


MARGIN = 64 << 20  # address space allowed beyond a run on a small folder: far less than the big folder's text


@pytest.mark.slow
def test_a_text_folder_bigger_than_memory_allows_trains_streamed(tmp_path):
    words = np.array("the a of film good bad great awful plot actor scene story".split())
    rng = np.random.default_rng(0)

    def write(root, files, words_per_file):
        for i in range(files):
            label = "pos" if i % 2 else "neg"
            (root / label).mkdir(parents=True, exist_ok=True)
            (root / label / f"{i:05d}.txt").write_text(" ".join(rng.choice(words, words_per_file)), encoding="utf-8")

    small, big = tmp_path / "small", tmp_path / "big"
    write(small, 40, 4_000)
    write(big, 6_000, 4_000)  # the same kind of documents, 150 times as many: ~140 MB of text
    project = tmp_path / "p.nbproj"
    project.write_text(json.dumps({
        "format": "netbuilder", "version": 1, "name": "big_text",
        "graph": {"nodes": [{"id": "text", "layer": "Input", "config": {"shape": [1], "dtype": "string"}},
                            {"id": "words", "layer": "TextVectorization",
                             "config": {"vocabulary": words.tolist(), "output_sequence_length": 16}},
                            {"id": "embed", "layer": "Embedding", "config": {"input_dim": 16, "output_dim": 4}},
                            {"id": "pool", "layer": "GlobalAveragePooling1D", "config": {}},
                            {"id": "label", "layer": "Dense", "config": {"units": 2, "activation": "softmax"}}],
                  "edges": [{"source": "text", "target": "words"}, {"source": "words", "target": "embed"},
                            {"source": "embed", "target": "pool"}, {"source": "pool", "target": "label"}]},
        "training": {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]},
    }))

    def train(folder, limit, run):
        args = ["train", str(project), "--data", str(folder), "--batch-size", "8", "--train-examples", "64",
                "--evaluations", "1", "--validation-split", "0", "--out", str(tmp_path / run)]
        return train_limited(args, limit)

    free = train(small, 0, "small")
    assert free.returncode == 0, free.stderr[-2000:]
    limit = peak_bytes(free) + MARGIN
    streamed = train(big, limit, "big")
    assert streamed.returncode == 0, streamed.stderr[-2000:]
    assert (tmp_path / "big" / "model.keras").exists()
