"""Building the catalog by asking Keras itself what `keras.layers` holds.

For each public layer class this reads the constructor signature, makes a
seeded instance and keeps its `get_config()` as the defaults, reads the
docstrings for help text, and reads `call()` for how many inputs the layer
takes. Only what Keras cannot tell comes from `overrides`. This is the slow
path (it imports Keras); `cache` keeps the result so the GUI rarely runs it.
"""

from __future__ import annotations

import inspect
from typing import Any

from netbuilder.catalog import docstring, overrides, rules
from netbuilder.catalog.catalog import Catalog
from netbuilder.catalog.params import Vocabulary, describe_params, jsonable
from netbuilder.catalog.spec import LayerSpec

# Helpers that sit beside the objects in keras.activations, keras.initializers, ...
_NOT_OBJECTS = {"get", "serialize", "deserialize"}


def build_catalog() -> Catalog:
    """Every usable layer in `keras.layers`, described; a few seconds, as it imports Keras."""
    import keras  # deferred: importing this module must stay cheap for the cached path

    vocab = _vocabulary(keras)
    specs: list[LayerSpec] = []
    denied = dict(overrides.DENIED)
    for cls, names in _layer_classes(keras).items():
        name = cls.__name__ if cls.__name__ in names else names[0]
        reason = next((overrides.DENIED[n] for n in names if n in overrides.DENIED), None)
        if reason is not None:
            denied.update((n, overrides.DENIED.get(n, reason)) for n in names)
            continue
        try:
            spec = _describe(cls, name, vocab)
        except Exception as exc:  # a newer Keras added a layer that our seeds do not cover
            detail = (str(exc).splitlines() or [type(exc).__name__])[0]
            denied[name] = f"{name} cannot be set up by netbuilder with this Keras: {detail}"
            continue
        spec.aliases = sorted(n for n in names if n != name)
        specs.append(spec)
    return Catalog(specs, denied, keras.__version__)


def _layer_classes(keras: Any) -> dict[type, list[str]]:
    """Each public layer class with every name `keras.layers` exports it under (aliases)."""
    found: dict[type, list[str]] = {}
    for attr in sorted(dir(keras.layers)):
        obj = getattr(keras.layers, attr)
        is_layer = inspect.isclass(obj) and issubclass(obj, keras.layers.Layer)
        if is_layer and not attr.startswith("_"):
            found.setdefault(obj, []).append(attr)
    return found


def _public_names(module: Any, *, snake_case: bool) -> list[str]:
    names = [n for n in dir(module) if not n.startswith("_") and n not in _NOT_OBJECTS
             and callable(getattr(module, n))]
    return sorted(n for n in names if n.islower() == snake_case)


def _vocabulary(keras: Any) -> Vocabulary:
    """The strings Keras accepts for activations, initializers, regularizers, constraints."""
    activations = [n for n in _public_names(keras.activations, snake_case=True)
                   if _takes_one_argument(getattr(keras.activations, n))]
    common = [n for n in overrides.COMMON_ACTIVATIONS if n in activations]
    return {
        "activation": common + [n for n in activations if n not in common],
        "initializer": _public_names(keras.initializers, snake_case=True),
        "regularizer": _public_names(keras.regularizers, snake_case=True),
        "constraint": _public_names(keras.constraints, snake_case=True),
        "dtype": list(overrides.DTYPES),
    }


def _takes_one_argument(function: Any) -> bool:
    """Activations with further required arguments (`threshold`) cannot be named by a string."""
    required = [p for p in inspect.signature(function).parameters.values()
                if p.default is inspect.Parameter.empty
                and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    return len(required) == 1


def _docs(cls: type) -> dict[str, str]:
    """Argument help from the class and its bases, the most specific winning."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        docs.update(docstring.arguments(klass.__doc__))
        init = klass.__dict__.get("__init__")
        docs.update(docstring.arguments(getattr(init, "__doc__", None)))
    return docs


def _describe(cls: type, name: str, vocab: Vocabulary) -> LayerSpec:
    seed = overrides.SEEDS.get(name, {})
    config = cls.from_config(dict(seed)).get_config()  # type: ignore[attr-defined]
    params = describe_params(cls, name, config, _docs(cls), vocab)
    mode, low, high, ports = _arity(cls, name)
    category = rules.category_for(name, cls.__module__)
    shapes, dtype = rules.example_inputs_for(name, cls.__module__, category, low)
    return LayerSpec(
        name=name, category=category, doc=docstring.summary(cls.__doc__), params=params,
        seed=jsonable(seed), input_mode=mode, min_inputs=low,
        max_inputs=high, port_names=ports, example_inputs=shapes, example_dtype=dtype,
    )


def _is_merge(cls: type) -> bool:
    # keras.layers does not export the Merge base class, so look for it by name.
    return any(base.__name__ == "Merge" for base in cls.__mro__[1:])


def _arity(cls: type, name: str) -> tuple[str, int, int | None, list[str]]:
    """(input_mode, min_inputs, max_inputs, port_names) from `call()` and the overrides.

    The tensors are `call()`'s leading positional parameters without defaults;
    a single `inputs` of a Merge layer (or a listed exception) is a list of tensors.
    """
    params = list(inspect.signature(cls.call).parameters.values())[1:]  # type: ignore[attr-defined]
    tensors = [p.name for p in params if p.default is inspect.Parameter.empty
               and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    takes_list = len(tensors) == 1 and (_is_merge(cls) or name in overrides.LIST_INPUT)
    if name in overrides.ARITY:
        low, high, ports = overrides.ARITY[name]
    elif takes_list:
        low, high, ports = 2, None, []
    else:
        low, high, ports = len(tensors), len(tensors), tensors
    mode = "list" if takes_list else "positional" if len(tensors) > 1 else "single"
    return mode, low, high, list(ports)
