"""Import TensorFlow and Keras without TensorFlow's C++ start-up notes on stderr.

TensorFlow 2.x writes lines about oneDNN and missing CUDA drivers straight to
file descriptor 2 while its shared libraries load, before its logging reads
TF_CPP_MIN_LOG_LEVEL. Users of `netbuilder summary` should see the summary,
not that; so descriptor 2 points at /dev/null for the import alone
(`quiet_stderr`, which the TFLite converter uses too). Python errors raised by
the import still surface: they are printed after it returns.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Iterator


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """Point file descriptor 2 at /dev/null for the block, where TensorFlow's C++ code writes its notes."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def import_keras_quietly() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    if "keras" in sys.modules:
        return
    with quiet_stderr():
        import tensorflow  # noqa: F401  (loads the C++ libraries that print)
        import keras  # noqa: F401
