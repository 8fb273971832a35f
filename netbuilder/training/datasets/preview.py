"""A quick look at a dataset before loading it: the first rows and what each column holds.

Used by the training panel's preview table and column mapping, so it never
imports TensorFlow: a CSV file's first rows are shown as written, with each
column's kind taken from the whole file; a `.npz` archive shows one row per
array (read from the array headers, not the data); an image folder one row
per class folder with its image count.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from netbuilder.training.datasets.csv_table import ColumnKind, read_csv
from netbuilder.training.datasets.image_loader import class_folders
from netbuilder.training.datasets.npz_loader import NPZ_FEATURES
from netbuilder.training.datasets.npz_loader import WHAT as NPZ_WHAT
from netbuilder.training.datasets.source import dataset_kind, source_path
from netbuilder.training.datasets.spec import DatasetError, DatasetSpec
from netbuilder.training.datasets.text_file import check_file, read_text


@dataclass
class Preview:
    """What the preview table shows. `kinds` says, per CSV column (per array for `.npz`), whether it
    holds numbers, text (one-hot encoded when used) or nothing; `n_rows` counts the data rows
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
    if kind == "npz":
        return _npz_preview(path)
    return _images_preview(spec, path)


def _csv_preview(path: Path, rows: int) -> Preview:
    table = read_csv(path)
    reader = csv.reader(io.StringIO(read_text(path, "a CSV file")))
    next(reader)
    shown = []
    for row in reader:
        if len(shown) == rows:
            break
        if row:
            shown.append(row)
    kinds = {column: table.kind(column) for column in table.columns}
    text = [c for c, k in kinds.items() if k == "categorical"]
    note = f"{table.n_rows:,} rows × {len(table.columns)} columns; " + (
        f"text columns ({', '.join(text)}) are one-hot encoded when used" if text else "every column holds numbers")
    return Preview(table.columns, shown, kinds, table.n_rows, note)


def _npz_preview(path: Path) -> Preview:
    check_file(path, NPZ_WHAT)
    try:
        with zipfile.ZipFile(path) as archive:
            headers = [(member[:-4] if member.endswith(".npy") else member, _array_header(archive, member))
                       for member in archive.namelist()]
    except (zipfile.BadZipFile, ValueError, OSError):
        raise DatasetError(f"{path.name}: is not a NumPy .npz archive (np.savez writes one)") from None
    table = [[name, str(shape), str(dtype)] for name, (shape, dtype) in headers]
    kinds: dict[str, ColumnKind] = {name: "numeric" if dtype.kind in "biuf" else "categorical"
                                    for name, (_, dtype) in headers}
    shapes = dict((name, shape) for name, (shape, _) in headers)
    samples = shapes.get(NPZ_FEATURES) or next(iter(shapes.values()), ())
    n_rows = samples[0] if samples else 0
    note = f"NumPy archive with {len(headers)} arrays; each array's first dimension counts the samples"
    return Preview(["array", "shape", "dtype"], table, kinds, n_rows, note)


def _array_header(archive: zipfile.ZipFile, member: str) -> tuple[tuple[int, ...], np.dtype]:
    # The header says shape and dtype; reading it instead of the array keeps a big file's preview instant.
    with archive.open(member) as fh:
        version = np.lib.format.read_magic(fh)
        read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, _, dtype = read(fh)
    return shape, dtype


def _images_preview(spec: DatasetSpec, path: Path) -> Preview:
    counts = class_folders(path)
    total = sum(counts.values())
    height, width = spec.image_size
    note = (f"{total:,} images in {len(counts)} classes; loaded as {height}×{width} {spec.color_mode} "
            "with pixel values 0–255")
    return Preview(["class", "images"], [[name, str(n)] for name, n in counts.items()],
                   {"class": "categorical", "images": "numeric"}, total, note)
