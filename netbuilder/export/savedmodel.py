"""Project → TensorFlow SavedModel in the layout TF Serving and Vertex AI expect.

`OUT/<YYYYmmddHHMMSS>/saved_model.pb` plus `variables/`: serving systems pick
the highest-numbered version folder under a model's base path. The
`serving_default` signature takes and returns tensors named as the user named
the Input and output nodes (named outputs by their names), so a client's
request reads like the drawing.
The folder is written under a temporary name beside its final place and
renamed at the end (`new_folder`), so a failed export never leaves a
half-written version for a server to pick up, and the next export into the
same folder removes what a killed one left behind; then it is loaded back
with `tf.saved_model.load` and must answer like the Keras model on a sample
batch. A model behind a raw-column front (`raw_serving`) brings its own sample
rows and the files that describe its request (`columns.json`, …), which go
into the version folder before it is renamed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import keras
import numpy as np

from netbuilder.export.sample_batch import sample_values
from netbuilder.export.signature_names import signature_keys
from netbuilder.export.vocabulary_check import check_vocabularies
from netbuilder.graph.atomic_file import new_folder, remove_leftovers
from netbuilder.keras_bridge.errors import BridgeError
from netbuilder.keras_bridge.model_io import model_arguments, model_output_names

SIGNATURE = "serving_default"
VERSION_FORMAT = "%Y%m%d%H%M%S"
VERSION_LEFTOVERS = "version"  # versions are written as OUT/.version.XXXXXXXX.partial, then renamed
# Earlier releases wrote versions as OUT/.<timestamp>.partial; their leftovers go too.
EARLIER_PARTIAL = re.compile(r"\.\d{14,}\.partial")


@dataclass(frozen=True)
class SavedModelExport:
    """Where the version folder was written and how the reload check went."""

    path: Path
    inputs: list[str]
    outputs: list[str]
    max_difference: float  # largest |SavedModel − Keras| over the sample batch

    @property
    def verified(self) -> bool:
        return self.max_difference <= 1e-4


def version_folder(out: Path, now: datetime | None = None) -> Path:
    """`OUT/<timestamp>`; a second export within the same second waits for the next number."""
    stamp = int((now or datetime.now()).strftime(VERSION_FORMAT))
    while (out / str(stamp)).exists():
        stamp += 1
    return out / str(stamp)


def export_savedmodel(model: keras.Model, out: Path, *, now: datetime | None = None,
                      seed: int = 0, verify: bool = True, sample: dict[str, np.ndarray] | None = None,
                      extra_files: dict[str, str] | None = None) -> SavedModelExport:
    """Write `model` as a new version under `out` and (unless told not to) check it answers like `model`.

    The check feeds `sample` (input name → a batch) when given, else random values
    (`sample_batch`); `extra_files` (name → text) are written into the version folder.
    Without the check `max_difference` is NaN and `verified` False.
    """
    import tensorflow as tf

    check_vocabularies(model)  # an empty lookup table would fail the reload check with a TensorFlow traceback
    inputs = [t.name for t in model.inputs]
    outputs = model_output_names(model)
    keys = signature_keys(inputs)  # TensorFlow takes no keyword, leading digit or hyphen as a parameter name
    specs = [tf.TensorSpec(shape=t.shape, dtype=t.dtype, name=key) for t, key in zip(model.inputs, keys)]

    def serve(*tensors: Any) -> dict[str, Any]:
        result = model(model_arguments(model, list(tensors)), training=False)
        return dict(zip(outputs, keras.tree.flatten(result)))

    target = version_folder(out, now)
    remove_leftovers(out, EARLIER_PARTIAL)
    try:
        with new_folder(target, temporary_name=VERSION_LEFTOVERS) as partial:
            archive = keras.export.ExportArchive()
            archive.track(model)
            archive.add_endpoint(SIGNATURE, serve, input_signature=specs)
            archive.write_out(str(partial), verbose=False)
            for name, text in (extra_files or {}).items():
                (partial / name).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BridgeError([f"{out}: cannot write the SavedModel: {exc.strerror or exc}"]) from None
    except tf.errors.OpError as exc:  # TensorFlow's own file writes: a full disk, a denied folder
        raise BridgeError([f"{out}: cannot write the SavedModel: {_file_error(exc)}"]) from None
    difference = _difference(model, target, inputs, specs, seed, sample) if verify else float("nan")
    return SavedModelExport(target, keys, outputs, difference)


def _file_error(exc: Any) -> str:
    """TensorFlow's report of a failed write in the words of the system, without its C++ context."""
    import tensorflow as tf

    words = {tf.errors.ResourceExhaustedError: "No space left on device",
             tf.errors.PermissionDeniedError: "Permission denied"}
    for kind, text in words.items():
        if isinstance(exc, kind):
            return text
    first = str(getattr(exc, "message", exc)).strip().splitlines()
    return first[0] if first else type(exc).__name__


def _difference(model: keras.Model, folder: Path, names: list[str], specs: list[Any], seed: int,
                sample: dict[str, np.ndarray] | None) -> float:
    """Load the written folder back and compare it with the Keras model on `sample`, else a random
    batch of 4 (see `sample_batch`)."""
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    batch = sample if sample is not None else {name: sample_values(spec.shape, spec.dtype, 4, rng)
                                               for name, spec in zip(names, specs)}
    served = tf.saved_model.load(str(folder)).signatures[SIGNATURE](
        **{spec.name: tf.constant(batch[name]) for name, spec in zip(names, specs)})
    expected = keras.tree.flatten(model(model_arguments(model, [batch[name] for name in names]), training=False))
    return max(float(np.max(np.abs(np.asarray(served[name]) - np.asarray(value)), initial=0.0))
               for name, value in zip(model_output_names(model), expected))
