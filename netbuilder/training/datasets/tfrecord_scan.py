"""A quick look at a TFRecord dataset: its files, how many records each holds, and what a record holds.

Training streams the records with `tf.data`; before that, the loader and the
Data tab's preview need the feature names, kinds and lengths, the number of
records (for the epoch's length and the validation split) and a few first
values. All of it comes from the record headers (seeking past the data) and
the first `LOOK_RECORDS` records, decoded in plain Python by
`tfrecord_format`, so a damaged file is refused here, with a sentence naming
it, before TensorFlow reads a byte of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from netbuilder.training.datasets.image_loader import IMAGE_SIGNATURES
from netbuilder.training.datasets.shown import shown, shown_names
from netbuilder.training.datasets.spec import DatasetError
from netbuilder.training.datasets.tfrecord_format import (
    Feature,
    FeatureKind,
    RecordError,
    count_records,
    parse_example,
    read_records,
)

SUFFIXES = (".tfrecord", ".tfrecords")
MIN_IMAGE_BYTES = 26  # no image file is shorter; a short text that starts with "BM" is no bitmap
LOOK_RECORDS = 16


@dataclass(frozen=True)
class FeatureInfo:
    """A feature as every record holds it: its kind and how many values each record has; `image` when
    it holds one encoded image (PNG, JPEG, GIF or BMP) a record."""

    name: str
    kind: FeatureKind
    length: int
    image: bool = False

    @property
    def dtype(self) -> str:
        return "encoded image" if self.image else {"int64": "int64", "float": "float32", "bytes": "bytes"}[self.kind]


@dataclass(frozen=True)
class TfRecordScan:
    """The files of a TFRecord dataset (`name`: the file or folder for messages), their record counts,
    the features of their records and the first records themselves, decoded."""

    name: str
    files: list[Path]
    counts: list[int]
    features: dict[str, FeatureInfo]
    first: list[dict[str, Feature]]

    @property
    def records(self) -> int:
        return sum(self.counts)


def tfrecord_files(path: Path) -> list[Path]:
    """The file itself, or the TFRecord files of a folder in name order."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)
        if not files:
            raise DatasetError(f"{path.name}: the folder holds no .tfrecord or .tfrecords files")
        return files
    if not path.is_file():
        raise DatasetError(f"{path}: no such file or folder")
    return [path]


def is_tfrecord_folder(path: Path) -> bool:
    try:
        return path.is_dir() and any(p.suffix.lower() in SUFFIXES for p in path.iterdir())
    except OSError:
        return False


def scan_tfrecord(path: Path) -> TfRecordScan:
    """Count every file's records and describe the features from the first records.

    Raises:
        DatasetError: a file is no TFRecord file or is damaged, a record is no `tf.train.Example`,
            or the first records disagree on a feature's kind or number of values.
    """
    files = tfrecord_files(path)
    counts = []
    for file in files:
        try:
            counts.append(count_records(file))
        except RecordError as exc:
            raise DatasetError(f"{file.name}: {exc}") from None
        except OSError as exc:
            raise DatasetError(f"{file.name}: cannot be read ({exc.strerror or exc})") from None
    if not sum(counts):
        raise DatasetError(f"{path.name}: holds no records; there is nothing to train on")
    first = []
    for _, _, example in examples(files, check_data=LOOK_RECORDS):
        first.append(example)
        if len(first) == LOOK_RECORDS:
            break
    features = {name: FeatureInfo(name, f.kind, len(f), _holds_images(name, first))
                for name, f in sorted(first[0].items())}
    for index, example in enumerate(first):
        check_record(files[0].name if len(files) == 1 else path.name, index, example, features)
    return TfRecordScan(path.name, files, counts, features, first)


def _holds_images(name: str, first: list[dict[str, Feature]]) -> bool:
    """Whether the first records hold one value of `name` each, and it starts as an image file does."""
    values = [record[name].values for record in first if name in record]
    return all(record[name].kind == "bytes" for record in first if name in record) and all(
        len(v) == 1 and isinstance(v[0], bytes) and len(v[0]) >= MIN_IMAGE_BYTES and v[0].startswith(IMAGE_SIGNATURES)
        for v in values)


def examples(files: list[Path], *, check_data: int = 0) -> Iterator[tuple[int, Path, dict[str, Feature]]]:
    """(index in the dataset, file, features) of every record, in file order; DatasetError names the
    file and the record (counting from 0 within the file) that is damaged or no `tf.train.Example`."""
    index = 0
    for file in files:
        at = 0
        try:
            for at, data in enumerate(read_records(file, check_data=check_data)):
                try:
                    yield index, file, parse_example(data)
                except RecordError as exc:
                    raise DatasetError(f"{file.name}: record {at} is no tf.train.Example: {exc}") from None
                index += 1
        except RecordError as exc:
            raise DatasetError(f"{file.name}: {exc}") from None
        except OSError as exc:
            raise DatasetError(f"{file.name}: cannot be read ({exc.strerror or exc})") from None


def check_record(file_name: str, index: int, example: dict[str, Feature], features: dict[str, FeatureInfo],
                 used: list[str] | None = None) -> None:
    """Refuse a record whose features (all, or the `used` ones) differ from the first record's."""
    for name in used if used is not None else list(features):
        info = features[name]
        found = example.get(name)
        if found is None:
            raise DatasetError(f"{file_name}: record {index} has no feature '{shown(name)}'; its features are: "
                               f"{shown_names(sorted(example))}")
        if found.kind != info.kind or len(found) != info.length:
            raise DatasetError(f"{file_name}: feature '{shown(name)}' holds {len(found)} {found.kind} values in "
                               f"record {index} but {info.length} {info.kind} values in record 0; every record "
                               "must hold the same shape")
