"""The structural half of checking a project: graph rules that need the catalog but not Keras.

The editor runs this while TensorFlow is still loading; once it has loaded,
`keras_bridge.checks` adds settings and shapes on top of the same list.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from netbuilder.catalog.catalog import Catalog
from netbuilder.graph import Graph, Problem, Project, validate


def structural_problems(project: Project, catalog: Catalog) -> list[Problem]:
    """Graph checks (no Keras calls) for the main graph and every sub-model."""

    def input_range(node: Any) -> Any:
        return catalog.input_range(node, project.submodels)

    found: list[Problem] = []
    scopes: list[tuple[str, Graph]] = [("", project.graph), *project.submodels.items()]
    for scope, graph in scopes:
        found.extend(replace(p, scope=scope) for p in validate(graph, input_range))
    return found
