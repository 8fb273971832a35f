"""A fingerprint of a dataset as training sees it: what is worth caching is keyed by it.

Statistics learnt from the training split (a `Normalization`'s mean, a
vocabulary) stay right while the files, the way they are read and the split
stay the same. The fingerprint hashes the dataset section, the validation
split and seed, and each file's path, size and modification time (for a
folder, those of every file in it) without reading any file's contents, so it
costs a directory walk even for 100,000 images. Without a seed the split is
new on every run, and so is what was learnt: there is no fingerprint.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from netbuilder.training.datasets.source import source_path, validation_path
from netbuilder.training.datasets.spec import DatasetError, DatasetSpec

MAX_ENTRIES = 1_000_000  # beyond this many files a folder is not walked: nothing is cached


def dataset_fingerprint(spec: DatasetSpec, base_dir: Path | None, *, validation_split: float,
                        seed: int | None) -> str:
    """A hex digest that changes when the training rows may have changed; "" when it cannot be told."""
    if seed is None and not spec.validation_file and validation_split:
        return ""
    try:
        paths = [source_path(spec, base_dir), validation_path(spec, base_dir)]
    except DatasetError:
        return ""
    digest = hashlib.sha256(json.dumps([spec.to_section(), validation_split, seed], sort_keys=True).encode())
    for path in paths:
        if path is not None and not _add_files(digest, path):
            return ""
    return digest.hexdigest()


def _add_files(digest: "hashlib._Hash", path: Path) -> bool:
    try:
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
            return True
        entries = 0
        for root, folders, files in os.walk(path):
            folders.sort()
            for name in sorted(files):
                stat = os.stat(os.path.join(root, name))
                digest.update(f"{os.path.relpath(os.path.join(root, name), path)}|{stat.st_size}|"
                              f"{stat.st_mtime_ns}\n".encode())
                entries += 1
                if entries > MAX_ENTRIES:
                    return False
        digest.update(str(path.resolve()).encode())
        return True
    except OSError:
        return False
