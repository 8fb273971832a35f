"""Replace a file (or make a folder) in one rename, so readers see the old one or the new one, never half.

Every file netbuilder writes goes through `replacing` (or `atomic_write_text`,
for text): the project, the weights beside it, exported models, run records,
autosaves and the catalog cache; folders that appear whole (a SavedModel
version, a training package) go through `new_folder`. The new content is
written under a hidden temporary name in the same folder (same file system,
so the rename is atomic): `.NAME.XXXXXXXX.SUFFIX`, where the eight characters
are tempfile's. A new file takes the old file's permissions; on any failure
the temporary file is removed, the old file is left as it was, and the error
names the user's path, not the hidden one (a full disk reports no path at
all). A process killed mid-write cannot remove its temporary file; the next
write of the same target does, once it has been left untouched for a minute
(a write still going on in another process keeps touching its own).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import tempfile
import time
from pathlib import Path
from typing import Iterator

STALE_SECONDS = 60.0
PARTIAL = ".partial"  # the suffix of temporary folders
_TEMPFILE_CHARACTERS = "[a-z0-9_]{8}"  # what tempfile puts between prefix and suffix


@contextlib.contextmanager
def replacing(path: Path, suffix: str = ".tmp") -> Iterator[Path]:
    """Yield a temporary path to write; when the block ends cleanly it becomes `path`.

    `suffix` is for writers that insist on a file extension (Keras wants `.keras`).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(path.parent, leftover_pattern(path.name, suffix))
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    except OSError as exc:
        raise at_target(exc, path, Path(exc.filename or path)) from exc
    os.close(fd)
    tmp = Path(name)
    try:
        # mkstemp makes the file private (0600); keep the old file's mode instead.
        os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode) if path.exists() else 0o644)
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise at_target(exc, path, tmp) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def new_folder(path: Path, temporary_name: str | None = None) -> Iterator[Path]:
    """Yield a temporary folder to fill; when the block ends cleanly it becomes `path`, which must
    not exist or be an empty folder.

    The temporary folder is `.NAME.XXXXXXXX.partial` beside `path`, NAME being
    `path`'s name unless `temporary_name` says otherwise: each SavedModel version
    folder has a new name, yet an interrupted one must be found by the next export
    into the same base folder.
    """
    name = temporary_name or path.name
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(path.parent, leftover_pattern(name, PARTIAL))
    try:
        work = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=PARTIAL, dir=path.parent))
    except OSError as exc:
        raise at_target(exc, path, Path(exc.filename or path)) from exc
    try:
        yield work
        if path.is_dir():
            path.rmdir()  # an empty folder the user made for it; one with files in it is refused here
        work.rename(path)
    except OSError as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise at_target(exc, path, work) from exc
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Write `text` (UTF-8) to `path` so that readers see the old or the new file, never half."""
    with replacing(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def at_target(exc: OSError, path: Path, temporary: Path) -> OSError:
    """`exc` as the user should read it: about `path`, the file or folder they asked for.

    A failure of the hidden `temporary` file (or inside the temporary folder),
    or one that names no file at all (a full disk), becomes one about `path`, in
    the system's words for the error number; one about another file (a dataset
    that cannot be read) is left as it is.
    """
    if exc.filename is not None and not Path(os.fsdecode(exc.filename)).is_relative_to(temporary):
        return exc
    words = os.strerror(exc.errno) if exc.errno else (exc.strerror or str(exc)).replace(str(temporary), str(path))
    return OSError(exc.errno, words, str(path))


def leftover_pattern(name: str, suffix: str) -> re.Pattern[str]:
    """The names `replacing` (or `new_folder`) gives the temporary files (folders) of target `name`."""
    return re.compile(re.escape(f".{name}.") + _TEMPFILE_CHARACTERS + re.escape(suffix))


def remove_leftovers(folder: Path, pattern: re.Pattern[str]) -> None:
    """Delete the entries of `folder` whose whole name `pattern` matches and that nothing has changed for
    `STALE_SECONDS`: temporary files and folders of writes that were killed. Links are never followed or removed."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not pattern.fullmatch(entry.name) or entry.is_symlink():
            continue
        try:
            if time.time() - _last_change(entry) < STALE_SECONDS:
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
        except OSError:
            continue  # gone already, or not ours to remove after all: the next write tries again


def _last_change(entry: os.DirEntry[str]) -> float:
    """When a file, or anything in a folder, last changed."""
    newest = entry.stat(follow_symlinks=False).st_mtime
    if entry.is_dir(follow_symlinks=False):
        for root, folders, files in os.walk(entry.path):
            for name in (*folders, *files):
                newest = max(newest, os.lstat(os.path.join(root, name)).st_mtime)
    return newest
