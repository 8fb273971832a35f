"""Which CSV cells are numbers: exactly those TensorFlow's CSV parser reads as one.

A streamed dataset is scanned in Python (NumPy's `loadtxt`, the `csv` module,
`float()`) but its epochs are decoded by `tf.io.decode_csv`, and the three
disagree at the edges: Python's `float()` accepts `1_000`, Arabic-Indic or
full-width digits and Unicode spaces around a number (`"1\\xa0"`); NumPy's
reader also strips the ASCII separators `\\x1c`–`\\x1f` and a stray `\\r`.
TensorFlow refuses all of them, so a cell the scan had called a number
stopped training halfway through an epoch ("not a valid double"). Here a
cell is a number only when it is ASCII, holds no underscore, line break or
separator control character, and `float()` reads it — which, for such
cells, is what TensorFlow reads too (it also takes hexadecimal `0x10`,
which `float()` refuses; such a cell is text, the safe side).
"""

from __future__ import annotations

from collections.abc import Sequence

# Characters Python or NumPy skip or accept around or inside a number and TensorFlow does not.
REFUSED_ASCII = "_\n\r\x1c\x1d\x1e\x1f"


def is_number(cell: str) -> bool:
    """True when TensorFlow's CSV parser reads `cell` as a number. Self-contained on purpose: generated
    training scripts carry a copy of this very function (`inspect.getsource`)."""
    if not cell.isascii() or any(c in cell for c in "_\n\r\x1c\x1d\x1e\x1f"):
        return False
    try:
        float(cell)
    except ValueError:
        return False
    return True


def cell_number(cell: str) -> float | None:
    """The number `cell` holds as TensorFlow would read it, or None when it is not one."""
    return float(cell) if is_number(cell) else None


def all_plain(cells: Sequence[str]) -> bool:
    """True when no cell holds a character that makes Python or NumPy read more than TensorFlow does:
    the check to run after a fast path (`map(float, …)`) accepted a whole column."""
    joined = "".join(cells)
    return joined.isascii() and not any(c in joined for c in REFUSED_ASCII)


def plain_lines(body: str) -> bool:
    """True when the data rows `body` (lines joined by "\\n", a "\\r" allowed only before one) hold no
    character NumPy's reader takes as part of a number and TensorFlow does not: the check to run
    before trusting `np.loadtxt` with a whole slice."""
    if not body.isascii() or any(c in body for c in "_\x1c\x1d\x1e\x1f"):
        return False
    return "\r" not in body or body.count("\r") == body.count("\r\n") + body.endswith("\r")
