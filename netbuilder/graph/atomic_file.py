"""Replace a file in one rename, so readers see the old file or the new one, never half.

Every file netbuilder writes goes through `replacing` (or `atomic_write_text`,
for text): the project, the weights beside it, exported models, run records,
autosaves and the catalog cache. The new content is written
to a temporary file in the same folder (same file system, so the rename is
atomic) that takes the old file's permissions; on any failure the temporary
file is removed and the old file is left as it was.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path
from typing import Iterator


@contextlib.contextmanager
def replacing(path: Path, suffix: str = ".tmp") -> Iterator[Path]:
    """Yield a temporary path to write; when the block ends cleanly it becomes `path`.

    `suffix` is for writers that insist on a file extension (Keras wants `.keras`).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        # mkstemp makes the file private (0600); keep the old file's mode instead.
        os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode) if path.exists() else 0o644)
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Write `text` (UTF-8) to `path` so that readers see the old or the new file, never half."""
    with replacing(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
