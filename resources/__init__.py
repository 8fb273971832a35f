"""Bundled data that ships inside the package as `netbuilder.resources` (examples, datasets)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent
EXAMPLES = ROOT / "examples"


def example_path(name: str) -> Path:
    """The bundled example project `name` (with or without `.nbproj`)."""
    return EXAMPLES / (name if name.endswith(".nbproj") else f"{name}.nbproj")


def example_names() -> list[str]:
    return sorted(p.stem for p in EXAMPLES.glob("*.nbproj"))
