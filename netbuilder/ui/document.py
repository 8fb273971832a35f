"""The open project as the editor sees it: the document, its undo stack and its check results.

Views never change the graph directly: they call `push` with a command, so undo
takes exactly the path that do took. After every change the document re-checks
the project — structure at once (no Keras needed), shapes and settings once
TensorFlow has loaded — and emits `checked`, which the canvas, the messages
panel and the summary follow.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from netbuilder.catalog import Catalog
from netbuilder.catalog.project_check import StructuralChecker
from netbuilder.graph import Command, Edge, Graph, Node, Problem, Project, UndoStack, connection_problem
from netbuilder.graph import project_file
from netbuilder.graph.atomic_file import replacing
from netbuilder.graph.layout import layered_positions
from netbuilder.graph.validation import Verdict

if TYPE_CHECKING:
    from netbuilder.keras_bridge.checks import ProjectChecker, Report


class EditorDocument(QObject):
    """One project open in the editor."""

    changed = Signal()  # any edit, undo, redo or save (title, actions, panels follow)
    checked = Signal()  # problems and shapes were recomputed
    scope_changed = Signal(str)  # "" for the main graph, else the sub-model being edited

    def __init__(self, project: Project, catalog: Catalog, parent: QObject | None = None,
                 checker: ProjectChecker | None = None) -> None:
        """`checker`: one already run on `project` off the GUI thread (see FileOps.import_model),
        so a big imported model opens without re-making all its layers here."""
        super().__init__(parent)
        self.project = project
        self.catalog = catalog
        self.stack = UndoStack()
        self.scope = ""
        self.problems: list[Problem] = []
        self.report: Report | None = None
        self._checker: ProjectChecker | None = checker
        # Until Keras is there: the structural half, made at the first check; it redoes only
        # what each edit touched, and is dropped once the checker (which has its own) comes.
        self._structure: StructuralChecker | None = None
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(0)
        self._check_timer.timeout.connect(self.run_check)
        for graph in self.graphs():
            place_unplaced(graph)
        self.stack.changed.connect(self._on_stack_changed)
        self.run_check()

    # -- what is being edited ----------------------------------------------------
    @property
    def graph(self) -> Graph:
        """The graph on the canvas: the main graph or the open sub-model."""
        return self.project.submodels.get(self.scope, self.project.graph) if self.scope else self.project.graph

    def graphs(self) -> list[Graph]:
        return [self.project.graph, *self.project.submodels.values()]

    def set_scope(self, scope: str) -> None:
        """Show the main graph ("") or a sub-model on the canvas."""
        if scope and scope not in self.project.submodels:
            raise KeyError(f"no sub-model named {scope!r}")
        if scope != self.scope:
            self.scope = scope
            place_unplaced(self.graph)
            self.scope_changed.emit(scope)
            self.checked.emit()

    @property
    def display_name(self) -> str:
        return self.project.name or "untitled"

    @property
    def is_modified(self) -> bool:
        return not self.stack.is_clean

    # -- editing ---------------------------------------------------------------
    def push(self, command: Command) -> None:
        self.stack.push(command)

    def undo(self) -> None:
        self.stack.undo()

    def redo(self) -> None:
        self.stack.redo()

    def _on_stack_changed(self) -> None:
        if self.scope and self.scope not in self.project.submodels:
            self.set_scope("")  # undo removed the sub-model being shown
        self.changed.emit()
        self._check_timer.start()

    # -- checks ----------------------------------------------------------------
    def attach_keras(self) -> None:
        """TensorFlow has loaded: check settings and shapes from now on."""
        if self._checker is None:
            from netbuilder.keras_bridge.checks import ProjectChecker

            self._checker = ProjectChecker(self.project, self.catalog)
            self._structure = None  # the checker has its own
            self.run_check()

    @property
    def keras_ready(self) -> bool:
        return self._checker is not None

    def run_check(self) -> None:
        self._check_timer.stop()
        if self._checker is None:
            if self._structure is None:
                self._structure = StructuralChecker(self.project, self.catalog)
            self.problems = self._structure.problems()
        else:
            self.report = self._checker.check()
            self.problems = self.report.problems
        self.checked.emit()

    def flush_check(self) -> None:
        """Run a pending check now (before saving, exporting, screenshots, tests)."""
        if self._check_timer.isActive():
            self.run_check()

    def scope_problems(self) -> list[Problem]:
        return [p for p in self.problems if p.scope == self.scope]

    def node_problems(self, node_id: str) -> list[str]:
        return [p.message for p in self.problems if p.scope == self.scope and p.node_id == node_id]

    def shapes(self, node_id: str) -> list[tuple[Any, ...]] | None:
        """Output shapes of a node on the canvas, None when not (yet) known."""
        if self._checker is None:
            return None
        result = self._checker.tracer.result_of(self.scope, node_id)
        return None if result is None else result.shapes

    def layer_of(self, node_id: str) -> Any:
        """The Keras layer of a node on the canvas (None before Keras or when it made none)."""
        if self._checker is None:
            return None
        return self._checker.tracer.layer_of(self.scope, node_id)

    def input_range(self, node: Node) -> tuple[int, int | None] | None:
        return self.catalog.input_range(node, self.project.submodels)

    def verdict(self, edge: Edge) -> Verdict:
        """May `edge` be drawn on the canvas? Structure first, then shapes when Keras is there."""
        from_graph = connection_problem(self.graph, edge, self.input_range)
        if from_graph is not None or self._checker is None:
            return Verdict(from_graph)
        from netbuilder.keras_bridge.trial import shape_verdict

        return shape_verdict(self._checker, self.graph, self.scope, edge)

    # -- files -------------------------------------------------------------------
    def save(self, path: str | Path | None = None) -> Path:
        """Save atomically (to `path`, or where it came from); weights follow a Save As."""
        target = Path(path) if path is not None else self.project.path
        if target is None:
            raise ValueError("the project has no file yet: choose where to save it")
        old_weights, new_weights = self.project.weights_path, project_file.weights_beside(target)
        if old_weights and old_weights != new_weights and old_weights.exists():
            # Weights first and atomically, so the new project file never points at half a copy.
            with replacing(new_weights) as tmp:
                shutil.copyfile(old_weights, tmp)
        project_file.save(self.project, target)
        self.stack.set_clean()
        return target


def place_unplaced(graph: Graph) -> None:
    """Give nodes without a position one from the automatic layout (not an undoable edit).

    Files may leave `position` out; the canvas needs somewhere to draw them.
    """
    if all(n.position is not None for n in graph.nodes):
        return
    laid_out = layered_positions(graph)
    placed = [n.position for n in graph.nodes if n.position is not None]
    shift = (max(p[0] for p in placed) + 260.0) if placed else 0.0
    for node in graph.nodes:
        if node.position is None:
            x, y = laid_out[node.id]
            graph.move_node(node.id, (x + shift, y))
