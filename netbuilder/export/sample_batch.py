"""Random input values an exported model is checked with: what each input accepts, by its dtype.

Export checks (SavedModel reload, TFLite interpreter, onnxruntime) run the
written file beside the Keras model on one seeded batch and compare the two
with `largest_difference`. Text inputs get words, integer
inputs small whole numbers (valid for lookups and embeddings), floats [0, 1).
"""

from __future__ import annotations

from typing import Any

import numpy as np


def sample_values(shape: Any, dtype: Any, batch: int, rng: np.random.Generator) -> np.ndarray:
    """One batch for an input of `shape` (batch axis first, None for any size) and `dtype`."""
    size = [batch, *(4 if d is None else int(d) for d in list(shape)[1:])]
    name = getattr(dtype, "name", str(dtype))
    if name == "string":
        return rng.choice(np.array(["a", "b c"], dtype=object), size=size)
    kind = np.dtype(name).kind
    if kind in "iu":
        return rng.integers(0, 4, size=size).astype(name)
    if kind == "b":
        return rng.integers(0, 2, size=size).astype(bool)
    return rng.uniform(0, 1, size=size).astype(name)


def largest_difference(served: np.ndarray, expected: np.ndarray) -> float:
    """max |a − b| scaled down where |b| exceeds 1, so large outputs get the same relative tolerance
    (NaN where both give NaN counts as agreeing)."""
    served, expected = served.astype(np.float64), expected.astype(np.float64)
    gap = np.where(np.isnan(served) & np.isnan(expected), 0.0, np.abs(served - expected))
    return float(np.max(gap / np.maximum(1.0, np.abs(expected)), initial=0.0))
