"""Training on a `.npz` archive too big to hold: its feature arrays are read a slice of rows at a time.

An archive whose feature arrays pass `stream_bytes()` (256 MB, or
`NETBUILDER_STREAM_NPZ_MB`) is never read whole. One pass over each feature
array checks what the in-memory path checks (numbers only, no NaN or
infinity, nothing beyond float32), naming the row; the targets — one value a
row, small beside the features — are read whole and encoded as the
in-memory path encodes them. Training then streams the rows through
`tf.data` (slices of about `SLICE_BYTES`, a shuffle buffer of `SHUFFLE_ROWS`
rows, prefetch), so memory stays bounded whatever the archive's size.

Without a validation file a row is held out when the hash of its index and
the seed says so (`csv_stream.held_out`, as for a streamed CSV): the same
seed gives the same split without a pass. Each split keeps its first
`SAMPLE_ROWS` rows in memory for what looks at rows. An array stored in
Fortran order cannot be read by rows and is read whole (None).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from netbuilder.training.datasets.csv_stream import _PRIME, held_out, megabytes_from_env
from netbuilder.training.datasets.loaded import LoadedData, Split, Task
from netbuilder.training.datasets.npz_loader import (check_finite, check_float32_range, class_labels, plan_npz,
                                                     regression_target)
from netbuilder.training.datasets.npz_members import NpzMember, member_rows
from netbuilder.training.datasets.shown import shown
from netbuilder.training.datasets.spec import DatasetError, DatasetSpec

STREAM_BYTES = 256 << 20
STREAM_ENV = "NETBUILDER_STREAM_NPZ_MB"
SHUFFLE_ROWS = 10_000
SAMPLE_ROWS = 1_000
SLICE_BYTES = 4 << 20

Which = Literal["train", "validation"]


def stream_bytes() -> int:
    """Archives whose feature arrays hold more bytes than this are streamed (`NETBUILDER_STREAM_NPZ_MB`; 0: all)."""
    return megabytes_from_env(STREAM_ENV, STREAM_BYTES)


@dataclass
class NpzStream:
    """Which arrays feed which model input in each file, the encoded targets, and which rows are held out."""

    files: list[Path]
    features: dict[str, list[NpzMember]]  # model input → its array in each file
    targets: dict[str, list[np.ndarray]]  # model output → its encoded targets in each file
    held: np.ndarray | None  # per row of the one file: goes to validation (None with a validation file)
    counts: dict[Which, int] = field(default_factory=dict)

    def parts(self, which: Which) -> list[tuple[int, np.ndarray | None]]:
        """(file index, rows of it to keep or None for all) that make up split `which`."""
        if self.held is None:
            return [(0 if which == "train" else 1, None)]
        return [(0, ~self.held if which == "train" else self.held)]

    def slices(self, which: Which) -> Iterator[tuple[dict[str, np.ndarray], dict[str, np.ndarray]]]:
        """The split's rows in file order, a slice at a time, as float32 features and encoded targets."""
        for index, keep in self.parts(which):
            first = next(iter(self.features.values()))[index]
            row_bytes = max(1, first.nbytes // max(1, first.shape[0]))
            rows = max(1, SLICE_BYTES // row_bytes)
            readers = {name: member_rows(self.files[index], members[index], rows)
                       for name, members in self.features.items()}
            start = 0
            for chunks in zip(*readers.values()):
                stop = start + len(chunks[0])
                chosen = slice(None) if keep is None else keep[start:stop]
                x = {name: _rows(chunk)[chosen].astype(np.float32) for name, chunk in zip(readers, chunks)}
                y = {name: values[index][start:stop][chosen] for name, values in self.targets.items()}
                start = stop
                yield x, y

    def rows(self, which: Which, batch_size: int, *, shuffle: bool = False, seed: int | None = None) -> Any:
        import tensorflow as tf

        first_x, first_y = self.sample(which, 1)
        signature = ({k: tf.TensorSpec((None, *v.shape[1:]), tf.float32) for k, v in first_x.items()},
                     {k: tf.TensorSpec((None, *v.shape[1:]), tf.as_dtype(v.dtype)) for k, v in first_y.items()})
        ds = tf.data.Dataset.from_generator(lambda: self.slices(which), output_signature=signature).unbatch()
        if shuffle:
            ds = ds.shuffle(SHUFFLE_ROWS, seed=seed, reshuffle_each_iteration=True)
        return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)

    def sample(self, which: Which, count: int) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """The split's first `count` rows."""
        xs: dict[str, list[np.ndarray]] = {k: [] for k in self.features}
        ys: dict[str, list[np.ndarray]] = {k: [] for k in self.targets}
        held = 0
        for x, y in self.slices(which):
            for k, v in x.items():
                xs[k].append(v[:count - held])
            for k, v in y.items():
                ys[k].append(v[:count - held])
            held += len(next(iter(x.values())))
            if held >= count:
                break
        return ({k: np.concatenate(v) for k, v in xs.items()}, {k: np.concatenate(v) for k, v in ys.items()})


@dataclass
class StreamedNpz(LoadedData):
    """A `LoadedData` whose feature rows stay in the archive: `train`/`validation` hold each split's first
    rows, `n_rows` counts them all, and `tf_dataset` streams them."""

    train_is_head = False  # its `train` is a sample read its own way (see `LoadedData.head`)

    stream: NpzStream | None = None

    def n_rows(self, which: Which) -> int:
        assert self.stream is not None
        return self.stream.counts.get(which, 0)

    def target_values(self, name: str) -> np.ndarray:
        assert self.stream is not None
        return np.concatenate(self.stream.targets[name])

    def tf_dataset(self, which: Which, batch_size: int, *, shuffle: bool = True, seed: int | None = None) -> Any:
        assert self.stream is not None
        if not self.n_rows(which):
            raise ValueError(f"this dataset has no {which} split")
        import tensorflow as tf

        rows = self.stream.rows(which, batch_size, shuffle=shuffle and which == "train", seed=seed)
        single = len(self.stream.features) == 1, len(self.stream.targets) == 1
        rows = rows.map(lambda x, y: (next(iter(x.values())) if single[0] else x,
                                      next(iter(y.values())) if single[1] else y))
        return rows.apply(tf.data.experimental.assert_cardinality(-(-self.n_rows(which) // batch_size)))


def stream_npz(spec: DatasetSpec, path: Path, validation: Path | None, *, input_names: list[str],
               output_names: list[str], task: Task | None, source_name: str, validation_split: float,
               seed: int | None) -> StreamedNpz | None:
    """The archive as a stream, checked as `load_npz` checks it; None when it is small enough to read whole."""
    plan = plan_npz(spec, path, validation, input_names=input_names, output_names=output_names)
    files, headers, inputs, outputs, used = plan.files, plan.headers, plan.inputs, plan.outputs, plan.used
    feature_members = {name: [members[key] for members in headers] for name, key in inputs.items()}
    size = sum(m.nbytes for members in feature_members.values() for m in members)
    if size <= stream_bytes() or any(m.fortran_order for ms in feature_members.values() for m in ms):
        return None
    for name, members in feature_members.items():
        for file, member in zip(files, members):
            _check_features(file, member)
    targets, tasks, class_names = _targets(files, headers, outputs, task)
    fraction = 0.0 if validation is not None else validation_split
    rows = headers[0][used[0]].shape[0]
    held = None
    if validation is None:
        chosen_seed = seed if seed is not None else random.randrange(_PRIME)
        held = held_out(np.arange(rows, dtype=np.int64), chosen_seed, fraction) if fraction else np.zeros(rows, bool)
    stream = NpzStream(files, feature_members, targets, held)
    stream.counts = ({"train": rows, "validation": headers[1][used[0]].shape[0]} if held is None
                     else {"train": int((~held).sum()), "validation": int(held.sum())})
    train = Split(*stream.sample("train", SAMPLE_ROWS))
    checked = Split(*stream.sample("validation", SAMPLE_ROWS)) if stream.counts["validation"] else None
    return StreamedNpz(train=train, validation=checked, task=tasks[0],
                       feature_columns={name: [key] for name, key in inputs.items()},
                       target_columns={name: [key] for name, key in outputs.items()},
                       class_names=class_names, source_name=source_name, stream=stream)


def _check_features(file: Path, member: NpzMember) -> None:
    """One pass over a feature array: what `load_npz` checks of it, naming the row."""
    if member.dtype.kind not in "biuf":
        raise DatasetError(f"{file.name}: array '{shown(member.name)}' holds {member.dtype} values; model inputs "
                           "must be numbers")
    first = 0
    for chunk in member_rows(file, member, max(1, SLICE_BYTES // max(1, member.nbytes // member.shape[0]))):
        rows = _rows(chunk)
        check_finite(file.name, member.name, rows, first)
        check_float32_range(file.name, member.name, rows, first)
        first += len(rows)


def _targets(files: list[Path], headers: list[dict[str, NpzMember]], outputs: dict[str, str],
             task: Task | None) -> tuple[dict[str, list[np.ndarray]], list[Task], list[str] | None]:
    """Every output's targets, read whole and encoded as `load_npz` encodes them."""
    from netbuilder.training.datasets.npz_members import read_member

    names = [file.name for file in files]
    targets: dict[str, list[np.ndarray]] = {}
    tasks: list[Task] = []
    class_names: list[str] | None = None
    for output, key in outputs.items():
        values = [read_member(file, members[key]) for file, members in zip(files, headers)]
        tasks.append(task or ("regression" if values[0].dtype.kind in "fc" else "classification"))
        if tasks[-1] == "classification":
            found, targets[output] = class_labels(names, key, values)
            class_names = found if class_names is None else class_names
        else:
            targets[output] = [regression_target(name, key, v) for name, v in zip(names, values)]
    return targets, tasks, class_names


def _rows(chunk: np.ndarray) -> np.ndarray:
    """One row per sample, as `load_npz` gives a 1-D array: a column."""
    return chunk.reshape(-1, 1) if chunk.ndim == 1 else chunk
