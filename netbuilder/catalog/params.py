"""Describing one layer's constructor arguments as `ParamSpec`s.

The settings a layer has are the union of what its constructor takes and
what its `get_config()` reports, so every config Keras writes (or accepts)
can be shown and checked. A setting's kind comes from its default value,
refined by its name and by the words of its docstring entry ("Float or a
tuple of two floats" must not be edited as a plain float).
"""

from __future__ import annotations

import inspect
import math
import re
from typing import Any

from netbuilder.catalog import overrides
from netbuilder.catalog.spec import ParamSpec

# Accepted strings for the kinds whose values are Keras object names.
Vocabulary = dict[str, list[str]]

# Handled by every layer and by the graph; never a per-layer setting.
_SKIPPED = {"self", "name"}
_MENTIONS_SEQUENCE = re.compile(r"\b(tuple|list)s?\b", re.IGNORECASE)
_MENTIONS_FLOAT = re.compile(r"\bfloat", re.IGNORECASE)


def jsonable(value: Any) -> Any:
    """`value` with tuples as lists and NumPy scalars/arrays as plain Python, for JSON.

    Raises TypeError for anything else (a Python object as a default), so the
    layer is listed as one netbuilder cannot set up instead of breaking the cache.
    """
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if hasattr(value, "tolist"):  # NumPy scalars and arrays, without importing NumPy
        return jsonable(value.tolist())
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    raise TypeError(f"{value!r} cannot be stored in the layer catalog")


def is_layer_config(value: Any) -> bool:
    """A nested layer as `serialize_keras_object` writes it."""
    return (isinstance(value, dict) and isinstance(value.get("class_name"), str)
            and str(value.get("module", "")).startswith("keras.layers"))


def _without_names(value: Any) -> Any:
    """A nested layer config without its `name`: Keras numbers auto names per process,
    so keeping them would make the catalog differ from run to run."""
    if is_layer_config(value) and isinstance(value.get("config"), dict):
        config = {k: v for k, v in value["config"].items() if k != "name"}
        return {**value, "config": config}
    return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def infer_kind(name: str, default: Any, choices: list[Any] | None, help_text: str) -> str:
    """The editor kind for a setting (one of `spec.PARAM_KINDS`)."""
    if name in overrides.KINDS:
        return overrides.KINDS[name]
    if name == "dtype":
        return "dtype"
    for suffix in ("initializer", "regularizer", "constraint"):
        if name.endswith("_" + suffix):
            return suffix
    if name == "activation" or name.endswith("_activation"):
        return "activation"
    if name in ("layer", "backward_layer") or is_layer_config(default):
        return "layer"
    if choices is not None:
        return "choice"
    if isinstance(default, bool):
        return "bool"
    if _is_int(default):
        if _MENTIONS_SEQUENCE.search(help_text):
            return "ints"
        return "float" if _MENTIONS_FLOAT.search(help_text) else "int"
    if isinstance(default, float):
        return "any" if _MENTIONS_SEQUENCE.search(help_text) else "float"
    if isinstance(default, str):
        return "str"
    if isinstance(default, list) and default and all(_is_int(v) for v in default):
        return "any" if _MENTIONS_FLOAT.search(help_text) else "ints"
    if default is None:
        return overrides.KINDS_WHEN_NONE.get(name, "any")
    return "any"


def _choices(cls: type, layer: str, name: str, default: Any) -> list[Any] | None:
    if name in overrides.LAYER_CHOICES.get(layer, {}):
        return list(overrides.LAYER_CHOICES[layer][name])
    for attr in (f"_SUPPORTED_{name.upper()}", f"_SUPPORTED_{name.upper()}S"):
        supported = getattr(cls, attr, None)
        if isinstance(supported, (tuple, list, set, frozenset, dict)):
            return sorted(supported)
    # By-name choices apply to scalar settings only: ZeroPadding2D's `padding` is a tuple.
    if name in overrides.CHOICES and (default is None or isinstance(default, (str, int))):
        return list(overrides.CHOICES[name])
    return None


def _vocabulary_choices(kind: str, vocab: Vocabulary) -> list[str] | None:
    return list(vocab[kind]) if kind in vocab else None


def describe_params(cls: type, layer: str, config: dict[str, Any], docs: dict[str, str],
                    vocab: Vocabulary) -> list[ParamSpec]:
    """ParamSpecs in constructor order, then the settings only `get_config()` reports.

    `config` is the seeded instance's `get_config()`; `docs` maps argument
    names to their docstring text; `vocab` holds the names Keras accepts for
    activations, initializers, regularizers, constraints and dtypes.
    """
    signature = inspect.signature(cls.__init__).parameters
    names = [n for n, p in signature.items() if n not in _SKIPPED
             and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    names += [k for k in config if k not in signature and k not in _SKIPPED]
    layer_defaults = overrides.DEFAULTS.get(layer, {})
    specs = []
    for name in names:
        param = signature.get(name)
        declared = param.default if param is not None else inspect.Parameter.empty
        if name in layer_defaults:
            default = layer_defaults[name]
        elif name == "seed" and declared is None:
            default = None  # Keras draws a random seed when none is given; report "none given"
        elif name in config:
            default = jsonable(config[name])
        elif declared is not inspect.Parameter.empty:
            default = jsonable(declared)
        else:
            continue
        default = _without_names(default)
        help_text = docs.get(name) or overrides.HELP.get(name, "")
        choices = _choices(cls, layer, name, default)
        kind = infer_kind(name, default, choices, help_text)
        if choices is None:
            choices = _vocabulary_choices(kind, vocab)
        minimum = overrides.MINIMUMS.get(name) if kind in ("int", "float", "ints") else None
        nullable = default is None or declared is None or None in (choices or [])
        specs.append(ParamSpec(
            name=name, kind=kind, default=default,
            required=param is not None and declared is inspect.Parameter.empty,
            nullable=nullable, choices=choices, minimum=minimum, help=help_text,
        ))
    return specs
