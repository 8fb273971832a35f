"""How the generated script makes one layer: `layers.X(k=v, …)`, wrappers with their inner layers, vocabularies.

Each layer is written with keyword arguments in Keras' own vocabulary, and
checked while writing: a layer made from them must have the very config of
the layer netbuilder built, else the script falls back to `from_config`. A
wrapper's inner layer (`Bidirectional(LSTM(…))`, `TimeDistributed(Dense(…))`)
is written as a layer of its own the same way. An adapted vocabulary, which
netbuilder keeps in the weights file, is written as the layer's `vocabulary=`
(and `idf_weights=`), so the script builds the same preprocessing.
"""

from __future__ import annotations

from typing import Any, Callable

import keras

from netbuilder.catalog import Catalog

_STATE_KEYS = ("vocabulary", "idf_weights")


def _is_layer_object(value: Any) -> bool:
    """A serialised `keras.layers` layer inside a config (a wrapper's `layer`)."""
    return (isinstance(value, dict) and value.get("module") == "keras.layers"
            and isinstance(value.get("config"), dict) and hasattr(keras.layers, str(value.get("class_name"))))


def unbuilt(config: Any, top: bool = True) -> Any:
    """A config without what differs between two makings of one layer.

    That is the `build_config` nested layers gain once called, and their names,
    which Keras numbers afresh (`forward_lstm_1`) in a process that made one before.
    """
    if isinstance(config, dict):
        return {k: unbuilt(v, False) for k, v in config.items()
                if k != "build_config" and (top or k != "name" or "trainable" not in config)}
    if isinstance(config, (list, tuple)):
        return [unbuilt(v, False) for v in config]
    return config


def state_arguments(layer: Any) -> dict[str, Any]:
    """`vocabulary=` (and `idf_weights=`) for a lookup layer whose vocabulary came from `adapt`."""
    if not hasattr(layer, "get_vocabulary") or layer.get_config().get("vocabulary") is not None:
        return {}
    vocabulary = [v.item() if hasattr(v, "item") else v for v in layer.get_vocabulary()]
    if not vocabulary:
        return {}
    arguments: dict[str, Any] = {"vocabulary": vocabulary}
    lookup = getattr(layer, "_lookup_layer", layer)
    if getattr(lookup, "output_mode", None) == "tf_idf":
        arguments["idf_weights"] = [float(w) for w in lookup.idf_weights_const.numpy()]
    return arguments


class LayerWriter:
    """Writes `layers.X(…)` expressions; `kwargs_code(values)` renders keyword arguments as Python."""

    def __init__(self, catalog: Catalog, kwargs_code: Callable[[dict[str, Any]], str],
                 literal: Callable[[Any], str]) -> None:
        self.catalog = catalog
        self.kwargs_code = kwargs_code
        self.literal = literal

    def expression(self, class_name: str, config: dict[str, Any], built: Any, named: bool = True) -> str:
        """The layer `built` (made from `config`) as code; `named=False` for an inner layer, named by Keras."""
        cls = getattr(keras.layers, class_name)
        ref = f"layers.{class_name}" if class_name.isidentifier() else f"getattr(layers, {self.literal(class_name)})"
        state = state_arguments(built)
        target = self._comparable(built.get_config(), named)
        for candidate in self._candidates(class_name, config):
            try:
                made = cls(**self._objects(candidate), **state)
            except Exception:  # a constructor that wants other arguments than its config holds
                continue
            if self._comparable(made.get_config(), named) == target:
                return f"{ref}({self._arguments({**candidate, **state})})"
        try:
            same = self._comparable(cls.from_config(config).get_config(), named) == target
        except Exception:  # e.g. a from_config that needs keys the node leaves to their defaults
            same = False
        return f"{ref}.from_config({self.literal(config if same else built.get_config())})"

    def _candidates(self, class_name: str, config: dict[str, Any]) -> list[dict[str, Any]]:
        """The config without Keras' defaults (and without inner layers Keras makes itself), then in full."""
        spec = self.catalog.get(class_name)
        defaults = spec.defaults() if spec is not None else {}
        seeded = spec.seed if spec is not None else {}  # the catalog's examples, not Keras' defaults
        short = {k: v for k, v in config.items()
                 if k == "name" or k in seeded or k not in defaults or defaults[k] != v}
        shortest = {k: v for k, v in short.items() if k == "layer" or not _is_layer_object(v)}
        return [c for i, c in enumerate([shortest, short, config]) if c not in [shortest, short, config][:i]]

    def _comparable(self, config: dict[str, Any], named: bool = True) -> Any:
        return unbuilt({k: v for k, v in config.items() if k not in _STATE_KEYS and (named or k != "name")})

    def _objects(self, config: dict[str, Any]) -> dict[str, Any]:
        """Config values as the constructor takes them: inner layers as layer objects."""
        return {k: keras.saving.deserialize_keras_object(v, safe_mode=True) if _is_layer_object(v) else v
                for k, v in config.items()}

    def _arguments(self, config: dict[str, Any]) -> str:
        """Keyword arguments, inner layers written as `layers.X(…)` of their own."""
        inner = {k: v for k, v in config.items() if _is_layer_object(v)}
        plain = {k: v for k, v in config.items() if k not in inner}
        parts = [f"{k}={self._inner(v)}" for k, v in inner.items()]
        rest = self.kwargs_code(plain)
        return ", ".join(parts + ([rest] if rest else []))

    def _inner(self, serialized: dict[str, Any]) -> str:
        layer = keras.saving.deserialize_keras_object(serialized, safe_mode=True)
        config = {k: v for k, v in serialized["config"].items() if k != "name"}
        return self.expression(serialized["class_name"], config, layer, named=False)
