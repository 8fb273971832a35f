"""A quick look at a dataset before loading it: the first rows and what each column holds.

Used by the training panel's preview table and column mapping, so it never
imports TensorFlow: a CSV file's first rows are shown as written, with each
column's kind taken from the whole file (for a file too big to hold, from the
streaming pass training reuses, so it is never read whole), and a time series
the same way, its note saying how windows are cut; a `.npz` archive shows one row per
array (read from the array headers, not the data); an image folder one row
per class folder with its image count, a text folder one row per class with
its file count and the first lines of its first files, a TFRecord dataset one
row per feature (its dtype, shape and first values, from the first record; the
records counted from their headers).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from netbuilder.training.datasets.csv_scan import scan_csv, scan_kinds
from netbuilder.training.datasets.csv_stream import wants_streaming
from netbuilder.training.datasets.csv_table import ColumnKind, read_csv
from netbuilder.training.datasets.image_loader import class_folders
from netbuilder.training.datasets.npz_loader import NPZ_FEATURES
from netbuilder.training.datasets.npz_members import npz_members
from netbuilder.training.datasets.source import dataset_kind, source_path
from netbuilder.training.datasets.spec import DatasetSpec
from netbuilder.training.datasets.text_file import read_text
from netbuilder.training.datasets.text_folder import first_lines, text_class_folders
from netbuilder.training.datasets.tfrecord_format import Feature
from netbuilder.training.datasets.tfrecord_scan import scan_tfrecord


@dataclass
class Preview:
    """What the preview table shows. `kinds` says, per CSV column (per array for `.npz`), whether it
    holds numbers, text (one-hot encoded for a numeric input, as it is for a string one) or nothing; `n_rows` counts the data rows
    (the samples of an `.npz` file, the images of a folder); `note` is a one-line summary."""

    columns: list[str]
    rows: list[list[str]]
    kinds: dict[str, ColumnKind]
    n_rows: int
    note: str


def preview_dataset(spec: DatasetSpec, base_dir: Path | None, rows: int = 50) -> Preview:
    """The first `rows` rows of `spec`'s data; DatasetError as `load_dataset` would say it."""
    kind = dataset_kind(spec, base_dir)
    path = source_path(spec, base_dir)
    if kind == "csv":
        return _csv_preview(path, rows)
    if kind == "timeseries":
        return _series_preview(spec, _csv_preview(path, rows))
    if kind == "npz":
        return _npz_preview(path)
    if kind == "tfrecord":
        return _tfrecord_preview(path)
    if kind == "text":
        return _text_preview(path)
    return _images_preview(spec, path)


def _csv_preview(path: Path, rows: int) -> Preview:
    scan = scan_csv(path) if wants_streaming(path, None) else None
    if scan is not None:  # a file too big to hold: the streaming pass knows the kinds and the rows
        columns, n_rows, kinds = scan.columns, scan.rows, scan_kinds(scan)
        with path.open(encoding="utf-8-sig", newline="") as fh:
            shown = _first_rows(csv.reader(fh), rows)
    else:
        table = read_csv(path)
        columns, n_rows = table.columns, table.n_rows
        kinds = {column: table.kind(column) for column in table.columns}
        shown = _first_rows(csv.reader(io.StringIO(read_text(path, "a CSV file"))), rows)
    text = [c for c, k in kinds.items() if k == "categorical"]
    note = f"{n_rows:,} rows × {len(columns)} columns; " + (
        f"text columns ({', '.join(text)}) are one-hot encoded for a numeric input and passed as text to a "
        "string input (a preprocessing block's)" if text else "every column holds numbers")
    if scan is not None:
        note += "; streamed from the file while training (too big to hold)"
    return Preview(columns, shown, kinds, n_rows, note)


def _series_preview(spec: DatasetSpec, table: Preview) -> Preview:
    """A CSV series shows its first rows as a table does; the note says how they become examples."""
    steps = f"{spec.horizon} step{'s' if spec.horizon != 1 else ''}"
    note = (f"{table.n_rows:,} rows (time steps, in order) × {len(table.columns)} columns; a time series: windows "
            f"of {spec.window} rows forecast the target {steps} after each window's last row")
    return Preview(table.columns, table.rows, table.kinds, table.n_rows, note)


def _first_rows(reader: Iterator[list[str]], rows: int) -> list[list[str]]:
    """The first `rows` data rows after the header, blank lines skipped."""
    next(reader, None)
    shown: list[list[str]] = []
    for row in reader:
        if len(shown) == rows:
            break
        if row:
            shown.append(row)
    return shown


def _npz_preview(path: Path) -> Preview:
    # The headers say shape and dtype; reading them instead of the arrays keeps a big file's preview instant.
    members = npz_members(path)
    table = [[name, str(member.shape), str(member.dtype)] for name, member in members.items()]
    kinds: dict[str, ColumnKind] = {name: "numeric" if member.dtype.kind in "biuf" else "categorical"
                                    for name, member in members.items()}
    shapes = {name: member.shape for name, member in members.items()}
    samples = shapes.get(NPZ_FEATURES) or next(iter(shapes.values()), ())
    n_rows = samples[0] if samples else 0
    note = f"NumPy archive with {len(members)} arrays; each array's first dimension counts the samples"
    return Preview(["array", "shape", "dtype"], table, kinds, n_rows, note)


def _tfrecord_preview(path: Path) -> Preview:
    # The record headers count the records; only the first records are decoded, so a big file previews at once.
    scan = scan_tfrecord(path)
    first = scan.first[0]
    table = [[info.name, info.dtype, f"({info.length},)", _first_values(first[info.name])]
             for info in scan.features.values()]
    kinds: dict[str, ColumnKind] = {name: "categorical" if info.kind == "bytes" else "numeric"
                                    for name, info in scan.features.items()}
    note = (f"TFRecord with {scan.records:,} records in {len(scan.files)} file{'s' if len(scan.files) > 1 else ''}"
            f", {len(scan.features)} features each; streamed from the files while training")
    return Preview(["feature", "dtype", "shape", "first values"], table, kinds, scan.records, note)


def _first_values(feature: Feature, count: int = 6) -> str:
    values = feature.values[:count]
    shown = [repr(v)[:24] if isinstance(v, bytes) else f"{v:g}" for v in values]
    return ", ".join(shown) + (", …" if len(feature) > count else "")


def _text_preview(path: Path, shown_files: int = 3) -> Preview:
    # A class's first few files, read one by one: the folder's other documents are only counted.
    counts = text_class_folders(path)
    total = sum(counts.values())
    table = [[name, str(n), " | ".join(first_lines(path, name, shown_files))] for name, n in counts.items()]
    note = (f"{total:,} text files in {len(counts)} classes; each file is one document, fed to the model as a raw "
            "string (start it with a TextVectorization layer) and streamed from the files while training")
    return Preview(["class", "files", "first lines"], table,
                   {"class": "categorical", "files": "numeric", "first lines": "categorical"}, total, note)


def _images_preview(spec: DatasetSpec, path: Path) -> Preview:
    counts = class_folders(path)
    total = sum(counts.values())
    height, width = spec.image_size
    note = (f"{total:,} images in {len(counts)} classes; loaded as {height}×{width} {spec.color_mode} "
            "with pixel values 0–255")
    return Preview(["class", "images"], [[name, str(n)] for name, n in counts.items()],
                   {"class": "categorical", "images": "numeric"}, total, note)
