"""Training on a CSV file too big to hold: a `tf.data` pipeline that reads it a batch of lines at a time.

A CSV file costs about nine times its size once read whole, so files above
`stream_bytes()` (64 MB, or `NETBUILDER_STREAM_CSV_MB`) are streamed instead:
one pass (`csv_scan`) finds what the encoding needs, the plan of `csv_loader`
decides it with the rules of `csv_columns`, and `tf.data` then gives each
epoch's rows encoded as the in-memory path encodes them (numbers as float32,
text one-hot over the same sorted categories, labels as class indices), so
both give the same rows. Where every column the plan uses is a number (and the
file holds nothing but numbers), the rows come from the float32 cache the scan
wrote (`csv_cache`), a block at a time, without parsing text again: this is
what makes an epoch cost no more than one over arrays in memory. Otherwise the
lines are read and decoded with `tf.io.decode_csv`, then shuffled in a buffer
of `SHUFFLE_ROWS` rows. Memory stays bounded by the lines (or blocks) read at
once, the shuffle buffer and prefetch.

Without a validation file, a row is held out for validation when a hash of
its index and the seed says so (`held_out`): the same seed gives the same
split, and no pass has to read the file first. The splits keep their first
`SAMPLE_ROWS` rows in memory for what looks at rows (the pre-flight shapes,
the evaluation views).
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from netbuilder.training.datasets.csv_cache import cached_rows, first_rows
from netbuilder.training.datasets.csv_columns import NumericColumn, OneHotColumn, RawTextColumn, class_labels
from netbuilder.training.datasets.csv_loader import CsvPlan, _same_columns, plan_csv
from netbuilder.training.datasets.csv_scan import MAX_DISTINCT, CsvScan, NumberFacts, scan_csv
from netbuilder.training.datasets.csv_table import CsvTable
from netbuilder.training.datasets.loaded import LoadedData, Split, Task
from netbuilder.training.datasets.shown import shown
from netbuilder.training.datasets.spec import DatasetError, DatasetSpec

STREAM_BYTES = 64 << 20
STREAM_ENV = "NETBUILDER_STREAM_CSV_MB"
SHUFFLE_ROWS = 10_000
SAMPLE_ROWS = 1_000
LINES_PER_READ = 1_024
_PRIME = 2_147_483_647  # 2^31 - 1: products of two residues stay within int64, in NumPy and TensorFlow alike


def megabytes_from_env(name: str, default: int) -> int:
    """A size in bytes that environment variable `name` gives in megabytes; `default` when unset or unreadable."""
    value = os.environ.get(name, "").strip()
    try:
        return int(float(value) * 2**20) if value else default
    except ValueError:
        return default


def stream_bytes() -> int:
    """CSV files larger than this are streamed; `NETBUILDER_STREAM_CSV_MB` sets it (0: stream every file)."""
    return megabytes_from_env(STREAM_ENV, STREAM_BYTES)


def wants_streaming(path: Path, validation: Path | None) -> bool:
    limit = stream_bytes()
    try:
        return any(p.is_file() and p.stat().st_size > limit for p in (path, validation) if p is not None)
    except OSError:
        return False  # the in-memory reader says what is wrong with the file


def held_out(index: Any, seed: int, fraction: float) -> Any:
    """Whether row `index` (an int64 array or tensor) goes to validation: a hash of index and seed
    below `fraction`. The same arithmetic in NumPy (to count) and TensorFlow (to filter)."""
    x = (index % _PRIME * 48271 + seed % _PRIME) % _PRIME
    x = (x * x + 12345) % _PRIME
    x = (x * 16807 + index // _PRIME) % _PRIME
    return x < int(fraction * _PRIME)


@dataclass
class CsvStream:
    """How to read and encode the rows of one or two CSV files with `tf.data`."""

    paths: list[Path]
    scans: list[CsvScan]
    plan: CsvPlan
    classes: dict[str, list[str] | np.ndarray]  # output → the value of each class index
    fraction: float  # held out for validation by `held_out`; 0 with a validation file
    seed: int
    counts: dict[str, int] = field(default_factory=dict)
    _tables: dict[str, Any] = field(default_factory=dict)

    def rows(self, which: Literal["train", "validation"], batch_size: int, *, shuffle: bool = False,
             seed: int | None = None) -> Any:
        """Batches of ({input: features}, {output: targets}) dicts."""
        import tensorflow as tf

        plain = tf.autograph.experimental.do_not_convert  # no control flow to convert: tracing is quicker without
        part = 1 if which == "validation" and len(self.paths) == 2 else 0
        scan = self.scans[part]
        keep = which == "validation"
        cached = self._cached_encoder(scan)
        if cached is not None and scan.cache is not None:
            held = (lambda index: tf.equal(held_out(index, self.seed, self.fraction), keep)) if self.fraction else None
            blocks = cached_rows(scan.cache, held, shuffle=shuffle,
                                 seed=seed if seed is not None else random.randrange(_PRIME))
            return blocks.rebatch(batch_size).map(plain(cached), num_parallel_calls=tf.data.AUTOTUNE).prefetch(
                tf.data.AUTOTUNE)
        lines = tf.data.TextLineDataset(str(self.paths[part])).skip(1)
        if scan.blank_lines:
            lines = lines.filter(lambda line: tf.strings.length(tf.strings.strip(line)) > 0)
        lines = lines.batch(LINES_PER_READ)
        if self.fraction:

            def split(k: Any, batch: Any) -> Any:
                index = k * LINES_PER_READ + tf.range(tf.size(batch, out_type=tf.int64), dtype=tf.int64)
                return tf.boolean_mask(batch, tf.equal(held_out(index, self.seed, self.fraction), keep))

            lines = lines.enumerate().map(plain(split), num_parallel_calls=tf.data.AUTOTUNE)
        ds = lines.map(plain(self._decoder(scan)), num_parallel_calls=tf.data.AUTOTUNE).unbatch()
        if shuffle:
            ds = ds.shuffle(SHUFFLE_ROWS, seed=seed, reshuffle_each_iteration=True)
        return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)

    def cached_sample(self, which: Literal["train", "validation"]) -> Split | None:
        """The split's first `SAMPLE_ROWS` rows read from the cache with NumPy and encoded by the epochs' own
        encoder, run once: no pipeline to build for them. None when the rows are not cached."""
        import tensorflow as tf

        scan = self.scans[1 if which == "validation" and len(self.paths) == 2 else 0]
        encode = self._cached_encoder(scan)
        if encode is None or scan.cache is None:
            return None
        keep = which == "validation"
        matrix = first_rows(scan.cache, SAMPLE_ROWS, (lambda index: held_out(index, self.seed, self.fraction) == keep)
                            if self.fraction else None)
        if not len(matrix):
            return Split({}, {})  # as `_sample` gives it: `load_dataset` refuses a split that leaves a side empty
        features, targets = encode(tf.constant(matrix))
        return Split({k: v.numpy() for k, v in features.items()}, {k: v.numpy() for k, v in targets.items()})

    def _cached_encoder(self, scan: CsvScan) -> Callable[[Any], Any] | None:
        """Row matrices of the scan's float32 cache → encoded rows; None when the plan needs more than numbers
        (or a class value that float32 does not hold exactly), so the lines must be decoded instead."""
        import tensorflow as tf

        plan = self.plan
        if scan.cache is None or any(not isinstance(plan.encoders[c], NumericColumn)
                                     for columns in plan.inputs.values() for c in columns):
            return None
        position = {column: j for j, column in enumerate(scan.columns)}
        labels: dict[str, np.ndarray] = {}
        for output in plan.outputs:
            classes = self.classes.get(output)
            if isinstance(classes, list):
                return None
            if classes is not None:
                labels[output] = classes.astype(np.float32)
                if not np.array_equal(labels[output], classes) or len(np.unique(labels[output])) != len(classes):
                    return None

        def columns(matrix: Any, names: list[str]) -> Any:
            return tf.gather(matrix, [position[c] for c in names], axis=1)

        def encode(matrix: Any) -> Any:
            features = {name: columns(matrix, names) for name, names in plan.inputs.items()}
            targets = {name: tf.searchsorted(tf.constant(labels[name]), matrix[:, position[names[0]]],
                                             out_type=tf.int32)
                       if name in labels else columns(matrix, names) for name, names in plan.outputs.items()}
            return features, targets

        return encode

    def _decoder(self, scan: CsvScan) -> Callable[[Any], Any]:
        """Lines → encoded rows, by the plan: the batch form of `CsvPlan`'s encoders."""
        import tensorflow as tf

        plan = self.plan
        used = sorted({scan.columns.index(c) for cs in (*plan.inputs.values(), *plan.outputs.values()) for c in cs})
        names = [scan.columns[i] for i in used]
        defaults = [tf.constant([""]) if scan.is_text(c) else tf.constant([], tf.float64) for c in names]
        lookups = {c: self._lookup(c, e.categories) for c, e in plan.encoders.items() if isinstance(e, OneHotColumn)}
        for output, columns in plan.outputs.items():
            classes = self.classes.get(output)
            if isinstance(classes, list):
                lookups[f"\0{output}"] = self._lookup(columns[0], classes)

        def encode(column: str, cell: Any) -> Any:
            encoder = plan.encoders[column]
            if isinstance(encoder, NumericColumn):
                return tf.cast(tf.reshape(cell, [-1, 1]), tf.float32)
            if isinstance(encoder, RawTextColumn):
                return tf.reshape(cell, [-1, 1])  # the cells as written, for the model's own lookup
            index = lookups[column].lookup(tf.strings.strip(cell))
            return tf.one_hot(index, len(encoder.categories), dtype=tf.float32)

        def target(output: str, columns: list[str], cells: dict[str, Any]) -> Any:
            classes = self.classes.get(output)
            if classes is None:
                return tf.concat([tf.cast(tf.reshape(cells[c], [-1, 1]), tf.float32) for c in columns], axis=1)
            if isinstance(classes, list):
                return tf.cast(lookups[f"\0{output}"].lookup(tf.strings.strip(cells[columns[0]])), tf.int32)
            return tf.searchsorted(tf.constant(classes, tf.float64), cells[columns[0]], out_type=tf.int32)

        def decode(lines: Any) -> Any:
            if scan.carriage_returns:
                lines = tf.strings.regex_replace(lines, "\r$", "")
            cells = dict(zip(names, tf.io.decode_csv(lines, defaults, select_cols=used)))
            features = {name: tf.concat([encode(c, cells[c]) for c in columns], axis=1)
                        for name, columns in plan.inputs.items()}
            return features, {name: target(name, columns, cells) for name, columns in plan.outputs.items()}

        return decode

    def _lookup(self, column: str, values: list[str]) -> Any:
        import tensorflow as tf

        if column not in self._tables:
            init = tf.lookup.KeyValueTensorInitializer(tf.constant(values), tf.range(len(values), dtype=tf.int64))
            self._tables[column] = tf.lookup.StaticHashTable(init, default_value=-1)
        return self._tables[column]


@dataclass
class StreamedData(LoadedData):
    """A `LoadedData` whose rows stay in the file: `train`/`validation` hold a sample of each split,
    `n_rows` counts them all, and `tf_dataset` streams them."""

    stream: CsvStream | None = None
    witness: dict[str, np.ndarray] = field(default_factory=dict)

    def n_rows(self, which: Literal["train", "validation"]) -> int:
        assert self.stream is not None
        return self.stream.counts.get(which, 0)

    def target_values(self, name: str) -> np.ndarray:
        return self.witness[name]

    def failure_cause(self, exc: BaseException) -> str | None:
        """What the stream can tell of a failure (a TFRecord stream names a damaged file; a CSV file's every
        row was scanned before training)."""
        cause = getattr(self.stream, "failure_cause", None)
        return cause(exc) if cause is not None else None

    def tf_dataset(self, which: Literal["train", "validation"], batch_size: int, *,
                   shuffle: bool = True, seed: int | None = None) -> Any:
        assert self.stream is not None
        if which == "validation" and not self.n_rows("validation"):
            raise ValueError("this dataset has no validation split")
        import tensorflow as tf

        rows = self.stream.rows(which, batch_size, shuffle=shuffle and which == "train", seed=seed)
        single = len(self.train.features) == 1, len(self.train.targets) == 1
        rows = rows.map(tf.autograph.experimental.do_not_convert(
            lambda x, y: (next(iter(x.values())) if single[0] else x, next(iter(y.values())) if single[1] else y)))
        # The scan counted the rows: Keras then knows an epoch's length instead of running into its end.
        batches = -(-self.n_rows(which) // batch_size)
        return rows.apply(tf.data.experimental.assert_cardinality(batches))


def stream_csv(spec: DatasetSpec, path: Path, validation: Path | None, *, input_names: list[str],
               output_names: list[str], task: Task | None, source_name: str, validation_split: float,
               seed: int | None, text_inputs: Collection[str] = ()) -> StreamedData | None:
    """The dataset as a stream, checked as `load_csv` checks it; None when the file must be read whole."""
    scans = [scan_csv(path)] + ([scan_csv(validation)] if validation is not None else [])
    if any(scan is None for scan in scans):
        return None
    known: list[CsvScan] = [s for s in scans if s is not None]
    main = known[0]
    if len(known) == 2:
        _same_columns(*(CsvTable(s.name, s.columns, s.rows, {}, {}) for s in known))
    digests: dict[str, list[CsvTable]] = {}

    def digest(column: str) -> list[CsvTable]:
        if column not in digests:
            digests[column] = [s.digest(column) for s in known]
        return digests[column]

    plan = plan_csv(spec, main.name, main.columns, digest, input_names=input_names, output_names=output_names,
                    task=task, text_inputs=text_inputs)
    for column, encoder in plan.encoders.items():
        for table in digest(column):
            encoder.encode(table)  # refuses an empty, infinite or too large cell, naming its row
    classes: dict[str, list[str] | np.ndarray] = {}
    witness: dict[str, np.ndarray] = {}
    class_names: list[str] | None = None
    for output, columns in plan.outputs.items():
        if plan.tasks[output] == "classification":
            names = _class_names(columns[0], known, digest(columns[0]))
            class_names = names if class_names is None else class_names
            text = main.is_text(columns[0])
            classes[output] = names if text else np.unique(np.concatenate([t.numbers[columns[0]]
                                                                           for t in digest(columns[0])]))
            witness[output] = np.arange(len(names), dtype=np.int32)
        else:
            for column in columns:
                for table in digest(column):
                    NumericColumn(column).encode(table)
            witness[output] = np.stack([np.concatenate([s.target_witness(c) for s in known]) for c in columns],
                                       axis=1).astype(np.float32)
    fraction = 0.0 if validation is not None else validation_split
    stream = CsvStream([path] + ([validation] if validation is not None else []), known, plan, classes, fraction,
                       seed if seed is not None else random.randrange(_PRIME))
    stream.counts = _counts(known, fraction, stream.seed)
    return StreamedData(
        train=_sample(stream, "train"), validation=_sample(stream, "validation") if stream.counts["validation"] else None,
        task=next(iter(plan.tasks.values())), feature_columns=plan.feature_columns(), target_columns=plan.outputs,
        class_names=class_names, source_name=source_name, stream=stream, witness=witness,
    )


def _class_names(column: str, scans: list[CsvScan], digests: list[CsvTable]) -> list[str]:
    for scan in scans:
        facts = scan.facts[column]
        if isinstance(facts, NumberFacts) and facts.wholes is None and facts.first_fraction is None:
            raise DatasetError(f"{scan.name}: column '{shown(column)}' holds more than {MAX_DISTINCT:,} different "
                               "whole numbers, too many to be class labels; to predict it as a number, use a "
                               "regression loss")
    return class_labels(column, digests)[0]


def held_out_count(rows: int, seed: int, fraction: float) -> int:
    """How many of rows 0 … rows-1 `held_out` sends to validation, counted a million at a time."""
    held = 0
    if fraction:
        for start in range(0, rows, 1 << 20):
            held += int(held_out(np.arange(start, min(rows, start + (1 << 20)), dtype=np.int64), seed, fraction).sum())
    return held


def _counts(scans: list[CsvScan], fraction: float, seed: int) -> dict[str, int]:
    if len(scans) == 2:
        return {"train": scans[0].rows, "validation": scans[1].rows}
    held = held_out_count(scans[0].rows, seed, fraction)
    return {"train": scans[0].rows - held, "validation": held}


def _sample(stream: CsvStream, which: Literal["train", "validation"]) -> Split:
    """The split's first rows, as arrays, for what looks at rows rather than training on them."""
    cached = stream.cached_sample(which)
    if cached is not None:
        return cached
    for features, targets in stream.rows(which, SAMPLE_ROWS).take(1):
        return Split({k: v.numpy() for k, v in features.items()}, {k: v.numpy() for k, v in targets.items()})
    return Split({}, {})  # `load_dataset` refuses a split that leaves a side empty
