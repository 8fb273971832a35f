"""The `tf.data` pipeline that turns a CSV series into windows: `window` rows in, a target `horizon` steps on.

Rows are read a chunk at a time (`TextLineDataset` → `decode_csv`), and each
chunk is cut into every window that ends in it with `tf.signal.frame`; the
last `window + horizon - 1` rows ride along to the next chunk (`Dataset.scan`),
so windows that straddle two chunks are not lost. Cutting a whole chunk at once
costs one op per chunk instead of the per-window datasets of
`Dataset.window`, and memory stays bounded by the chunk, whatever the file's
size. Which rows a split reads is given as `skip`/`take` rows, so the
validation windows at the end of a series are reached without building the
training windows before them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from netbuilder.training.datasets.csv_scan import CsvScan

CHUNK_BYTES = 4 << 20  # the frames of one chunk (rows × span × columns float32)
MAX_CHUNK_ROWS = 4_096


@dataclass(frozen=True)
class SeriesColumns:
    """Which columns a model's inputs and outputs read, by name, and how far apart in time."""

    inputs: dict[str, list[str]]
    outputs: dict[str, list[str]]
    window: int
    horizon: int

    @property
    def span(self) -> int:
        """Rows from a window's first row to its target's row, both included."""
        return self.window + self.horizon

    def used(self, scan: CsvScan) -> list[str]:
        """Every column read, in file order (what `decode_csv`'s `select_cols` wants)."""
        wanted = {c for cs in (*self.inputs.values(), *self.outputs.values()) for c in cs}
        return [c for c in scan.columns if c in wanted]


def series_windows(path: Path, scan: CsvScan, columns: SeriesColumns, *, skip: int = 0,
                   take: int | None = None) -> Any:
    """Unbatched ({input: (window, features)}, {output: (targets,)}) pairs of rows skip… of `path`, in order.

    `take` limits the rows read (None: to the end), so `take - span + 1` windows come out.
    """
    import tensorflow as tf

    used = columns.used(scan)
    k, span = len(used), columns.span
    chunk = max(64, min(MAX_CHUNK_ROWS, CHUNK_BYTES // (4 * span * k)))
    lines = tf.data.TextLineDataset(str(path)).skip(1)
    if scan.blank_lines:
        lines = lines.filter(lambda line: tf.strings.length(tf.strings.strip(line)) > 0)
    if skip:
        lines = lines.skip(skip)
    if take is not None:
        lines = lines.take(take)
    select = [scan.columns.index(c) for c in used]
    defaults = [tf.constant([], tf.float32)] * k

    def decode(batch: Any) -> Any:
        if scan.carriage_returns:
            batch = tf.strings.regex_replace(batch, "\r$", "")
        return tf.stack(tf.io.decode_csv(batch, defaults, select_cols=select), axis=1)

    def cut(tail: Any, rows: Any) -> tuple[Any, Any]:
        joined = tf.concat([tail, rows], axis=0)
        keep = tf.maximum(tf.shape(joined)[0] - (span - 1), 0)
        return joined[keep:], tf.signal.frame(joined, span, 1, axis=0)

    position = {c: i for i, c in enumerate(used)}
    gather_in = {name: [position[c] for c in cs] for name, cs in columns.inputs.items()}
    gather_out = {name: [position[c] for c in cs] for name, cs in columns.outputs.items()}

    def split(frames: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        history, target = frames[:, :columns.window, :], frames[:, -1, :]
        return ({name: tf.gather(history, idx, axis=2) for name, idx in gather_in.items()},
                {name: tf.gather(target, idx, axis=1) for name, idx in gather_out.items()})

    frames = lines.batch(chunk).map(decode).scan(tf.zeros((0, k), tf.float32), cut)
    return frames.map(split).unbatch()
