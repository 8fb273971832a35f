"""Where a dataset's files are and what kind of dataset they hold.

`bundled:NAME` points into the package's own data; anything else is a path
relative to the project's folder. The kind comes from the spec when it says
so, else from the file's suffix (`.csv`, `.npz`) or from being a folder (of
images or of `.txt` files in class sub-folders: the files' suffixes tell which).
"""

from __future__ import annotations

from pathlib import Path

from netbuilder.training.datasets.spec import DatasetError, DatasetSpec
from netbuilder.training.datasets.tfrecord_scan import is_tfrecord_folder
from netbuilder.training.datasets.text_folder import holds_text_files

SUFFIX_KINDS = {".csv": "csv", ".npz": "npz", ".tfrecord": "tfrecord", ".tfrecords": "tfrecord"}


def source_path(spec: DatasetSpec, base_dir: Path | None) -> Path:
    """The file or folder `spec.source` names (not checked to exist: the loaders say what is wrong)."""
    name = spec.bundled_name
    if name is not None:
        # Imported here: a training package's copy of this module has no bundled sets to look up.
        from netbuilder.training.datasets.bundled import bundled_dataset

        return bundled_dataset(name).path
    if not spec.source.strip():
        raise DatasetError("dataset: no source chosen; pick a CSV or .npz file, a folder of images "
                           "or a bundled dataset")
    return spec.resolve(spec.source, base_dir)


def validation_path(spec: DatasetSpec, base_dir: Path | None) -> Path | None:
    return None if not spec.validation_file else spec.resolve(spec.validation_file, base_dir)


def dataset_kind(spec: DatasetSpec, base_dir: Path | None) -> str:
    """"csv", "npz", "images", "text", …: the spec's own `kind`, else a bundled set's (its index says a series
    is one), else what the source looks like."""
    if spec.kind:
        return spec.kind
    if spec.bundled_name is not None:
        from netbuilder.training.datasets.bundled import bundled_dataset

        bundled = bundled_dataset(spec.bundled_name).kind
        if bundled:
            return bundled
    return kind_of_path(source_path(spec, base_dir))


def kind_of_path(path: Path) -> str:
    kind = SUFFIX_KINDS.get(path.suffix.lower())
    if kind is not None:
        return kind
    if is_tfrecord_folder(path):
        return "tfrecord"
    if path.is_dir():
        return "text" if holds_text_files(path) else "images"
    if not path.exists():
        raise DatasetError(f"{path}: no such file or folder")
    raise DatasetError(f"{path.name}: cannot tell what kind of dataset this is; give a .csv or .npz file, "
                       "or a folder of images or text files in class sub-folders (or set the dataset's kind)")
