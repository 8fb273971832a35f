"""The rows of an all-numeric CSV file, kept as float32 on disk while the scan reads them, for fast epochs.

Decoding text again on every epoch (`tf.io.decode_csv`) costs about what the
fit itself costs, and on a machine with few cores the two compete. So while
`csv_scan` reads a file it hands each parsed slice to a `CacheWriter`, which
appends the cells as float32, row after row, to a temporary file; an epoch
then reads blocks of `BLOCK_ROWS` rows back with `tf.data` and decodes them
with `tf.io.decode_raw`, which costs next to nothing. The numbers are those of
the in-memory path (parsed as float64, then cast to float32), so both paths
give the same rows. Only a file whose every column holds numbers is cached
(empty cells become NaN, which the encoders refuse where a column is used): a
text cell makes the writer give up, and the stream decodes text as before.
A file scanned in two processes (`csv_scan_part`) has one cache file per half.

The cache lives in the system's temporary folder, never beside the project,
as `netbuilder-rows-PID-*.f32` (about 4 bytes per cell: 420 MB for 5 M rows of
21 columns). It is deleted when the scan that owns it is dropped (the file
changed, or newer scans pushed it out of memory) and when netbuilder exits;
one left by a process that died is deleted by the next writer. When the
temporary folder lacks room, nothing is cached.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from netbuilder.training.datasets.csv_table import CsvTable

BLOCK_ROWS = 1_024  # rows read and decoded at once: per-row work in tf.data would cost as much as the fit
SHUFFLE_BYTES = 8 << 20  # blocks held to draw the next one from
SAMPLE_READ_ROWS = 65_536  # rows read at a time while looking for a split's first rows
GROUP_ROWS = 10_000  # rows permuted together, as many as the text stream's row shuffle buffer holds
PREFIX = "netbuilder-rows-"
_OWNER = re.compile(re.escape(PREFIX) + r"(\d+)-")


@dataclass
class RowCache:
    """A finished cache: rows of `width` float32 cells (the file's columns in order) in one file per part
    of the source that was scanned on its own (`csv_scan_part`), `parts` holding each file and its row
    count, each padded with zeros to whole blocks. The files are deleted when this object is."""

    parts: list[tuple[Path, int]]
    width: int
    _cleanup: weakref.finalize = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._cleanup = weakref.finalize(self, _remove_all, [path for path, _ in self.parts])

    @property
    def rows(self) -> int:
        return sum(rows for _, rows in self.parts)

    @property
    def block_bytes(self) -> int:
        return BLOCK_ROWS * self.width * 4

    def disown(self) -> None:
        """Keep the files when this object goes: another process takes them over."""
        self._cleanup.detach()

    @staticmethod
    def joined(caches: list[RowCache | None]) -> RowCache | None:
        """One cache of the parts of `caches`, in order; None (and their files deleted) unless each has one."""
        found = [c for c in caches if c is not None]
        if len(found) < len(caches) or len({c.width for c in found}) > 1:
            for cache in found:
                cache._cleanup()
            return None
        for cache in found:
            cache.disown()
        return RowCache([part for cache in found for part in cache.parts], found[0].width)


def reserve_cache(source: Path) -> Path | None:
    """A new, empty cache file for the rows of `source`, owned by this process; None when the temporary
    folder lacks room for it."""
    folder = Path(tempfile.gettempdir())
    try:
        _remove_orphans(folder)
        # A cache is at most about half the text's size for numbers of a few digits; ask for the whole.
        if shutil.disk_usage(folder).free < source.stat().st_size + (1 << 30):
            return None
        handle, name = tempfile.mkstemp(prefix=f"{PREFIX}{os.getpid()}-", suffix=".f32", dir=folder)
        os.close(handle)
    except OSError:
        return None
    return Path(name)


class CacheWriter:
    """Receives the parsed slices of one file in order; `finish` gives the cache, or None if the file
    holds text or the disk refused."""

    def __init__(self, into: Path | None) -> None:
        """Write into file `into` (from `reserve_cache`); None: cache nothing."""
        self._file: BinaryIO | None = None
        self._path: Path | None = None
        self._discard: weakref.finalize | None = None
        self._rows = 0
        self._width = 0
        if into is None:
            return
        try:
            self._file = into.open("wb")
        except OSError:
            _remove(into)
            return
        self._path = into
        # A scan that stops early (a quoted cell across lines, a refusal) just drops its writer.
        self._discard = weakref.finalize(self, _discard, self._file, self._path)

    def add(self, table: CsvTable) -> None:
        if self._file is None:
            return
        if table.texts:
            self._abandon()
            return
        matrix = np.empty((table.n_rows, len(table.columns)), dtype=np.float32)
        # A cell beyond float32 becomes infinite here; the encoders refuse it where its column is used.
        with np.errstate(over="ignore"):
            for j, column in enumerate(table.columns):
                matrix[:, j] = table.numbers[column]
        self._width = len(table.columns)
        try:
            self._file.write(matrix.data)
        except OSError:
            self._abandon()
            return
        self._rows += table.n_rows

    def finish(self) -> RowCache | None:
        if self._file is None or self._path is None:
            return None
        try:
            self._file.write(bytes(-self._rows % BLOCK_ROWS * self._width * 4))
            self._file.close()
        except OSError:
            self._abandon()
            return None
        assert self._discard is not None
        self._discard.detach()  # the cache owns the file now
        self._file = None
        return RowCache([(self._path, self._rows)], self._width)

    def _abandon(self) -> None:
        if self._discard is not None:
            self._discard()
        self._file = None
        self._path = None


def _discard(file: BinaryIO, path: Path) -> None:
    file.close()
    _remove(path)


def _remove_all(paths: list[Path]) -> None:
    for path in paths:
        _remove(path)


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass  # already gone, or the folder is read-only now: nothing more to do


def _remove_orphans(folder: Path) -> None:
    """Delete the caches of processes that no longer run (killed before they could delete them). POSIX only:
    elsewhere `os.kill(pid, 0)` is no harmless probe, and the system's cleaning of its temporary folder does it."""
    if os.name != "posix":
        return
    for path in folder.glob(f"{PREFIX}*.f32"):
        owner = _OWNER.match(path.name)
        if owner is None:
            continue
        try:
            os.kill(int(owner.group(1)), 0)
        except ProcessLookupError:
            _remove(path)
        except OSError:
            pass  # someone else's process, still running


def first_rows(cache: RowCache, count: int, keep: Callable[[np.ndarray], np.ndarray] | None) -> np.ndarray:
    """The first `count` rows that `keep(index)` keeps (every row without it), read with NumPy."""
    found: list[np.ndarray] = []
    first = 0
    for path, rows in cache.parts:
        for start in range(0, rows, SAMPLE_READ_ROWS):
            n = min(SAMPLE_READ_ROWS, rows - start)
            block = np.fromfile(path, np.float32, count=n * cache.width,
                                offset=start * cache.width * 4).reshape(n, cache.width)
            found.append(block if keep is None else block[keep(np.arange(first + start, first + start + n))])
            if sum(len(b) for b in found) >= count:
                return np.concatenate(found)[:count]
        first += rows
    return np.concatenate(found)[:count] if found else np.empty((0, cache.width), np.float32)


def cached_rows(cache: RowCache, keep: Callable[[Any], Any] | None, *, shuffle: bool, seed: int) -> Any:
    """A `tf.data` dataset of row matrices (float32, `cache.width` wide, up to `BLOCK_ROWS` rows each) in
    file order, or shuffled; `keep(index)` says which rows (by int64 index) to keep.

    Shuffled, the order of blocks is drawn from a buffer of `SHUFFLE_BYTES` of blocks (reshuffled every
    epoch), and their rows are then permuted within groups of `GROUP_ROWS` consecutive rows: every row
    comes once per epoch, and no row stays next to the rows of its file block.
    """
    import tensorflow as tf

    plain = tf.autograph.experimental.do_not_convert  # no control flow to convert: tracing is quicker without

    def part(path: Path, first: int, rows: int) -> Any:
        def decode(k: Any, raw: Any) -> Any:
            matrix = tf.reshape(tf.io.decode_raw(raw, tf.float32), [BLOCK_ROWS, cache.width])
            index = k * BLOCK_ROWS + tf.range(BLOCK_ROWS, dtype=tf.int64)
            wanted = index < rows  # the zeros that pad the part's last block
            if keep is not None:
                wanted = tf.logical_and(wanted, keep(first + index))
            return tf.boolean_mask(matrix, wanted)

        blocks = tf.data.FixedLengthRecordDataset(str(path), cache.block_bytes, buffer_size=1 << 20)
        return blocks.enumerate().map(plain(decode), num_parallel_calls=tf.data.AUTOTUNE)

    firsts = np.cumsum([0] + [rows for _, rows in cache.parts])
    blocks = part(cache.parts[0][0], 0, cache.parts[0][1])
    for (path, rows), first in zip(cache.parts[1:], firsts[1:]):
        blocks = blocks.concatenate(part(path, int(first), rows))
    if not shuffle:
        return blocks
    blocks = blocks.shuffle(max(2, SHUFFLE_BYTES // cache.block_bytes), seed=seed, reshuffle_each_iteration=True)
    groups = blocks.rebatch(GROUP_ROWS).enumerate()
    seeds = tf.constant(seed, tf.int64)

    def permuted(k: Any, group: Any) -> Any:
        return tf.random.experimental.stateless_shuffle(group, tf.stack([seeds, k]))

    return groups.map(plain(permuted), num_parallel_calls=tf.data.AUTOTUNE)
