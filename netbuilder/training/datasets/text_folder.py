"""A folder of text files in class sub-folders, streamed: the layout of Keras' `text_dataset_from_directory`.

`FOLDER/<class>/*.txt`: each file is one document, its folder's name its
class (class indices follow the sorted folder names). The documents are never
held together: one pass with the standard library reads the files one at a
time to refuse, by path, an unreadable, empty or non-UTF-8 one, and training
then reads them with `tf.data` (`tf.io.read_file` over the sorted list of
paths, shuffled as paths), so memory is bounded by the batch, the shuffle
buffer of paths and prefetch whatever the size of the folder. Each document
reaches the model's only Input as one raw string (a `(1,)` string tensor per
document): the model itself turns text into numbers (`TextVectorization`).

Without a validation folder, a file is held out for validation when a hash of
its index in the sorted list and the seed says so (`csv_stream.held_out`, as
for streamed CSV rows), so the same seed gives the same split. The splits
keep their first `SAMPLE_FILES` documents in memory for what looks at rows
(the pre-flight shapes, the evaluation views).
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from netbuilder.training.datasets.csv_stream import _PRIME, held_out
from netbuilder.training.datasets.loaded import LoadedData, Split
from netbuilder.training.datasets.shown import shown
from netbuilder.training.datasets.spec import DatasetError, DatasetSpec

TEXT_SUFFIXES = (".txt",)
SAMPLE_FILES = 256


def holds_text_files(path: Path) -> bool:
    """Whether the class sub-folders of `path` hold text files rather than images: the first file with a
    suffix of either kind decides, so telling costs a look into one class folder, not a read of them all."""
    from netbuilder.training.datasets.image_loader import IMAGE_SUFFIXES

    for folder in _class_names(path):
        for file in text_files(path / folder, TEXT_SUFFIXES + IMAGE_SUFFIXES):
            return file.suffix.lower() in TEXT_SUFFIXES
    return False


def raw_text_problems(input_dtypes: dict[str, str], data: LoadedData) -> list[str]:
    """One sentence per model Input that the data feeds raw text (documents) but that does not take strings."""
    return [f"Input '{name}' takes {dtype} values, but the dataset gives it raw text (one string per document): "
            "set the Input's dtype to string and start the model with a TextVectorization layer"
            for name, dtype in input_dtypes.items()
            if name in data.train.features and data.train.features[name].dtype == object and dtype != "string"]


def text_class_folders(path: Path) -> dict[str, int]:
    """Class name → number of text files, for a folder of text files in class sub-folders."""
    classes = text_classes(path)
    counts = {name: sum(1 for _ in _file_names(path / name, TEXT_SUFFIXES)) for name in classes}
    if not any(counts.values()):
        raise DatasetError(_no_documents(path, classes))
    return counts


def first_lines(path: Path, name: str, files: int) -> list[str]:
    """The first line of each of the first `files` documents of class `name` (for the preview)."""
    lines: list[str] = []
    for file in text_files(path / name, TEXT_SUFFIXES):
        if len(lines) == files:
            break
        lines.append(shown(read_folder_document(file, path).strip().split("\n", 1)[0], 80))
    return lines


def example_documents(path: Path, count: int) -> list[str]:
    """Up to `count` real documents, the first of each class in turn (for example requests and export checks)."""
    firsts = (next(text_files(path / name, TEXT_SUFFIXES), None) for name in _class_names(path))
    return [read_folder_document(file, path).strip() for file in firsts if file is not None][:count]


@dataclass
class TextFiles:
    """The documents of a text folder (and of a validation folder), as sorted paths and class indices."""

    paths: list[list[str]]  # [training folder's files] or [training, validation]
    labels: list[np.ndarray]
    fraction: float  # held out for validation by `held_out`; 0 with a validation folder
    seed: int
    _chosen: dict[str, tuple[list[str], np.ndarray]] = field(default_factory=dict)

    def chosen(self, which: Literal["train", "validation"]) -> tuple[list[str], np.ndarray]:
        """(paths, labels) of one split, in the folder's sorted order."""
        if len(self.paths) == 2:
            part = 1 if which == "validation" else 0
            return self.paths[part], self.labels[part]
        if which not in self._chosen:
            index = np.arange(len(self.paths[0]), dtype=np.int64)
            held = held_out(index, self.seed, self.fraction) if self.fraction else np.zeros(len(index), bool)
            rows = index[held if which == "validation" else ~held]
            self._chosen[which] = [self.paths[0][i] for i in rows], self.labels[0][rows]
        return self._chosen[which]


@dataclass
class TextData(LoadedData):
    """A `LoadedData` whose documents stay in their files: `train`/`validation` hold a sample of each
    split, `n_rows` counts them all, and `tf_dataset` streams them."""

    train_is_head = False  # its `train` is a sample read its own way (see `LoadedData.head`)

    files: TextFiles | None = None

    def n_rows(self, which: Literal["train", "validation"]) -> int:
        assert self.files is not None
        return len(self.files.chosen(which)[0])

    def target_values(self, name: str) -> np.ndarray:
        assert self.files is not None
        return np.concatenate(self.files.labels)

    def tf_dataset(self, which: Literal["train", "validation"], batch_size: int, *,
                   shuffle: bool = True, seed: int | None = None) -> Any:
        assert self.files is not None
        paths, labels = self.files.chosen(which)
        if not paths:
            raise ValueError(f"this dataset has no {which} split")
        import tensorflow as tf

        ds = tf.data.Dataset.from_tensor_slices((tf.constant(paths), tf.constant(labels)))
        if shuffle and which == "train":
            # Paths, not documents, fill the buffer: a whole-list shuffle costs a few bytes per file.
            ds = ds.shuffle(len(paths), seed=seed, reshuffle_each_iteration=True)
        ds = ds.map(lambda path, label: (tf.reshape(tf.io.read_file(path), [1]), label),
                    num_parallel_calls=tf.data.AUTOTUNE)
        return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def load_text_folder(spec: DatasetSpec, path: Path, validation: Path | None, *, input_names: list[str],
                     output_names: list[str], source_name: str, validation_split: float,
                     seed: int | None) -> TextData:
    """The folder (and validation folder) checked file by file, as a stream of (document, class index)."""
    classes = text_classes(path)
    if validation is not None:
        others = text_classes(validation)
        if others != classes:
            raise DatasetError(f"{validation.name}: the validation folder's classes ({', '.join(others)}) differ "
                               f"from {path.name}'s ({', '.join(classes)})")
    model_input = _only_name(list(spec.inputs) or input_names, "inputs", path.name)
    model_output = _only_name(list(spec.outputs) or output_names, "outputs", path.name)
    parts = [_checked_files(folder, classes) for folder in (path, validation) if folder is not None]
    files = TextFiles([p for p, _ in parts], [labels for _, labels in parts],
                      0.0 if validation is not None else validation_split,
                      seed if seed is not None else random.randrange(_PRIME))
    data = TextData(train=Split({}, {}), validation=None, task="classification",
                    feature_columns={model_input: ["text"]}, target_columns={model_output: ["class"]},
                    class_names=classes, source_name=source_name, files=files)
    data.train = _sample(files, "train", model_input, model_output)
    if data.n_rows("validation"):
        data.validation = _sample(files, "validation", model_input, model_output)
    return data


def _documents(paths: list[str], root: Path) -> np.ndarray:
    """The documents at `paths` as a (n, 1) array of str: what the model's string Input takes."""
    return np.array([[read_folder_document(p, root)] for p in paths], dtype=object).reshape(len(paths), 1)


def _class_names(path: Path) -> list[str]:
    return sorted(entry.name for entry in os.scandir(path) if entry.is_dir() and not entry.name.startswith("."))


def text_classes(path: Path) -> list[str]:
    """The class folders of a text folder; DatasetError when it is missing, a file or has none."""
    if not path.exists():
        raise DatasetError(f"{path}: no such folder")
    if not path.is_dir():
        raise DatasetError(f"{path}: is a file; expected a folder of text files in class sub-folders")
    classes = _class_names(path)
    if not classes:
        raise DatasetError(f"{path.name}: has no class sub-folders; put each class's .txt files in a folder named "
                           f"after the class ({path.name}/positive/…, {path.name}/negative/…)")
    return classes


def _no_documents(path: Path, classes: list[str]) -> str:
    return f"{path.name}: its class folders ({', '.join(shown(c) for c in classes)}) hold no text files (.txt)"


def text_files(folder: Path, suffixes: tuple[str, ...]) -> Iterator[Path]:
    """The files `text_dataset_from_directory` would read under `folder`, sorted, sub-folders included."""
    return map(Path, _file_names(folder, suffixes))


def _file_names(folder: Path, suffixes: tuple[str, ...]) -> Iterator[str]:
    # Plain strings: a folder of 100,000 documents is listed without building a Path for each.
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        yield from (os.path.join(root, name) for name in sorted(files) if name.lower().endswith(suffixes))


def _checked_files(folder: Path, classes: list[str]) -> tuple[list[str], np.ndarray]:
    """Every document's path and class index; a file that cannot be a document is refused by path."""
    paths: list[str] = []
    labels: list[int] = []
    for index, name in enumerate(classes):
        for file in _file_names(folder / name, TEXT_SUFFIXES):
            if not read_folder_document(file, folder).strip():
                raise DatasetError(f"{_where(folder, Path(file))}: the text file is empty; write the document into "
                                   "it or delete it")
            paths.append(file)
            labels.append(index)
    if not paths:
        raise DatasetError(_no_documents(folder, classes))
    return paths, np.array(labels, dtype=np.int32)


def read_folder_document(file: Path | str, folder: Path) -> str:
    """One document, whole; DatasetError names it (under `folder`'s name) and the line that is no UTF-8."""
    try:
        with open(file, "rb") as fh:
            return fh.read().decode("utf-8")
    except OSError as exc:
        raise DatasetError(f"{_where(folder, Path(file))}: cannot be read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        line = exc.object.count(b"\n", 0, exc.start) + 1
        raise DatasetError(f"{_where(folder, Path(file))}: line {line} is not UTF-8 text (byte "
                           f"0x{exc.object[exc.start]:02x}); save the file as UTF-8") from None


def _where(folder: Path, file: Path) -> str:
    """The file as the user finds it: the dataset folder's name, the class folder, the file."""
    return shown(str(file.relative_to(folder.parent) if file.is_relative_to(folder.parent) else file), 200)


def _only_name(names: list[str], role: str, folder: str) -> str:
    if len(names) != 1:
        raise DatasetError(f"{folder}: a folder of text files feeds a model with one input and one output; "
                           f"this one has {len(names)} {role} ({', '.join(names) or 'none'})")
    return names[0]


def _sample(files: TextFiles, which: Literal["train", "validation"], model_input: str, model_output: str) -> Split:
    """The split's first documents, as arrays, for what looks at rows rather than training on them."""
    paths, labels = files.chosen(which)
    root = Path(paths[0]).parent.parent if paths else Path()
    return Split({model_input: _documents(paths[:SAMPLE_FILES], root)},
                 {model_output: labels[:SAMPLE_FILES].copy()})
