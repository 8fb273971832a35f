"""`load_dataset`: any dataset source, checked and split, as arrays keyed by the model's names.

Each kind has its own loader (CSV, `.npz`, image folders); this module picks
one, then splits off the validation rows (shuffled with the run's seed, so a
fixed seed gives the same split every time) unless a separate validation file
is given. Every failure is a `DatasetError` whose message names the file and
the culprit; nothing else escapes, so callers can show it as it is.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

import numpy as np

from netbuilder.training.datasets.csv_loader import load_csv
from netbuilder.training.datasets.csv_stream import stream_csv, wants_streaming
from netbuilder.training.datasets.image_loader import load_images
from netbuilder.training.datasets.image_stream import load_streamed_images, wants_streaming_images
from netbuilder.training.datasets.loaded import LoadedData, Split, Task
from netbuilder.training.datasets.npz_loader import load_npz
from netbuilder.training.datasets.npz_stream import stream_npz
from netbuilder.training.datasets.source import dataset_kind, source_path, validation_path
from netbuilder.training.datasets.spec import DatasetError, DatasetSpec
from netbuilder.training.datasets.text_folder import load_text_folder
from netbuilder.training.datasets.timeseries import load_timeseries
from netbuilder.training.datasets.tfrecord_stream import stream_tfrecord


def load_dataset(spec: DatasetSpec, base_dir: Path | None, *, input_names: list[str], output_names: list[str],
                 validation_split: float = 0.2, seed: int | None = None, task: Task | None = None,
                 text_inputs: Collection[str] = ()) -> LoadedData:
    """Load `spec` for a model with these input and output names.

    Args:
        spec: the project's dataset section.
        base_dir: the project's folder; relative paths in `spec` are relative to it.
        input_names: the model's input names (`model.inputs[i].name`).
        output_names: the model's output names (`model.output_names`).
        validation_split: the fraction of rows held out for validation (0 for none); ignored
            when `spec.validation_file` is given.
        seed: shuffles the rows before the split; the same seed gives the same split.
        task: force "classification" (integer-coded labels become class indices) or "regression";
            by default text targets are classified and numeric ones regressed (`.npz`: integer
            targets are classified). Image folders are always classification.
        text_inputs: the inputs whose Input takes text (dtype string): a CSV column mapped to one
            of them is passed as written, for the model's own preprocessing layers.

    Raises:
        DatasetError: the message names the file and what is wrong in it.
    """
    if not 0 <= validation_split < 1:
        raise DatasetError(f"validation split must be at least 0 and less than 1, got {validation_split}")
    kind = dataset_kind(spec, base_dir)
    path = source_path(spec, base_dir)
    validation = validation_path(spec, base_dir)
    source_name = spec.source if spec.bundled_name else path.name
    common = {"input_names": input_names, "output_names": output_names, "source_name": source_name}
    if kind == "timeseries":
        return load_timeseries(spec, path, validation, task=task, validation_split=validation_split, **common)
    streamed = _streamed(kind, spec, path, validation, task=task, validation_split=validation_split, seed=seed,
                         text_inputs=text_inputs, **common)
    if streamed is not None:
        if validation is None:  # the stream split its rows itself; a side left empty is refused the same way
            check_split(streamed.n_rows("train") + streamed.n_rows("validation"), streamed.n_rows("validation"),
                        validation_split, source_name)
        return streamed
    if kind == "csv":
        data = load_csv(spec, path, validation, task=task, text_inputs=text_inputs, **common)
    elif kind == "npz":
        data = load_npz(spec, path, validation, task=task, **common)
    else:
        data = load_images(spec, path, validation, **common)
    if validation is None:
        data.train, data.validation = split_rows(data.train, validation_split, seed, source_name)
    return data


def _streamed(kind: str, spec: DatasetSpec, path: Path, validation: Path | None, *, task: Task | None,
              validation_split: float, seed: int | None, text_inputs: Collection[str],
              **common: Any) -> LoadedData | None:
    """The dataset read from its files while training, when its kind and size call for it; else None."""
    split = {"validation_split": validation_split, "seed": seed}
    if kind == "csv" and wants_streaming(path, validation):
        return stream_csv(spec, path, validation, task=task, text_inputs=text_inputs, **split, **common)
    if kind == "images" and wants_streaming_images(path, validation):
        return load_streamed_images(spec, path, validation, **split, **common)
    if kind == "text":
        return load_text_folder(spec, path, validation, **split, **common)
    if kind == "tfrecord":
        return stream_tfrecord(spec, path, validation, task=task, **split, **common)
    if kind == "npz":
        return stream_npz(spec, path, validation, task=task, **split, **common)
    return None


def split_rows(split: Split, fraction: float, seed: int | None, source_name: str) -> tuple[Split, Split | None]:
    """(training, validation) rows; each keeps the file's order so row i of a split reads naturally."""
    if fraction == 0:
        return split, None
    n = len(split)
    held_out = int(n * fraction)
    check_split(n, held_out, fraction, source_name)
    order = np.random.default_rng(seed).permutation(n)
    return split.rows(np.sort(order[held_out:])), split.rows(np.sort(order[:held_out]))


def check_split(n: int, held_out: int, fraction: float, source_name: str) -> None:
    """Refuse a split that leaves one side empty."""
    if fraction and (held_out == 0 or held_out == n):
        raise DatasetError(f"{source_name}: a validation split of {fraction:g} of {n} rows leaves "
                           f"{'no validation rows' if held_out == 0 else 'no rows to train on'}")
