"""How a name or value taken from a data file appears in a message: short, on one line, readable.

A cell can hold 100,000 characters, a NUL byte or a line break, and a header
can name a million columns; quoted as they are, they would bury the sentence
that says what is wrong, or garble the terminal it is printed on. So values
are cut after a few dozen characters and invisible characters are written
as Python escapes (`\\x00`, `\\n`), and long lists are cut after a few names.
"""

from __future__ import annotations

from collections.abc import Sequence

SHOWN_CHARS = 40
SHOWN_NAMES = 12


def shown(text: str, limit: int = SHOWN_CHARS) -> str:
    """`text` cut to `limit` characters (marked with …), its invisible characters escaped."""
    cut = text if len(text) <= limit else text[:limit] + "…"
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in cut)


def shown_names(names: Sequence[str], limit: int = SHOWN_NAMES) -> str:
    """Names joined by commas; past `limit` of them, how many more there are."""
    head = ", ".join(shown(name) for name in names[:limit])
    return head if len(names) <= limit else f"{head}, … ({len(names) - limit:,} more)"
