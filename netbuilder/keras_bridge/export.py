"""Project → files: the `.keras` export (other formats join here as they land)."""

from __future__ import annotations

from pathlib import Path

from netbuilder.catalog import Catalog
from netbuilder.graph import Project
from netbuilder.graph.atomic_file import replacing
from netbuilder.keras_bridge.build import Built, build_model
from netbuilder.keras_bridge.errors import BridgeError

WEIGHTS_SUFFIX = ".weights.h5"


def export_keras(project: Project, out: Path, catalog: Catalog | None = None, run: Path | None = None) -> Built:
    """Write the model (with the project's saved weights, or a run's) as one `.keras` file, atomically.

    A name ending in `.weights.h5` gets the weights alone, for code that builds
    the model itself (`model.load_weights`).
    """
    weights_only = out.name.endswith(WEIGHTS_SUFFIX)
    if out.suffix != ".keras" and not weights_only:
        raise BridgeError([f"{out}: a Keras model file must end in .keras (or {WEIGHTS_SUFFIX} for the weights alone)"])
    built = built_with_weights(project, catalog, run)
    with replacing(out, suffix=WEIGHTS_SUFFIX if weights_only else ".keras") as tmp:  # Keras insists on the extension
        if weights_only:
            built.model.save_weights(tmp)
        else:
            built.model.save(tmp)
    return built


def built_with_weights(project: Project, catalog: Catalog | None = None, run: Path | None = None) -> Built:
    """The project's model with its saved weights, or with those a training run ended with.

    A run folder keeps the trained model as `model.keras`; its weights go into
    a model freshly built from the project, so what is exported is always the
    graph as drawn now — and a graph edited since the run is refused by name.
    """
    from netbuilder.keras_bridge.importer import load_model_file

    built = build_model(project, catalog, with_weights=run is None)
    if run is None:
        return built
    source = run / "model.keras"
    if not source.is_file():
        raise BridgeError([f"{run}: not a finished training run (no model.keras)"])
    trained = load_model_file(source)
    try:
        built.model.set_weights(trained.get_weights())
    except ValueError:
        raise BridgeError([f"{run}: the run's weights do not fit the project's model any more "
                           "(the graph changed since that run); train again or export without --run"]) from None
    return built
