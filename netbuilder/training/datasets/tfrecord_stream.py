"""Training on TFRecord files of `tf.train.Example` records, streamed with `tf.data`, never held whole.

Features map onto the model as CSV columns do: `inputs` names the features
that feed each model input (their values concatenated, as float32; a feature
of encoded images feeds an input of its own, decoded and resized as a folder
of images is), `target` the feature an output predicts (by default `y`, or
`label`). An int64 target is a class label (classification, as `.npz` integer
targets are), its classes every label of every record of both splits, found in
one streaming pass over that feature (`tfrecord_labels`, cached per file); a
float target is regressed. The pipeline interleaves the files, holds a record
out for validation when a hash of its index and the seed says so
(`csv_stream.held_out`, as a streamed CSV does), shuffles through a buffer
bounded in records and in bytes (a record may hold a photo), parses a batch of
records at once and prefetches. The first `SAMPLE_ROWS` records of each split
are decoded in plain Python for what looks at rows (pre-flight, the
evaluation tables), so `load_dataset` reads no more than that.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from netbuilder.training.datasets.csv_stream import (_PRIME, SAMPLE_ROWS, SHUFFLE_ROWS, StreamedData, held_out,
                                                     held_out_count)
from netbuilder.training.datasets.image_decode import decode_image
from netbuilder.training.datasets.image_loader import CHANNELS, first_line
from netbuilder.training.datasets.loaded import Split, Task
from netbuilder.training.datasets.mapping import input_mapping, output_mapping
from netbuilder.training.datasets.shown import shown, shown_names
from netbuilder.training.datasets.spec import DatasetError, DatasetSpec
from netbuilder.training.datasets.tfrecord_format import Feature
from netbuilder.training.datasets.tfrecord_labels import dataset_labels
from netbuilder.training.datasets.tfrecord_scan import FeatureInfo, TfRecordScan, check_record, examples, scan_tfrecord

TARGETS = ("y", "label")  # the target feature when the dataset section names none, in this order
FILES_AT_ONCE = 4
READ_BYTES = 1 << 20  # read from each file at a time
SHUFFLE_BYTES = 64 << 20  # the shuffle buffer holds at most SHUFFLE_ROWS records, fewer big ones (images)
SEARCH_RECORDS = 50 * SAMPLE_ROWS  # read at most this many to sample a small validation split


@dataclass
class TfRecordStream:
    """How to read, split and encode the records of one or two TFRecord datasets with `tf.data`."""

    scans: list[TfRecordScan]  # the training source, then a validation source if there is one
    inputs: dict[str, list[str]]  # model input → its features
    outputs: dict[str, str]  # model output → its feature
    classes: dict[str, np.ndarray]  # classified output → the label of each class index
    fraction: float
    seed: int
    counts: dict[str, int] = field(default_factory=dict)
    image_size: tuple[int, int] = (64, 64)  # what encoded images are decoded to, as for a folder of images
    channels: int = 3

    def rows(self, which: Literal["train", "validation"], batch_size: int, *, shuffle: bool = False,
             seed: int | None = None) -> Any:
        """Batches of ({input: features}, {output: targets}) dicts."""
        import tensorflow as tf

        scan = self.scans[1 if which == "validation" and len(self.scans) == 2 else 0]
        offsets = np.cumsum([0, *scan.counts[:-1]]).astype(np.int64)
        files = tf.data.Dataset.from_tensor_slices(([str(f) for f in scan.files], offsets))
        keep = which == "validation"
        fraction, split_seed = (self.fraction, self.seed) if len(self.scans) == 1 else (0.0, 0)

        def records(path: Any, offset: Any) -> Any:
            ds = tf.data.TFRecordDataset(path, buffer_size=READ_BYTES)
            if fraction:
                ds = ds.enumerate().filter(
                    lambda i, _: tf.equal(held_out(i + offset, split_seed, fraction), keep)).map(lambda _, r: r)
            return ds

        ds = files.interleave(records, cycle_length=min(len(scan.files), FILES_AT_ONCE),
                              num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
        if shuffle:
            ds = ds.shuffle(_shuffle_records(scan), seed=seed, reshuffle_each_iteration=True)
        wanted = {name: scan.features[name] for name in self.used}
        dtypes = {"float": tf.float32, "int64": tf.int64, "bytes": tf.string}
        spec = {name: tf.io.FixedLenFeature([info.length], dtypes[info.kind]) for name, info in wanted.items()}
        pixels = tf.TensorSpec((*self.image_size, self.channels), tf.float32)

        def encoded(name: str, values: Any) -> Any:
            if wanted[name].image:
                return tf.map_fn(lambda image: decode_image(image, self.image_size, self.channels), values[:, 0],
                                 fn_output_signature=pixels)
            return tf.cast(values, tf.float32)

        def decode(serialized: Any) -> Any:
            values = tf.io.parse_example(serialized, spec)
            features = {name: encoded(names[0], values[names[0]]) if len(names) == 1
                        else tf.concat([encoded(f, values[f]) for f in names], axis=1)
                        for name, names in self.inputs.items()}
            targets = {}
            for output, feature in self.outputs.items():
                if output in self.classes:
                    classes = self.classes[output]
                    label = tf.cast(values[feature][:, 0], tf.float64 if classes.dtype.kind == "f" else tf.int64)
                    targets[output] = tf.searchsorted(tf.constant(classes), label, out_type=tf.int32)
                else:
                    targets[output] = tf.cast(values[feature], tf.float32)
            return features, targets

        return ds.batch(batch_size).map(decode, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)

    def failure_cause(self, exc: BaseException) -> str | None:
        """The file whose record TensorFlow could not read, found by reading the files again one by one."""
        import tensorflow as tf

        if not isinstance(exc, tf.errors.DataLossError):
            return None
        for scan in self.scans:
            for file in scan.files:
                try:
                    for _ in tf.data.TFRecordDataset(str(file), buffer_size=READ_BYTES):
                        pass
                except tf.errors.DataLossError as found:
                    return (f"{shown(file.name)}: a record is damaged and cannot be read "
                            f"({shown(str(found).splitlines()[0], 120)}); write the file again")
        return None

    @property
    def used(self) -> list[str]:
        return list(dict.fromkeys([*(f for fs in self.inputs.values() for f in fs), *self.outputs.values()]))


def stream_tfrecord(spec: DatasetSpec, path: Path, validation: Path | None, *, input_names: list[str],
                    output_names: list[str], task: Task | None, source_name: str, validation_split: float,
                    seed: int | None) -> StreamedData:
    """The TFRecord dataset as a stream, checked on its headers and first records.

    Raises:
        DatasetError: the message names the file and the record or feature at fault.
    """
    scans = [scan_tfrecord(path)] + ([scan_tfrecord(validation)] if validation is not None else [])
    main = scans[0]
    features = main.features
    choices = f"the features of {main.name}: {shown_names(list(features))}"
    default = [name for name in TARGETS if name in features][:1]
    outputs = output_mapping(spec, output_names, default, main.name, choices)
    targets = {}
    for output, names in outputs.items():
        if len(names) != 1:
            raise DatasetError(f"output '{output}' must be predicted from one feature of {main.name}, not "
                               f"{len(names)} ({shown_names(names)})")
        targets[output] = names[0]
    others = [name for name, info in features.items() if name not in targets.values() and info.kind != "bytes"]
    images = [name for name, info in features.items() if name not in targets.values() and info.image]
    inputs = input_mapping(spec, input_names, others or images[:1], main.name, "features")
    for model_input, names in inputs.items():
        if not names:
            raise DatasetError(f"{main.name}: no feature left to feed input '{shown(model_input)}' (only int64 and "
                               f"float features, or encoded images, can); {choices}")
        for name in names:
            _check_feature(scans, name, images=len(names) == 1)
    for name in targets.values():
        _check_feature(scans, name, images=False)
    for scan in scans[1:]:
        for name in [*(f for fs in inputs.values() for f in fs), *targets.values()]:
            if scan.features[name] != features[name]:
                raise DatasetError(f"{scan.name}: feature '{shown(name)}' holds {scan.features[name].length} "
                                   f"{scan.features[name].kind} values a record, {main.name} "
                                   f"{features[name].length} {features[name].kind}; both must hold the same")
    fraction = 0.0 if validation is not None else validation_split
    stream = TfRecordStream(scans, inputs, targets, {}, fraction, seed if seed is not None else random.randrange(_PRIME),
                            image_size=spec.image_size, channels=CHANNELS[spec.color_mode])
    stream.counts = _counts(scans, fraction, stream.seed)
    samples = _samples(stream)
    tasks: dict[str, Task] = {}
    class_names: list[str] | None = None
    witness: dict[str, np.ndarray] = {}
    for output, feature in targets.items():
        info = features[feature]
        tasks[output] = task or ("classification" if info.kind == "int64" else "regression")
        if tasks[output] == "classification":
            classes = dataset_labels(scans, feature, info)
            stream.classes[output] = classes
            names = [f"{c:g}" if classes.dtype.kind == "f" else str(c) for c in classes]
            class_names = names if class_names is None else class_names
            witness[output] = np.arange(len(classes), dtype=np.int32)
        else:
            witness[output] = np.concatenate([s[1][output] for s in samples if s[1]]).astype(np.float32)
    splits = [_split(stream, features_, labels_) for features_, labels_ in samples]
    return StreamedData(
        train=splits[0], validation=splits[1] if stream.counts["validation"] else None,
        task=next(iter(tasks.values())), feature_columns={k: _columns(v, features) for k, v in inputs.items()},
        target_columns={k: [v] for k, v in targets.items()}, class_names=class_names, source_name=source_name,
        stream=stream, witness=witness)  # type: ignore[arg-type]  # a TfRecordStream reads rows as a CsvStream does


def _shuffle_records(scan: TfRecordScan) -> int:
    """How many records the shuffle buffer holds: `SHUFFLE_ROWS`, or what fits in `SHUFFLE_BYTES`."""
    size = sum(file.stat().st_size for file in scan.files)
    return max(1, min(SHUFFLE_ROWS, SHUFFLE_BYTES * max(1, scan.records) // max(1, size)))


def _check_feature(scans: list[TfRecordScan], name: str, *, images: bool) -> None:
    """Refuse a feature that is missing, empty, or bytes a model cannot take (`images`: an input of its own
    may take encoded images)."""
    for scan in scans:
        info = scan.features.get(name)
        if info is None:
            raise DatasetError(f"{scan.name}: has no feature '{shown(name)}'; its features are: "
                               f"{shown_names(list(scan.features))}")
        if info.image and not images:
            raise DatasetError(f"{scan.name}: feature '{shown(name)}' holds encoded images; images feed a model "
                               "input of their own, and cannot be a target")
        if info.kind == "bytes" and not info.image:
            raise DatasetError(f"{scan.name}: feature '{shown(name)}' holds bytes (text or encoded data); the "
                               "features a model takes or predicts must hold int64 or float values")
        if info.length == 0:
            raise DatasetError(f"{scan.name}: feature '{shown(name)}' holds no values in record 0")


def _counts(scans: list[TfRecordScan], fraction: float, seed: int) -> dict[str, int]:
    if len(scans) == 2:
        return {"train": scans[0].records, "validation": scans[1].records}
    records = scans[0].records
    held = held_out_count(records, seed, fraction)
    if fraction and held in (0, records):
        raise DatasetError(f"{scans[0].name}: a validation split of {fraction:g} of {records} records leaves "
                           f"{'no validation records' if held == 0 else 'no records to train on'}")
    return {"train": records - held, "validation": held}


def _samples(stream: TfRecordStream) -> list[tuple[dict[str, np.ndarray], dict[str, np.ndarray]]]:
    """The first `SAMPLE_ROWS` records of each split, as raw feature arrays (targets not yet encoded)."""
    used = stream.used
    picked: list[list[dict[str, Feature]]] = [[], []]
    for part, scan in enumerate(stream.scans):
        for index, file, example in examples(scan.files):
            check_record(file.name, index, example, scan.features, used)
            which = part if len(stream.scans) == 2 else int(bool(
                stream.fraction and held_out(np.int64(index), stream.seed, stream.fraction)))
            if len(picked[which]) < SAMPLE_ROWS:
                picked[which].append(example)
            done = len(picked[which]) == SAMPLE_ROWS if len(stream.scans) == 2 else (
                len(picked[0]) == SAMPLE_ROWS and (len(picked[1]) == SAMPLE_ROWS or not stream.fraction))
            if done or index + 1 >= SEARCH_RECORDS:
                break
    result = []
    for records in picked:
        if not records:
            result.append(({}, {}))
            continue
        inputs = {name: _images(stream, scan.name, fs[0], records) if scan.features[fs[0]].image else
                  np.stack([np.concatenate([np.asarray(r[f].values, np.float32) for f in fs]) for r in records])
                  for name, fs in stream.inputs.items()}
        targets = {output: np.stack([np.asarray(r[f].values) for r in records]) for output, f in stream.outputs.items()}
        result.append((inputs, targets))
    return result


def _images(stream: TfRecordStream, file_name: str, feature: str, records: list[dict[str, Feature]]) -> np.ndarray:
    """The sample's images decoded as the pipeline decodes them; DatasetError names a record that holds none."""
    import tensorflow as tf

    decoded = []
    for index, record in enumerate(records):
        try:
            decoded.append(decode_image(tf.constant(record[feature].values[0]), stream.image_size, stream.channels))
        except Exception as exc:  # TensorFlow reports undecodable images with several exception types
            raise DatasetError(f"{file_name}: feature '{shown(feature)}' holds a damaged image in record "
                               f"{index} of its split, which cannot be decoded ({first_line(exc)})") from None
    return np.stack([image.numpy() for image in decoded])


def _split(stream: TfRecordStream, features: dict[str, np.ndarray], labels: dict[str, np.ndarray]) -> Split:
    if not features:
        return Split({}, {})
    targets = {}
    for output, values in labels.items():
        classes = stream.classes.get(output)
        if classes is None:
            targets[output] = values.astype(np.float32)
        else:
            targets[output] = np.searchsorted(classes, values[:, 0].astype(classes.dtype)).astype(np.int32)
    return Split(features, targets)


def _columns(names: list[str], features: dict[str, FeatureInfo]) -> list[str]:
    """The name of each value an input takes: the feature's own for one value, `name[i]` for several."""
    return [name if features[name].length == 1 or features[name].image else f"{name}[{i}]"
            for name in names for i in range(features[name].length)]
