"""Which cards a check changed, so the canvas re-reads those instead of all 10,000 after each edit.

A card shows its node's output shapes and problems. The checker redoes only
what an edit touched and replaces the result object of each node it redoes
(`Report.results`), and a check replaces the problem list; comparing both
with what the last check gave finds the cards to re-read in a few
milliseconds, where re-reading every card takes half a second.
"""

from __future__ import annotations

from netbuilder.graph import Graph, Problem
from netbuilder.ui.document import EditorDocument


class CheckChanges:
    """Remembers the last check it was shown; `take` says which nodes the next one changed."""

    def __init__(self) -> None:
        self._graph: Graph | None = None
        self._results: dict[str, object] = {}
        self._problems: dict[str | None, list[Problem]] = {}

    def take(self, document: EditorDocument) -> set[str] | None:
        """Nodes whose result or problems differ from the last call's; None when that cannot be told.

        None on the first call for a graph, and in a sub-model: only the main
        graph's results come with the check's report (sub-models are small).
        """
        report = document.report
        results: dict[str, object] | None
        if not document.keras_ready:
            results = {}
        elif document.scope or report is None:
            results = None
        else:
            results = dict(report.results)
        problems: dict[str | None, list[Problem]] = {}
        for problem in document.scope_problems():
            problems.setdefault(problem.node_id, []).append(problem)
        known = self._graph is document.graph and results is not None
        changed: set[str] | None = None
        if known:
            assert results is not None
            old = self._results
            changed = {nid for nid, result in results.items() if old.get(nid) is not result}
            changed |= {nid for nid in old if nid not in results}
            changed |= {nid for nid in problems.keys() | self._problems.keys()
                        if nid is not None and problems.get(nid) != self._problems.get(nid)}
        self._graph = document.graph
        self._results = results or {}
        self._problems = problems
        return changed
