"""Real architectures from public Keras code (the keras.io guides and examples), rebuilt small.

Each entry builds, with fresh random weights, the model a keras.io page builds
— the same layer kinds, wired the way that code wires them — at sizes small
enough to build in well under a second. `tests/test_corpus.py` runs every one
through import, summary, `.keras` and Python export and re-import; `fast`
marks the quarter that runs by default (the rest run under `-m slow`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import keras


@dataclass(frozen=True)
class Architecture:
    """One corpus model: where its code comes from, what it exercises, how to build and feed it."""

    name: str
    source: str  # the keras.io page whose code it reproduces
    exercises: str
    build: Callable[[], keras.Model]
    fast: bool = False
    h5: bool = False  # also imported from a legacy `.h5` file
    # Values for one input: (rng, input name, shape, dtype) -> array (default: normal floats, small ints).
    sample: Callable[[Any, str, tuple[int, ...], str], Any] | None = None


def corpus() -> list[Architecture]:
    """Every architecture, family by family."""
    from corpus import audio, generative, guides, nlp, structured, timeseries, vision

    return [a for family in (guides, vision, nlp, structured, timeseries, generative, audio)
            for a in family.ARCHITECTURES]
