"""Checking a node's config against its layer's spec, before Keras ever sees it.

Keras' own errors for a bad argument are long tracebacks raised deep inside a
constructor; the inspector and `netbuilder validate` want one short sentence
per problem, naming the setting. These checks are strict about types (a
boolean is not a number, "3x3" is not a kernel size) but accept everything
Keras' `get_config()` writes, so imported models always pass.
"""

from __future__ import annotations

import difflib
import json
import math
from typing import Any, Callable

from netbuilder.catalog.spec import LayerSpec, ParamSpec
from netbuilder.graph.layer_names import is_layer_name, safe_name

# Keys every layer accepts through `keras.layers.Layer.__init__`, with their kinds;
# `name` is checked on its own, as the graph uses it as the Keras layer name.
GENERIC_KEYS: dict[str, str] = {
    "trainable": "bool",
    "dtype": "dtype",
    "autocast": "bool",
    "activity_regularizer": "regularizer",
    "input_shape": "ints",
    "input_dim": "int",
}

_SHOWN_CHOICES = 6  # longer lists end in "…" so a message stays one line
_SHOWN_VALUE = 40

# Settings whose whole numbers become sizes: of weights (units, filters, kernels,
# vocabularies) or of tensors (repeats, crops, sequence lengths). Keras allocates
# whatever it is given, so 2**40 units would take the machine down before any
# error; MAX_SIZE is far above any real layer and low enough to refuse in a sentence.
MAX_SIZE = 2**24
SIZE_SETTINGS = frozenset({
    "units", "filters", "kernel_size", "strides", "dilation_rate", "pool_size", "size", "n", "groups",
    "depth_multiplier", "input_dim", "output_dim", "key_dim", "value_dim", "head_dim", "num_heads",
    "num_query_heads", "num_key_value_heads", "lora_rank", "max_tokens", "vocabulary_size", "num_tokens",
    "num_bins", "num_oov_indices", "output_sequence_length", "height", "width", "shape", "target_shape",
    "output_shape", "output_size", "cropping", "padding", "output_padding", "noise_shape", "num_mel_bins",
    "fft_length", "sequence_length", "sequence_stride", "sliding_window", "tile_grid_size", "chain_depth",
    "num_chains", "num_ops", "power_iterations", "max_number",
})


def check_config(spec: LayerSpec, config: dict[str, Any]) -> list[str]:
    """One short message per problem in `config` for layer `spec`; empty when fine."""
    problems: list[str] = []
    params = {p.name: p for p in spec.params}
    for key, value in config.items():
        if key == "name":
            problem = name_problem(value)
        elif key in params:
            problem = check_value(params[key], value)
        elif key in GENERIC_KEYS:
            problem = check_value(ParamSpec(key, GENERIC_KEYS[key], nullable=True), value)
        else:
            problem = _unknown(key, ["name", *params, *GENERIC_KEYS])
        problem = problem or size_problem(key, value)
        if problem:
            problems.append(problem)
    for param in spec.params:
        if param.required and param.name not in config:
            problems.append(f"{param.name} is required")
    return problems


def check_value(param: ParamSpec, value: Any) -> str | None:
    """Why `value` is not acceptable for `param` (a sentence), or None."""
    if value is None and param.nullable:
        return None
    return _CHECKS.get(param.kind, _any)(param, value)


def show(value: Any) -> str:
    """A value as the user typed it in JSON terms: "abc", true, null, [3, 3]."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= _SHOWN_VALUE else text[: _SHOWN_VALUE - 1] + "…"


def size_problem(key: str, value: Any) -> str | None:
    """Why setting `key` holds a number too large to be a size (a sentence naming where), or None.

    It looks inside lists and inside the configs of wrapped layers
    (Bidirectional's `layer`, `layer.config.units`), as Keras builds those too.
    """
    todo: list[tuple[str, str, Any]] = [(key, key, value)]
    while todo:
        path, name, item = todo.pop()
        if isinstance(item, dict):
            todo.extend((f"{path}.{k}", k, v) for k, v in reversed(item.items()))
        elif isinstance(item, list | tuple):
            todo.extend((path, name, v) for v in reversed(item))
        elif name in SIZE_SETTINGS and _is_int(item) and abs(item) > MAX_SIZE:
            return f"{path} must be at most {MAX_SIZE:,} (a size Keras would allocate), got {item}"
    return None


def _unknown(key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    hint = f' (did you mean "{close[0]}"?)' if close else ""
    return f'unknown setting "{key}"{hint}'


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(value)


def _below(param: ParamSpec, value: Any) -> str | None:
    if param.minimum is not None and value < param.minimum:
        bound = int(param.minimum) if float(param.minimum).is_integer() else param.minimum
        return f"{param.name} must be at least {bound}, got {show(value)}"
    return None


def _int(param: ParamSpec, value: Any) -> str | None:
    if not _is_int(value):
        return f"{param.name} must be a whole number, got {show(value)}"
    return _below(param, value)


def _float(param: ParamSpec, value: Any) -> str | None:
    if not _is_number(value):
        return f"{param.name} must be a number, got {show(value)}"
    return _below(param, value)


def _bool(param: ParamSpec, value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    return f"{param.name} must be true or false, got {show(value)}"


def _str(param: ParamSpec, value: Any) -> str | None:
    return None if isinstance(value, str) else f"{param.name} must be text, got {show(value)}"


def name_problem(value: Any) -> str | None:
    """Why `value` cannot name a layer (a sentence with a suggestion), or None."""
    if not isinstance(value, str):
        return f"name must be text, got {show(value)}"
    if not value.strip():
        return "name must not be empty"
    if not is_layer_name(value):
        suggestion = safe_name(value)
        return (f"name {show(value)} can only use the letters A-Z and a-z, digits and _ . - > (TensorFlow cannot train or "
                f"export a layer named otherwise); try {show(suggestion)}")
    return None


def _ints(param: ParamSpec, value: Any) -> str | None:
    items = value if isinstance(value, list | tuple) else [value]
    # A nullable setting such as Dropout's noise_shape also takes null entries
    # (dimensions that follow the input); Keras checks the rest when it builds.
    if param.nullable and isinstance(value, list | tuple):
        items = [v for v in items if v is not None] or [0]
    if not items or not all(_is_int(v) for v in items):
        return f"{param.name} must be a whole number or a list of them, got {show(value)}"
    return next((p for p in (_below(param, v) for v in items) if p), None)


def _in_choices(value: Any, choices: list[Any]) -> bool:
    # Plain `in` would take 1 for True and 1.0 for 1; a setting's type matters to Keras.
    return any(type(value) is type(c) and value == c for c in choices)


def _not_a_choice(param: ParamSpec, value: Any) -> str:
    choices = param.choices or []
    shown = [c if isinstance(c, str) else show(c) for c in choices[:_SHOWN_CHOICES]]
    if len(choices) > _SHOWN_CHOICES:
        shown.append("…")
    message = f"{param.name} must be one of {', '.join(shown)}, got {show(value)}"
    names = [c for c in choices if isinstance(c, str)]
    close = difflib.get_close_matches(value, names, n=1) if isinstance(value, str) else []
    return message + (f' (did you mean "{close[0]}"?)' if close else "")


def _choice(param: ParamSpec, value: Any) -> str | None:
    return None if _in_choices(value, param.choices or []) else _not_a_choice(param, value)


def _is_keras_object(value: Any) -> bool:
    """A Keras object as `serialize_keras_object` writes it: at least a class name."""
    return isinstance(value, dict) and isinstance(value.get("class_name"), str)


def _named_object(param: ParamSpec, value: Any) -> str | None:
    """Activations, initializers, regularizers, constraints, dtypes: a known name or a config."""
    if _is_keras_object(value):
        return None
    if isinstance(value, str):
        return _choice(param, value) if param.choices else None
    return (f"{param.name} must be the name of a Keras {param.kind} or its Keras config, "
            f"got {show(value)}")


def _layer(param: ParamSpec, value: Any) -> str | None:
    if _is_keras_object(value) and isinstance(value.get("config", {}), dict):
        return None
    return f"{param.name} must be a Keras layer config (with \"class_name\"), got {show(value)}"


def _any(param: ParamSpec, value: Any) -> str | None:
    return None


_CHECKS: dict[str, Callable[[ParamSpec, Any], str | None]] = {
    "int": _int,
    "float": _float,
    "bool": _bool,
    "str": _str,
    "choice": _choice,
    "ints": _ints,
    "activation": _named_object,
    "initializer": _named_object,
    "regularizer": _named_object,
    "constraint": _named_object,
    "dtype": _named_object,
    "layer": _layer,
    "any": _any,
}
