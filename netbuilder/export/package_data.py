"""The dataset a training package carries: a copy in `data/`, small enough and the user's to share.

A dataset over `BIG_DATA_BYTES` is not copied: `train.py` reads it where it
is, by its absolute path. One that would be copied from outside the
project's folder (see `datasets.sharing`) needs the user's consent,
`--include-outside-data` on the command line or a yes in the Export dialog;
without it the export stops with `OutsideDataError`, naming the path, before
anything is copied.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from netbuilder.export.package_train import PackageLayout
from netbuilder.training.datasets.sharing import OutsideDataError, data_files, outside_folder, resolved
from netbuilder.training.datasets.source import source_path, validation_path
from netbuilder.training.datasets.spec import DatasetError, DatasetSpec

BIG_DATA_BYTES = 200 * 1024 * 1024


def place_data(spec: DatasetSpec, base: Path | None, work: Path, *,
               include_outside_data: bool) -> tuple[PackageLayout, bool]:
    """Copy the dataset (and a validation file) into `work/data/`, unless it is too big to carry along.

    `base` is the project's folder. Returns where train.py finds the data and whether it was copied.

    Raises:
        OutsideDataError: some of it lies outside `base` and `include_outside_data` is False.
    """
    sources = [p for p in (source_path(spec, base), validation_path(spec, base)) if p is not None]
    for source in sources:
        if not source.exists():
            raise DatasetError(f"{source}: no such file or folder; the package needs the dataset")
    if sum(_size(s) for s in sources) > BIG_DATA_BYTES:
        return PackageLayout(*(str(s.resolve()) for s in sources)), False
    if spec.bundled_name is None and not include_outside_data:
        outside = outside_folder(sources, base)
        if outside:
            raise OutsideDataError(outside, resolved(base) if base is not None else None)
    places = [f"data/{sources[0].name}", *([f"data/validation/{sources[1].name}"] if len(sources) == 2 else [])]
    for source, place in zip(sources, places):
        target = work / place
        if source.is_dir():
            target.mkdir(parents=True)
            for file in data_files(source):
                copy = target / file.relative_to(source)
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(file, copy)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    return PackageLayout(*places), True


def _size(path: Path) -> int:
    return path.stat().st_size if path.is_file() else sum(f.stat().st_size for f in data_files(path))
