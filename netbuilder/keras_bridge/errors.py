"""The one exception the bridge raises: a list of problems, each naming its node."""

from __future__ import annotations

from netbuilder.graph import Problem


class BridgeError(ValueError):
    """The graph cannot become a Keras model (or a file cannot become a graph)."""

    def __init__(self, problems: list[Problem] | list[str]) -> None:
        self.problems = [p if isinstance(p, Problem) else Problem(None, p) for p in problems]
        super().__init__("\n".join(str(p) for p in self.problems))
