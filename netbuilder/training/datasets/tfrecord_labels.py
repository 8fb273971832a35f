"""Every class label a TFRecord target feature holds: one streaming pass over that feature, cached per file.

A classifier's output has one unit per class, so the class list must be
complete before training starts; the first records are not enough, because
TFRecord files are often written sorted by class, and a label first met later
would be encoded as its neighbour's class index or fall outside the output.
The pass reads every record of every file (training and validation, as the CSV
path takes its classes from every row of both files, so a label met only in
validation is a class the model has a unit for) and parses only the target
feature, a large batch of records at once with `tf.io.parse_example`.

What a file holds is kept in the user's cache folder, keyed by the file's
path, size and modification time and by the feature, so the next run on the
same file (from any project) skips the pass. The cache is a convenience: a
damaged or foreign entry is ignored and written again, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from netbuilder.training.datasets.csv_scan import MAX_DISTINCT
from netbuilder.training.datasets.shown import shown
from netbuilder.training.datasets.spec import DatasetError
from netbuilder.training.datasets.tfrecord_format import FeatureKind
from netbuilder.training.datasets.tfrecord_scan import FeatureInfo, TfRecordScan, check_record, examples

CACHE_FORMAT = "netbuilder-tfrecord-labels"
PASS_BATCH = 1 << 16  # records parsed at once: the pass costs little more than reading the bytes
READ_BYTES = 1 << 20
CACHED_FILES = 256  # entries kept; the oldest go, so files long since rewritten do not pile up


def dataset_labels(scans: list[TfRecordScan], feature: str, info: FeatureInfo) -> np.ndarray:
    """The distinct labels of `feature` over every record of every file of `scans`, sorted (int64, or
    float64 for a float feature of whole numbers).

    Raises:
        DatasetError: naming the file and the record whose label is no whole number or which lacks the
            feature, the file with a damaged record, or saying that the feature holds too many values to be
            class labels.
    """
    if info.length != 1:
        raise DatasetError(f"{scans[0].name}: feature '{shown(feature)}' holds {info.length} values a record; "
                           "class labels are one per record")
    found = np.unique(np.concatenate([file_labels(file, feature, info.kind) for scan in scans
                                      for file in scan.files]))
    if len(found) > MAX_DISTINCT:
        _too_many(scans[0].name, feature)
    return found


def file_labels(file: Path, feature: str, kind: FeatureKind) -> np.ndarray:
    """The distinct values of a one-value `feature` in every record of `file`, from the cache if the file is
    unchanged since they were found."""
    cache = _cache_file(file, feature, kind)
    cached = _read_cache(cache) if cache is not None else None
    if cached is not None:
        return cached
    labels = _pass(file, feature, kind)
    if cache is not None:
        _write_cache(cache, labels)
    return labels


def _pass(file: Path, feature: str, kind: FeatureKind) -> np.ndarray:
    import tensorflow as tf

    dtype = tf.int64 if kind == "int64" else tf.float32
    spec = {feature: tf.io.FixedLenFeature([1], dtype)}
    ds = (tf.data.TFRecordDataset(str(file), buffer_size=READ_BYTES).batch(PASS_BATCH)
          .map(lambda records: tf.io.parse_example(records, spec)[feature][:, 0],
               num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
          .prefetch(tf.data.AUTOTUNE))
    known = np.empty(0, np.int64 if kind == "int64" else np.float64)
    start = 0
    try:
        for batch in ds:
            values = batch.numpy()
            if kind == "float":
                bad = np.flatnonzero(~np.isfinite(values) | (values != np.round(values)))
                if bad.size:
                    raise DatasetError(f"{file.name}: feature '{shown(feature)}' holds {values[bad[0]]:g} in record "
                                       f"{start + int(bad[0])}, which is not a whole-number class label; to predict "
                                       "it as a number, use a regression loss")
            known = np.union1d(known, values.astype(known.dtype))
            if len(known) > MAX_DISTINCT:
                _too_many(file.name, feature)
            start += len(values)
    except tf.errors.InvalidArgumentError as exc:
        raise _culprit(file, feature, exc) from None
    except tf.errors.DataLossError as exc:
        raise DatasetError(f"{shown(file.name)}: a record is damaged and cannot be read ({_reason(exc)}); write "
                           "the file again") from None
    return known


def _culprit(file: Path, feature: str, exc: Exception) -> DatasetError:
    """The record TensorFlow could not parse, found again in plain Python (a slow path, taken only on failure):
    a record without the feature, or with a value of another kind or count than record 0's."""
    first: dict[str, FeatureInfo] = {}
    for index, _, example in examples([file]):
        if not first:
            if feature not in example:
                break
            value = example[feature]
            first = {feature: FeatureInfo(feature, value.kind, len(value))}
        check_record(file.name, index, example, first, [feature])
    return DatasetError(f"{file.name}: feature '{shown(feature)}' cannot be read as one label a record "
                        f"({shown(str(exc).splitlines()[0], 120)})")


def _reason(exc: Exception) -> str:
    """TensorFlow's sentence ("corrupted record at 142112") without the op names around it."""
    text = re.sub(r"\{\{[^}]*\}\}\s*", "", str(exc).splitlines()[0])
    return shown(re.sub(r"\s*\[Op:.*$", "", text), 120)


def _too_many(name: str, feature: str) -> None:
    raise DatasetError(f"{name}: feature '{shown(feature)}' holds more than {MAX_DISTINCT:,} different values, "
                       "too many to be class labels; to predict it as a number, use a regression loss")


def _cache_file(file: Path, feature: str, kind: FeatureKind) -> Path | None:
    try:
        stat = file.stat()
        key = json.dumps([str(file.resolve()), stat.st_size, stat.st_mtime_ns, feature, kind])
    except OSError:
        return None
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "netbuilder" / "tfrecord-labels" / f"{hashlib.sha256(key.encode()).hexdigest()}.json"


def _read_cache(path: Path) -> np.ndarray | None:
    try:
        entry: Any = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(entry, dict) or entry.get("format") != CACHE_FORMAT:
            return None
        dtype = {"int64": np.int64, "float64": np.float64}[entry["dtype"]]
        labels = np.asarray(entry["labels"], dtype)
        return labels if labels.ndim == 1 else None
    except (OSError, ValueError, KeyError, TypeError, OverflowError):
        return None


def _write_cache(path: Path, labels: np.ndarray) -> None:
    entry = {"format": CACHE_FORMAT, "dtype": labels.dtype.name, "labels": labels.tolist()}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # two runs at once write apart
        temporary.write_text(json.dumps(entry), encoding="utf-8")
        temporary.replace(path)
        entries = sorted(path.parent.glob("*.json"), key=lambda item: item.stat().st_mtime_ns)
        for stale in entries[:-CACHED_FILES]:
            stale.unlink(missing_ok=True)
    except OSError:
        pass  # an unwritable cache folder costs the next run the pass again, nothing more
