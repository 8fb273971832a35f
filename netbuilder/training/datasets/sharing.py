"""Whether a dataset may leave with its project: the files it reads from outside the project's folder.

A project names its dataset by a path, and a project file can come from
anyone: one whose dataset is `~/.ssh/id_rsa`, or a folder of "images" that
link there, must not pull that file into something its user shares (a
training package). Reading such a file to train is fine, as the user sees
what they train on; copying it out needs their consent, and
`OutsideDataError` is how a writer asks for it. Paths are compared once
links and `..` are followed; bundled datasets ship with netbuilder and never
count.
"""

from __future__ import annotations

import os
from pathlib import Path

from netbuilder.training.datasets.spec import DatasetError


class OutsideDataError(DatasetError):
    """Files that would be copied from outside the project's folder, which the user has not agreed to.

    `paths` are the files as they resolve; `folder` is the project's folder (None: the project is not saved).
    """

    def __init__(self, paths: list[Path], folder: Path | None) -> None:
        self.paths = paths
        self.folder = folder
        more = f" (and {len(paths) - 1} more files)" if len(paths) > 1 else ""
        where = (f"outside the project's folder ({folder})" if folder is not None
                 else "outside any project folder (the project is not saved)")
        super().__init__(f"{paths[0]}{more}: the dataset lies {where}; a training package would carry a copy of it")


def outside_folder(sources: list[Path], folder: Path | None) -> list[Path]:
    """The files of `sources` (files, or folders of files) that resolve to somewhere outside `folder`;
    every one of them when there is no folder."""
    inside = resolved(folder) if folder is not None else None
    found = [resolved(f) for source in sources for f in ([source] if source.is_file() else sorted(data_files(source)))]
    return [f for f in found if inside is None or not f.is_relative_to(inside)]


def data_files(folder: Path) -> list[Path]:
    """Every file under `folder`, through links, as a copy reads them."""
    return [Path(root, name) for root, _, names in os.walk(folder, followlinks=True) for name in names]


def resolved(path: Path) -> Path:
    """`path` with links and `..` followed; a link loop, which cannot be followed, stays as it is (and
    so counts as outside: what it would copy cannot be known)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # Python 3.11 reports a loop as RuntimeError, later ones as OSError
        return path.absolute()
