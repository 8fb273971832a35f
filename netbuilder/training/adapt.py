"""Adapting a model's preprocessing layers on the training data before it trains.

`Normalization`, `StringLookup`, `IntegerLookup`, `TextVectorization` and
`Discretization` learn their state (means and variances, vocabularies, bin
boundaries) from data rather than by gradient descent. A layer the user left
without that state (`mean: null`, no `vocabulary`, `bin_boundaries: null`) is
adapted here on the training split only — never the validation rows, which
would leak them into the model — in one streaming pass for every layer that
can be fed at once, so a dataset of any size costs one read, a batch at a
time. A layer that sits behind another one still to adapt waits for the next
pass. The state is then part of the model: the `.keras` file, the SavedModel
and the other exports carry it.

The learnt state is cached beside the project (`NAME.adapted.json`), keyed by
a fingerprint of the data and of the layer, so a second run on the same data
skips the pass. The cache is a convenience: a damaged or foreign file is
ignored and rewritten, never trusted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ADAPTABLE = ("Normalization", "StringLookup", "IntegerLookup", "TextVectorization", "Discretization")
CACHE_FORMAT = "netbuilder-adapted"
CACHE_MAX_BYTES = 64 << 20  # a vocabulary file larger than this is not worth reading back

ADAPT_BATCH_BYTES = 4 << 20  # of features per batch of the adapting pass, up to ADAPT_BATCH_ROWS rows
ADAPT_BATCH_ROWS = 1024

# Takes the model's features (one batch) and returns what a layer receives.
Tap = Callable[[Any], Any]


def adapt_batch_size(sample: dict[str, np.ndarray], batch_size: int) -> int:
    """Rows per batch of the adapting pass: as many as fit in `ADAPT_BATCH_BYTES` of the `sample` rows' size
    (at most `ADAPT_BATCH_ROWS`), never fewer than training's `batch_size`.

    Each batch costs a layer's `update_state` a few eager operations whatever its size, so on small rows
    (numbers, sentences) training's batch of 32 spends most of the pass on that: 625 calls for 20,000
    documents against 20. The state learnt is the same: vocabularies count every value, and moments are
    combined exactly (`_Moments`). Big rows (images) keep batches of a few megabytes.
    """
    row = 0.0
    for values in sample.values():
        if not len(values):
            return batch_size
        if values.dtype == object:  # text: about its length, in bytes
            head = values.reshape(len(values), -1)[:64]
            row += float(np.mean([sum(len(v) if isinstance(v, (str, bytes)) else 8 for v in r) for r in head]))
        else:
            row += values[0].nbytes
    fits = int(ADAPT_BATCH_BYTES // max(row, 1.0))
    return max(batch_size, min(ADAPT_BATCH_ROWS, fits))


def cache_path(project_path: Path | None) -> Path | None:
    """Where the adapted state of `project_path`'s layers is kept: beside it, named after it.

    None for an unsaved project and for the bundled examples, whose folder is
    part of the installed package and not the user's to write in.
    """
    from netbuilder import resources

    if project_path is None or project_path.resolve().is_relative_to(resources.ROOT):
        return None
    return project_path.with_name(project_path.stem + ".adapted.json")


def adaptable_layers(model: Any) -> list[tuple[Any, Tap]]:
    """Every preprocessing layer of `model` (nested sub-models included) without learnt state,
    with how to compute its input from the model's features, in the model's order."""
    found: list[tuple[Any, Tap]] = []
    _collect(model, lambda features: features, found)
    # A layer shared by two calls has one state: it learns from the first call's data, as Keras' own
    # `adapt` learns from whatever it is given.
    first: dict[int, tuple[Any, Tap]] = {}
    for layer, tap in found:
        first.setdefault(id(layer), (layer, tap))
    return list(first.values())


def adapt_preprocessing(model: Any, features: Any, *, cache: Path | None = None, fingerprint: str = "",
                        weights_loaded: bool = False, note: Callable[[str], None] | None = None) -> list[str]:
    """Adapt the layers that need it on `features` (a batched `tf.data.Dataset` of the model's inputs).

    `weights_loaded` says the project's saved weights were loaded: a
    `Normalization`'s mean and variance are weights, so they are kept; the
    vocabularies and bin boundaries are not, so those layers still adapt.
    Returns the names of the adapted layers. `fingerprint` identifies the data
    (empty: nothing is cached).
    """
    pending = [(layer, tap) for layer, tap in adaptable_layers(model)
               if not (weights_loaded and type(layer).__name__ == "Normalization")]
    if not pending:
        return []
    stored = _read_cache(cache) if cache is not None and fingerprint else {}
    keys = {layer.name: _layer_key(layer, fingerprint) for layer, _ in pending}
    from_cache = [layer for layer, _ in pending if _restore(layer, stored.get(layer.name), keys[layer.name])]
    if from_cache and note is not None:
        note(f"Preprocessing state of {_listed(from_cache)} read from {cache.name if cache else 'the cache'}.")
    pending = [(layer, tap) for layer, tap in pending if layer not in from_cache]
    adapted: list[Any] = []
    while pending:
        wave = [(layer, tap) for layer, tap in pending if not _behind(layer, [p for p, _ in pending if p is not layer])]
        wave = wave or pending[:1]
        if note is not None:
            note(f"Adapting {_listed([layer for layer, _ in wave])} on the training data…")
        _adapt_wave(wave, features)
        adapted += [layer for layer, _ in wave]
        pending = [(layer, tap) for layer, tap in pending if all(layer is not w for w, _ in wave)]
    if cache is not None and fingerprint and adapted:
        for layer in adapted:
            state = _state(layer)
            if state is not None:
                stored[layer.name] = {"key": keys[layer.name], "class": type(layer).__name__, "state": state}
        _write_cache(cache, stored)
    return [layer.name for layer in adapted]


def _collect(model: Any, tap: Tap, found: list[tuple[Any, Tap]]) -> None:
    import keras

    for layer in model.layers:
        if type(layer).__name__ in ADAPTABLE and _needs_state(layer):
            found.append((layer, _tap_of(model, layer, tap)))
        elif isinstance(layer, keras.Model) and _has_pending(layer):
            _collect(layer, _tap_of(model, layer, tap), found)


def _has_pending(model: Any) -> bool:
    """Whether a (nested) model holds a layer to adapt: only then is a way to feed it worth building."""
    import keras

    return any((type(layer).__name__ in ADAPTABLE and _needs_state(layer))
               or (isinstance(layer, keras.Model) and _has_pending(layer)) for layer in model.layers)


def _tap_of(model: Any, layer: Any, outer: Tap) -> Tap:
    """How to get what `layer` receives inside `model`, from what `model`'s caller has.

    A sub-model used in several places has a call in each graph that uses it;
    the one that belongs to `model` is the call whose inputs `model`'s own
    inputs reach (Keras refuses a model over the others).
    """
    import keras

    problem: Exception | None = None
    for node in layer._inbound_nodes:
        received = node.input_tensors
        received = received[0] if len(received) == 1 else list(received)
        if len(model.inputs) == 1 and received is model.inputs[0]:
            return outer
        try:
            probe = keras.Model(model.inputs, received)
        except ValueError as exc:  # a call in another graph
            problem = exc
            continue
        return lambda features, probe=probe: probe(outer(features), training=False)
    raise ValueError(f"cannot tell what layer '{layer.name}' receives: {problem}")


def _needs_state(layer: Any) -> bool:
    kind = type(layer).__name__
    if kind == "Normalization":
        # Keras' own `adapt` leaves `count` at 0; ours records the rows, so an adapted layer is known as one.
        return layer.input_mean is None and not (layer.built and int(layer.count.numpy()) > 0)
    if kind == "Discretization":
        return layer.bin_boundaries is None and layer.num_bins is not None
    lookup = layer._lookup_layer if kind == "TextVectorization" else layer
    specials = int(lookup.num_oov_indices) + (lookup.mask_token is not None)
    return lookup.input_vocabulary is None and lookup.vocabulary_size() <= specials


def _behind(layer: Any, others: list[Any]) -> bool:
    """Whether `layer`'s input passes through one of `others` (which must adapt first)."""
    seen: set[int] = set()
    nodes = list(layer._inbound_nodes[:1])
    while nodes:
        node = nodes.pop()
        for tensor in node.input_tensors:
            history = tensor._keras_history
            if id(history.operation) in seen:
                continue
            seen.add(id(history.operation))
            if any(history.operation is other for other in others):
                return True
            nodes.extend(history.operation._inbound_nodes[history.node_index:history.node_index + 1])
    return False


def _adapt_wave(wave: list[tuple[Any, Tap]], features: Any) -> None:
    """One pass over `features` feeding every layer of `wave`; then each layer's state is final."""
    import tensorflow as tf

    taps = [tap for _, tap in wave]
    stream = features.map(lambda x: tuple(tap(x) for tap in taps), num_parallel_calls=tf.data.AUTOTUNE)
    totals: list[_Moments | None] = []
    for layer, _ in wave:
        if type(layer).__name__ == "Normalization":
            totals.append(_Moments(layer))
        else:
            layer.reset_state()
            totals.append(None)
    for batch in stream.prefetch(tf.data.AUTOTUNE):
        for (layer, _), moments, received in zip(wave, totals, batch):
            if moments is not None:
                moments.add(received.numpy())
            else:
                layer.update_state(received)
    for (layer, _), moments in zip(wave, totals):
        if moments is not None:
            moments.finish()
        else:
            layer.finalize_state()


class _Moments:
    """A Normalization layer's mean and variance over batches, combined as Keras' own `adapt` does
    (Chan et al.), in float64 so a million rows lose nothing to rounding."""

    def __init__(self, layer: Any) -> None:
        self.layer = layer
        self.count = 0
        self.mean: np.ndarray | float = 0.0
        self.var: np.ndarray | float = 0.0

    def add(self, batch: np.ndarray) -> None:
        axes = tuple(self.layer._reduce_axis)
        batch = np.asarray(batch, dtype=np.float64)
        n = int(np.prod([batch.shape[d] for d in axes])) if axes else 1
        if n == 0:
            return
        mean, var = batch.mean(axis=axes), batch.var(axis=axes)
        total = self.count + n
        new_mean = self.mean + (mean - self.mean) * (n / total)
        self.var = ((self.var + (self.mean - new_mean) ** 2) * (self.count / total)
                    + (var + (mean - new_mean) ** 2) * (n / total))
        self.mean, self.count = new_mean, total

    def finish(self) -> None:
        if self.count == 0:
            return  # no rows: the layer keeps mean 0 and variance 1
        shape = self.layer.adapt_mean.shape
        self.layer.adapt_mean.assign(np.broadcast_to(self.mean, shape).astype("float32"))
        self.layer.adapt_variance.assign(np.broadcast_to(self.var, shape).astype("float32"))
        self.layer.count.assign(self.count)
        self.layer.finalize_state()


def _state(layer: Any) -> dict[str, Any] | None:
    """The learnt state as JSON-ready lists; None for what is not worth caching (tf-idf weights)."""
    kind = type(layer).__name__
    if kind == "Normalization":
        return {"mean": np.asarray(layer.adapt_mean).tolist(), "variance": np.asarray(layer.adapt_variance).tolist()}
    if kind == "Discretization":
        return {"bin_boundaries": [float(b) for b in layer.bin_boundaries]}
    if getattr(layer, "output_mode", None) == "tf_idf":
        return None
    vocabulary = layer.get_vocabulary(include_special_tokens=False)
    return {"vocabulary": [v.decode() if isinstance(v, bytes) else v for v in vocabulary]}


def _restore(layer: Any, entry: Any, key: str) -> bool:
    """Put a cached state back into `layer`; False when the entry does not belong to it or is damaged."""
    if not isinstance(entry, dict) or entry.get("key") != key or not isinstance(entry.get("state"), dict):
        return False
    state = entry["state"]
    kind = type(layer).__name__
    try:
        if kind == "Normalization":
            shape = tuple(layer.adapt_mean.shape)
            mean = np.asarray(state["mean"], dtype="float32")
            variance = np.asarray(state["variance"], dtype="float32")
            if mean.shape != shape or variance.shape != shape or not (np.isfinite(mean).all() and
                                                                       np.isfinite(variance).all()):
                return False
            layer.adapt_mean.assign(mean)
            layer.adapt_variance.assign(variance)
            layer.count.assign(max(1, int(layer.count.numpy())))
            layer.finalize_state()
        elif kind == "Discretization":
            bounds = state["bin_boundaries"]
            if not (isinstance(bounds, list) and all(isinstance(b, (int, float)) for b in bounds)):
                return False
            layer.bin_boundaries = [float(b) for b in bounds]
        else:
            vocabulary = state["vocabulary"]
            if not isinstance(vocabulary, list) or len(set(map(repr, vocabulary))) != len(vocabulary):
                return False
            wanted = str if kind != "IntegerLookup" else int
            if not all(type(v) is wanted for v in vocabulary):
                return False
            layer.set_vocabulary(vocabulary)
    except (KeyError, TypeError, ValueError):
        return False
    return True


def _layer_key(layer: Any, fingerprint: str) -> str:
    """The data's fingerprint with what the layer is: another vocabulary size or axis is another state."""
    config = layer.get_config()
    config.pop("name", None)
    described = json.dumps([fingerprint, type(layer).__name__, config], sort_keys=True, default=str)
    return hashlib.sha256(described.encode()).hexdigest()


def _read_cache(path: Path) -> dict[str, Any]:
    try:
        if path.stat().st_size > CACHE_MAX_BYTES:
            return {}
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError, RecursionError):
        return {}
    if not isinstance(doc, dict) or doc.get("format") != CACHE_FORMAT or not isinstance(doc.get("layers"), dict):
        return {}
    return dict(doc["layers"])


def _write_cache(path: Path, layers: dict[str, Any]) -> None:
    """Written atomically; a folder that cannot be written only costs the next run a pass."""
    from netbuilder.graph.atomic_file import atomic_write_text

    try:
        atomic_write_text(path, json.dumps({"format": CACHE_FORMAT, "version": 1, "layers": layers}))
    except OSError:
        pass


def _listed(layers: list[Any]) -> str:
    names = [f"'{layer.name}'" for layer in layers]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
