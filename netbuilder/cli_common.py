"""What every `netbuilder` subcommand shares: exit codes, the bad-input error, reading a project."""

from __future__ import annotations

from pathlib import Path

from netbuilder.graph import Project
from netbuilder.graph import project_file

OK, BAD_INPUT, USAGE = 0, 1, 2


class CommandError(Exception):
    """Bad input found by a subcommand; its lines go to stderr and the exit code is 1."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("\n".join(lines))


def load_project(path: str) -> Project:
    return project_file.load(Path(path))
