"""How the editor presents a problem: under the name on the card, graded by how bad it is.

A `Problem` names its node by id, which is what the command line prints and
what files use. On screen the user knows a node by the name on its card
(`Node.name`), so every panel, tooltip and status line goes through here to
say "Dense 'classes'" rather than "dense_3". Problems that only mean "not
finished yet" (a fresh, unconnected card) are counted and coloured apart from
errors, so red keeps meaning that something is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QColor

from netbuilder.graph import Problem, Project

INCOMPLETE_COLOUR = QColor("#7b8794")  # soft grey: work in progress, not a mistake
DEPLOY_COLOUR = QColor("#e37400")  # amber: fine to train, but the chosen export target cannot run it
SCOPE_MARK = " ▸ "


def node_name(project: Project, scope: str, node_id: str) -> str:
    """The name the card of `node_id` shows (the id itself when the node is gone)."""
    graph = project.submodels.get(scope) if scope else project.graph
    node = graph.get(node_id) if graph is not None else None
    return node.name if node is not None else node_id


def where_text(project: Project, problem: Problem) -> str:
    """The node a problem is about, behind its sub-model: "encoder ▸ dense_2"."""
    name = node_name(project, problem.scope, problem.node_id) if problem.node_id else ""
    return SCOPE_MARK.join(part for part in (problem.scope, name) if part)


def problem_line(project: Project, problem: Problem) -> str:
    """One sentence about a problem, naming the node as its card does: "Dense 'classes': …"."""
    if problem.node_id is None:
        return f"sub-model '{problem.scope}': {problem.message}" if problem.scope else problem.message
    where = f" in sub-model '{problem.scope}'" if problem.scope else ""
    name = node_name(project, problem.scope, problem.node_id)
    return f"{problem.layer or 'node'} '{name}'{where}: {problem.message}"


def in_reading_order(problems: Sequence[Problem], scope: str) -> list[Problem]:
    """Errors before unfinished work; within each, the graph on the canvas first (stable otherwise)."""
    return sorted(problems, key=lambda p: (not p.is_error, p.scope != scope))


def _count(n: int, one: str, many: str) -> str:
    return f"1 {one}" if n == 1 else f"{n:,} {many}"


def counts_text(problems: Sequence[Problem]) -> str:
    """"No problems", "2 errors", "1 to finish" or "1 error, 3 to finish"."""
    errors = sum(1 for p in problems if p.is_error)
    unfinished = len(problems) - errors
    parts = ([_count(errors, "error", "errors")] if errors else []) \
        + ([f"{unfinished:,} to finish"] if unfinished else [])
    return ", ".join(parts) or "No problems"


def train_reason(project: Project, problems: Sequence[Problem]) -> str:
    """Why a model with these problems cannot train, in one line for Train's tooltip."""
    errors = [p for p in problems if p.is_error]
    if errors:
        return f"The model has {_count(len(errors), 'error', 'errors')}: see the Messages tab"
    if not problems:
        return ""
    first = problem_line(project, problems[0])
    more = f" (and {len(problems) - 1:,} more)" if len(problems) > 1 else ""
    return f"The model is not finished: {first}{more}"
