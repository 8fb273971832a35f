"""The structural half of checking a project: graph rules that need the catalog but not Keras.

The editor runs this while TensorFlow is still loading; once it has loaded,
`keras_bridge.checks` adds settings and shapes on top of the same list.
`structural_problems` checks from scratch; `StructuralChecker` gives the same
list after each edit for the cost of what the edit touched.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from netbuilder.catalog.catalog import Catalog
from netbuilder.graph import Graph, Problem, Project, validate
from netbuilder.graph.incremental_validation import IncrementalValidation


def structural_problems(project: Project, catalog: Catalog) -> list[Problem]:
    """Graph checks (no Keras calls) for the main graph and every sub-model."""

    def input_range(node: Any) -> Any:
        return catalog.input_range(node, project.submodels)

    found: list[Problem] = []
    scopes: list[tuple[str, Graph]] = [("", project.graph), *project.submodels.items()]
    for scope, graph in scopes:
        found.extend(replace(p, scope=scope) for p in validate(graph, input_range))
    return found


class StructuralChecker:
    """`structural_problems` of one project, kept up to date by following its graphs' edits."""

    def __init__(self, project: Project, catalog: Catalog) -> None:
        self.project = project
        self.catalog = catalog
        self._checks: dict[int, IncrementalValidation] = {}  # by id() of the graph it follows
        self._submodels_seen: tuple[tuple[str, int, int], ...] = ()

    def _input_range(self, node: Any) -> Any:
        return self.catalog.input_range(node, self.project.submodels)

    def problems(self) -> list[Problem]:
        """The same list as `structural_problems(project, catalog)`, in the same order."""
        scopes: list[tuple[str, Graph]] = [("", self.project.graph), *self.project.submodels.items()]
        checks = {}
        for _, graph in scopes:
            check = self._checks.get(id(graph))
            checks[id(graph)] = check if check is not None and check.graph is graph else (
                IncrementalValidation(graph, self._input_range))
        self._checks = checks
        # A `Submodel` node takes one input per Input of the graph it names: when the
        # table or any sub-model changed, those few nodes are checked again.
        seen = tuple((name, id(g), g.revision) for name, g in self.project.submodels.items())
        if seen != self._submodels_seen:
            self._submodels_seen = seen
            for check in checks.values():
                check.recheck_submodel_nodes()
        found: list[Problem] = []
        for scope, graph in scopes:
            problems = checks[id(graph)].problems()
            found.extend([replace(p, scope=scope) for p in problems] if scope else problems)
        return found
