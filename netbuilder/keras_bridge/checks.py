"""Everything that can be wrong with a project, in one list: structure, settings, shapes.

`check_project` is what `netbuilder validate` prints and what the editor shows;
`ProjectChecker` keeps its tracer between calls so that re-checking after an
edit only re-infers shapes downstream of that edit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

import keras

from netbuilder.catalog import Catalog, load_catalog
from netbuilder.catalog.project_check import StructuralChecker
from netbuilder.graph import SUBMODEL_LAYER, Graph, Problem, Project
from netbuilder.keras_bridge.errors import BridgeError
from netbuilder.keras_bridge.model_io import graph_io
from netbuilder.keras_bridge.tracer import NodeResult, Tracer, model_from_results


@dataclass
class Report:
    """The outcome of a check: problems (empty when valid), per-node results, the model.

    `results` is a read-only view of the checker's own results, which the next
    check updates in place (copying 10,000 of them would cost more than the
    re-check itself); copy it to keep it.
    """

    problems: list[Problem] = field(default_factory=list)
    results: Mapping[str, NodeResult] = field(default_factory=dict)
    model: keras.Model | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def shapes(self) -> dict[str, list[tuple[Any, ...]] | None]:
        """Output shapes per node of the main graph (None where unknown)."""
        return {nid: r.shapes for nid, r in self.results.items()}


class ProjectChecker:
    """Re-checks a project after each edit for the cost of what the edit touched.

    The structural checks and the tracer both follow the graphs' edits and redo
    only what changed (and, for shapes, what lies downstream of it), so one
    edit in a graph of 10,000 layers is re-checked in milliseconds; the report
    is always the one a fresh checker would give.
    """

    def __init__(self, project: Project, catalog: Catalog | None = None) -> None:
        self.project = project
        self.catalog = catalog or load_catalog()
        self.structure = StructuralChecker(project, self.catalog)
        self.tracer = Tracer(project, self.catalog)

    def check(self, build_model: bool = False) -> Report:
        structural = self.structure.problems()
        graph = self.project.graph
        results = self.tracer.run(graph)
        if not self.tracer.traced():
            # A cycle: no order to trace shapes in (the last run's shapes are forgotten);
            # still say what is wrong with each node itself.
            static = [
                Problem(n.id, msg, n.layer) for n in graph.nodes for msg in self.tracer.settings_problems(n)
            ]
            return Report(problems=structural + static)
        # Every node is traced, even ones with structural problems: a fresh, unconnected
        # Input still has a shape the editor shows and checks new wires against.
        # Their tracing errors repeat the structural ones and are dropped below.
        problems = list(structural)
        seen = {(p.scope, p.node_id) for p in structural}
        troubled = {p.scope for p in structural}  # a sub-model with a cycle is among these
        for name in self.project.submodels:
            if name not in troubled:
                _, inner = self.tracer.submodel(name)
                problems.extend(p for p in inner if (p.scope, p.node_id) not in seen)
        problems.extend(p for p in self.tracer.problems() if (p.scope, p.node_id) not in seen)
        report = Report(problems=problems, results=MappingProxyType(results))
        if build_model and not problems:
            try:
                # With the project's `io` section, as `build_model` makes it: what validate passes must build.
                report.model = model_from_results(graph, results, self.project.name, graph_io(self.project, ""))
            except BridgeError as exc:
                report.problems = exc.problems
        return report

    def node_layers(self) -> dict[str, Any]:
        """Layers that own weights, keyed `node_id` (main graph) or `submodel/node_id`."""
        layers: dict[str, Any] = {}
        scopes: list[tuple[str, Graph]] = [("", self.project.graph), *self.project.submodels.items()]
        for scope, graph in scopes:
            for node in graph.nodes:
                if node.layer == SUBMODEL_LAYER or node.shares is not None:
                    continue
                layer = self.tracer.layer_of(scope, node.id)
                if getattr(layer, "weights", None):  # an Operation node's operation has none
                    layers[f"{scope}/{node.id}" if scope else node.id] = layer
        return layers


def check_project(project: Project, catalog: Catalog | None = None) -> Report:
    """One-shot check; see ProjectChecker for repeated checks."""
    return ProjectChecker(project, catalog).check(build_model=True)
