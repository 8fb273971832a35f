"""Weights beside the project: one HDF5 file, arrays keyed by node id.

Keying by node id (not by Keras' internal layer order) means a weights file
still loads after the user moves nodes around or edits an unrelated layer;
a node whose arrays no longer fit its layer is skipped with a message.
Preprocessing state that is no weight (adapted vocabularies) sits beside the
arrays under `state/` (see `layer_state`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import h5py
import keras
import numpy as np

from netbuilder.graph.atomic_file import replacing
from netbuilder.keras_bridge.layer_state import write_states

GROUP = "nodes"


def save_weights(path: Path, layers: dict[str, Any]) -> None:
    """Write every layer's weights (trainable and not) and preprocessing state atomically to `path`."""
    with replacing(path) as tmp, h5py.File(tmp, "w") as fh:
        root = fh.create_group(GROUP)
        for key, layer in layers.items():
            weights = layer.get_weights()
            if not weights:
                continue
            group = root.create_group(quote(key, safe=""))
            for i, value in enumerate(weights):
                group.create_dataset(str(i), data=np.asarray(value))
        write_states(fh, layers)


def load_weights(path: Path, layers: dict[str, Any]) -> list[str]:
    """Set each layer's weights from `path`; returns one message per node that was skipped."""
    notes: list[str] = []
    with h5py.File(path, "r") as fh:
        stored = fh.get(GROUP)
        if stored is None:
            return [f"{path.name} holds no netbuilder weights"]
        for name in stored:
            key = unquote(name)
            layer = layers.get(key)
            if layer is None:
                continue  # the node was deleted since the weights were saved
            group = stored[name]
            arrays = [group[str(i)][()] for i in range(len(group))]
            expected = [tuple(w.shape) for w in layer.weights]
            got = [tuple(a.shape) for a in arrays]
            if expected != got:
                notes.append(f"node '{key}': saved weights have shapes {got}, the layer now needs {expected}; left as initialised")
                continue
            layer.set_weights(arrays)
            if isinstance(layer, keras.layers.Normalization):
                layer.finalize_state()  # its statistics are computed from these weights, as after `adapt`
    return notes
