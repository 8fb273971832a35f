"""Graph → `keras.Model`, with the project's saved weights loaded when present."""

from __future__ import annotations

from dataclasses import dataclass, field

import keras

from netbuilder.catalog import Catalog
from netbuilder.graph import Project
from netbuilder.keras_bridge.checks import ProjectChecker
from netbuilder.keras_bridge.errors import BridgeError
from netbuilder.keras_bridge.model_io import graph_io
from netbuilder.keras_bridge.tracer import model_from_results
from netbuilder.keras_bridge.weights import load_weights


@dataclass
class Built:
    """A built model and what was noticed on the way (e.g. weights that no longer fit)."""

    model: keras.Model
    checker: ProjectChecker
    notes: list[str] = field(default_factory=list)


def build_model(project: Project, catalog: Catalog | None = None, *, with_weights: bool = True) -> Built:
    """The functional model the graph describes; BridgeError lists every problem.

    With `with_weights`, weights saved beside the project (imported or trained)
    are loaded into the new layers by node id. The project's `io` section
    names or nests the model's inputs and outputs (see `model_io`).
    """
    checker = ProjectChecker(project, catalog)
    report = checker.check(build_model=True)
    if report.problems or report.model is None:
        raise BridgeError(report.problems or ["the graph did not produce a model"])
    model = report.model
    io = graph_io(project, "")
    if io:  # named or nested inputs and outputs: the same tensors, arranged as the project says
        model = model_from_results(project.graph, dict(report.results), project.name, io)
    built = Built(model, checker)
    path = project.weights_path
    if with_weights and path is not None and path.exists():
        try:
            built.notes = load_weights(path, checker.node_layers())
        except OSError as exc:
            built.notes = [f"{path.name}: cannot read the saved weights ({exc}); using fresh ones"]
    return built
