"""Preprocessing state that is no weight: adapted vocabularies (and TF-IDF weights), kept in the weights file.

A `StringLookup`, `IntegerLookup` or `TextVectorization` adapted to data
keeps its vocabulary outside its weights, and the vocabulary decides how
wide its output is (`output_mode="one_hot"`). Keras saves such state with its
own per-layer protocol (`save_own_variables` and `save_assets`, the files of a
`.keras` archive); netbuilder stores exactly those, under `state/<node>` in
the project's weights file, and hands them back to every layer it makes for
that node — so shapes, the model and every export carry the vocabulary.
A vocabulary given in the layer's config needs none of this: Keras writes nothing.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import h5py
import numpy as np

STATE_GROUP = "state"
State = dict[str, dict[str, np.ndarray]]  # {"variables": {name: array}, "assets": {file: bytes as uint8}}


def keeps_state(layer: Any) -> bool:
    """Layers that save assets (files) in a `.keras` archive: those keep state that is no weight."""
    return callable(getattr(layer, "save_assets", None)) and callable(getattr(layer, "load_assets", None))


def capture_state(layer: Any) -> State | None:
    """The layer's non-weight state as Keras would save it; None when it has none."""
    if not keeps_state(layer):
        return None
    variables: dict[str, Any] = {}
    layer.save_own_variables(variables)
    with tempfile.TemporaryDirectory() as folder:
        layer.save_assets(folder)
        assets = {p.name: np.frombuffer(p.read_bytes(), dtype=np.uint8) for p in Path(folder).iterdir()}
    if not assets:
        return None
    return {"variables": {k: np.asarray(v) for k, v in variables.items()}, "assets": assets}


def has_state(layer: Any) -> bool:
    return capture_state(layer) is not None


def restore_state(layer: Any, state: State) -> None:
    """Give a fresh layer the state `capture_state` took (variables first, then assets, as Keras loads)."""
    layer.load_own_variables(dict(state.get("variables", {})))
    with tempfile.TemporaryDirectory() as folder:
        for name, data in state.get("assets", {}).items():
            (Path(folder) / name).write_bytes(np.asarray(data, dtype=np.uint8).tobytes())
        layer.load_assets(folder)


def copy_states(source: Any, target: Any) -> None:
    """Give each layer of model `target` with state the state of the layer of the same name in `source`
    (a trained run's model): weights alone leave a rebuilt model's vocabularies empty."""
    found = {layer.name: layer for layer in source._flatten_layers(include_self=False)}
    for layer in target._flatten_layers(include_self=False):
        twin = found.get(layer.name)
        state = capture_state(twin) if twin is not None and keeps_state(layer) else None
        if state is not None:
            restore_state(layer, state)


def write_states(root: h5py.Group, layers: dict[str, Any]) -> None:
    """Store the state of every layer that has some, keyed as its weights are."""
    group = root.create_group(STATE_GROUP)
    for key, layer in layers.items():
        state = capture_state(layer)
        if state is None:
            continue
        node = group.create_group(quote(key, safe=""))
        for part, values in state.items():
            sub = node.create_group(part)
            for name, value in values.items():
                sub.create_dataset(quote(name, safe=""), data=value)


def read_states(fh: h5py.File) -> dict[str, State]:
    """Every stored state by node key (empty for files written before states were kept)."""
    group = fh.get(STATE_GROUP)
    if group is None:
        return {}
    return {unquote(key): {part: {unquote(name): node[part][name][()] for name in node[part]} for part in node}
            for key, node in group.items()}


class StateSource:
    """The states in a project's weights file, read once per version of the file."""

    def __init__(self, path_of: Any) -> None:
        self._path_of = path_of  # called each time: a project saved under a new name moves its file
        self._seen: tuple[Path, int] | None = None
        self._states: dict[str, State] = {}

    def get(self, scope: str, node_id: str) -> State | None:
        path = self._path_of()
        if path is None or not path.exists():
            return None
        stamp = (path, path.stat().st_mtime_ns)
        if stamp != self._seen:
            try:
                with h5py.File(path, "r") as fh:
                    self._states = read_states(fh)
            except OSError:
                self._states = {}
            self._seen = stamp
        return self._states.get(f"{scope}/{node_id}" if scope else node_id)
