"""The sample datasets that ship with netbuilder, in `resources/datasets/`.

Their list lives beside the data (`resources/datasets/index.json`), so adding
a set means adding files and an entry there, not code. A project refers to one
as `bundled:NAME`; nothing is ever fetched at run time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from netbuilder import resources
from netbuilder.training.datasets.spec import DatasetError


@dataclass(frozen=True)
class BundledDataset:
    """One bundled set: what it is, where it came from, its licence and its file or folder."""

    name: str
    title: str  # what a user reads ("Restaurant tips"); the task is shown beside it, never in it
    task: str
    target: list[str]
    description: str
    source: str
    licence: str
    path: Path
    kind: str | None = None  # what its file is read as, when not what the file looks like ("timeseries")


def bundled_datasets() -> list[BundledDataset]:
    """Every bundled dataset, in the order the index lists them."""
    return [
        BundledDataset(
            name=entry["name"], title=entry["title"], task=entry["task"], target=list(entry["target"]),
            description=entry["description"], source=entry["source"], licence=entry["licence"],
            path=resources.DATASETS / entry["file"], kind=entry.get("kind"),
        )
        for entry in resources.dataset_index()
    ]


def bundled_dataset(name: str) -> BundledDataset:
    """The bundled set `name`; DatasetError lists the names there are."""
    sets = bundled_datasets()
    for found in sets:
        if found.name == name:
            return found
    raise DatasetError(f"bundled:{name}: there is no bundled dataset '{name}'; "
                       f"there are: {', '.join(s.name for s in sets)}")
