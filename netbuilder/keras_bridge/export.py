"""Project → model files: `.keras`, `.weights.h5`, with the project's or a training run's weights (SavedModel: export/savedmodel.py)."""

from __future__ import annotations

from pathlib import Path

import keras

from netbuilder.catalog import Catalog
from netbuilder.graph import Project
from netbuilder.graph.atomic_file import replacing
from netbuilder.keras_bridge.build import Built, build_model
from netbuilder.keras_bridge.errors import BridgeError

WEIGHTS_SUFFIX = ".weights.h5"


def export_keras(project: Project, out: Path, catalog: Catalog | None = None, run: Path | None = None) -> Built:
    """Write the model (with the project's saved weights, or a run's) to `out`; see `save_model_file`."""
    check_model_file_name(out)
    built = built_with_weights(project, catalog, run)
    save_model_file(built.model, out)
    return built


def check_model_file_name(out: Path) -> None:
    if out.suffix != ".keras" and not out.name.endswith(WEIGHTS_SUFFIX):
        raise BridgeError([f"{out}: a Keras model file must end in .keras (or {WEIGHTS_SUFFIX} for the weights alone)"])


def save_model_file(model: keras.Model, out: Path) -> None:
    """Save `model` as one `.keras` file, atomically; a name ending in `.weights.h5` gets the
    weights alone, for code that builds the model itself (`model.load_weights`)."""
    check_model_file_name(out)
    weights_only = out.name.endswith(WEIGHTS_SUFFIX)
    with replacing(out, suffix=WEIGHTS_SUFFIX if weights_only else ".keras") as tmp:  # Keras insists on the extension
        if weights_only:
            model.save_weights(tmp)
        else:
            model.save(tmp)


def built_with_weights(project: Project, catalog: Catalog | None = None, run: Path | None = None, *,
                       untrained: bool = False) -> Built:
    """The project's model with its saved weights, with those a training run ended with, or untrained.

    A run folder keeps the trained model as `model.keras`; its weights go into
    a model freshly built from the project, so what is exported is always the
    graph as drawn now — and a graph edited since the run is refused by name.
    """
    from netbuilder.keras_bridge.importer import load_model_file
    from netbuilder.keras_bridge.layer_state import copy_states

    if untrained and run is not None:
        raise ValueError("a run's weights or untrained ones, not both")
    built = build_model(project, catalog, with_weights=run is None and not untrained)
    if run is None:
        return built
    source = run / "model.keras"
    if not source.is_file():
        raise BridgeError([f"{run}: not a finished training run (no model.keras)"])
    trained = load_model_file(source)
    try:
        built.model.set_weights(trained.get_weights())
        copy_states(trained, built.model)
        for layer in built.model._flatten_layers(include_self=False):
            if isinstance(layer, keras.layers.Normalization):
                layer.finalize_state()  # its mean and variance are computed from the weights just set
    except ValueError:
        raise BridgeError([f"{run}: the run's weights do not fit the project's model any more "
                           "(the graph changed since that run); train again or export without --run"]) from None
    return built
