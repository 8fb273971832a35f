"""Project → files: the `.keras` export (other formats join here as they land)."""

from __future__ import annotations

from pathlib import Path

from netbuilder.catalog import Catalog
from netbuilder.graph import Project
from netbuilder.graph.atomic_file import replacing
from netbuilder.keras_bridge.build import Built, build_model
from netbuilder.keras_bridge.errors import BridgeError


def export_keras(project: Project, out: Path, catalog: Catalog | None = None) -> Built:
    """Write the model (with the project's saved weights) as one `.keras` file, atomically."""
    if out.suffix != ".keras":
        raise BridgeError([f"{out}: a Keras model file must end in .keras"])
    built = build_model(project, catalog)
    with replacing(out, suffix=".keras") as tmp:  # Keras insists on the extension
        built.model.save(tmp)
    return built
