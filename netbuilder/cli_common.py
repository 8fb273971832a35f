"""What every `netbuilder` subcommand shares: exit codes, the bad-input error, reading a project, printing."""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

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


# C0 and C1 controls (escape sequences, newlines, backspaces), the marks that reorder
# text right-to-left, and lone surrogates, which no terminal encoding can write at all.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def printable(text: str) -> str:
    """`text` as one line that shows what it holds: unprintable characters as Python escapes (`\\x1b`, `\\n`).

    Node ids, names, paths and Keras' messages come from files anyone may
    write; printed raw, an id could recolour or clear the terminal, move the
    cursor, or split one problem into two lines.
    """
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def say(text: str, file: TextIO | None = None, flush: bool = False) -> None:
    """Print one line that may hold user-controlled text, `printable` and in the stream's own encoding."""
    stream = file if file is not None else sys.stdout
    encoding = getattr(stream, "encoding", None) or "utf-8"
    stream.write(printable(text).encode(encoding, "backslashreplace").decode(encoding) + "\n")
    if flush:
        stream.flush()


def write_predictions(header: Sequence[str], rows: Iterable[Sequence[Any]], output: str | None, count: str,
                      columns: Sequence[str]) -> None:
    """`netbuilder predict`'s CSV: to `output` (atomically, saying what it wrote, e.g. `count` "3 images"), else
    to stdout."""
    from netbuilder.graph.atomic_file import atomic_write_text

    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    if output:
        atomic_write_text(Path(output), text.getvalue())
        say(f"wrote {output} ({count}; predictions in {', '.join(columns)})", file=sys.stderr)
    else:
        sys.stdout.write(text.getvalue())
