"""Bundled data that ships inside the package as `netbuilder.resources` (examples, datasets)."""

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
EXAMPLES = ROOT / "examples"
DATASETS = ROOT / "datasets"


def example_path(name: str) -> Path:
    """The bundled example project `name` (with or without `.nbproj`)."""
    return EXAMPLES / (name if name.endswith(".nbproj") else f"{name}.nbproj")


def example_names() -> list[str]:
    return sorted(p.stem for p in EXAMPLES.glob("*.nbproj"))


def example_title(name: str) -> str:
    """What an example is called on the start page and in menus: the `"title"` its file gives ("MLP 128-10").

    A file without one (or one that cannot be read) is called by its name made readable,
    `my_example` → "My example", so a new example is listed before anyone titles it.
    """
    try:
        title = json.loads(example_path(name).read_text(encoding="utf-8")).get("title")
    except (OSError, ValueError, AttributeError):
        title = None
    if isinstance(title, str) and title.strip():
        return title.strip()
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def dataset_index() -> list[dict[str, Any]]:
    """The bundled datasets as `datasets/index.json` describes them (name, title, file, source, licence, …)."""
    return json.loads((DATASETS / "index.json").read_text(encoding="utf-8"))


def dataset_names() -> list[str]:
    return sorted(entry["name"] for entry in dataset_index())


def dataset_path(name: str) -> Path | None:
    """The file or folder of the bundled dataset `name`, or None if there is none by that name."""
    return next((DATASETS / entry["file"] for entry in dataset_index() if entry["name"] == name), None)
