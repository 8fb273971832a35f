"""Where a dataset's files are and what kind of dataset they hold.

`bundled:NAME` points into the package's own data; anything else is a path
relative to the project's folder. The kind comes from the spec when it says
so, else from the file's suffix (`.csv`, `.npz`) or from being a folder (a
folder of images in class sub-folders).
"""

from __future__ import annotations

from pathlib import Path

from netbuilder.training.datasets.bundled import bundled_dataset
from netbuilder.training.datasets.spec import DatasetError, DatasetSpec

SUFFIX_KINDS = {".csv": "csv", ".npz": "npz"}


def source_path(spec: DatasetSpec, base_dir: Path | None) -> Path:
    """The file or folder `spec.source` names (not checked to exist: the loaders say what is wrong)."""
    name = spec.bundled_name
    if name is not None:
        return bundled_dataset(name).path
    if not spec.source.strip():
        raise DatasetError("dataset: no source chosen; pick a CSV or .npz file, a folder of images "
                           "or a bundled dataset")
    return spec.resolve(spec.source, base_dir)


def validation_path(spec: DatasetSpec, base_dir: Path | None) -> Path | None:
    return None if not spec.validation_file else spec.resolve(spec.validation_file, base_dir)


def dataset_kind(spec: DatasetSpec, base_dir: Path | None) -> str:
    """"csv", "npz" or "images": the spec's own `kind`, else what the source looks like."""
    return spec.kind or kind_of_path(source_path(spec, base_dir))


def kind_of_path(path: Path) -> str:
    kind = SUFFIX_KINDS.get(path.suffix.lower())
    if kind is not None:
        return kind
    if path.is_dir():
        return "images"
    if not path.exists():
        raise DatasetError(f"{path}: no such file or folder")
    raise DatasetError(f"{path.name}: cannot tell what kind of dataset this is; give a .csv or .npz file, "
                       "or a folder of images in class sub-folders (or set the dataset's kind)")
