"""Project → files: the `.keras` export (other formats join here as they land)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from netbuilder.catalog import Catalog
from netbuilder.graph import Project
from netbuilder.keras_bridge.build import Built, build_model
from netbuilder.keras_bridge.errors import BridgeError


def export_keras(project: Project, out: Path, catalog: Catalog | None = None) -> Built:
    """Write the model (with the project's saved weights) as one `.keras` file, atomically."""
    if out.suffix != ".keras":
        raise BridgeError([f"{out}: a Keras model file must end in .keras"])
    built = build_model(project, catalog)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.stem}.", suffix=".keras", dir=out.parent)
    os.close(fd)
    try:
        built.model.save(tmp)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return built
