"""Read a Keras model file's architecture *as data* and refuse anything that carries code.

Before Keras deserialises a file, we read its JSON config ourselves (from the
`.keras` zip or the `.h5` attributes) and look for Lambda layers, custom
classes and functions from non-Keras modules. Such a file is refused with the
culprit named; its code is never run. Only then does Keras load it, in safe mode.
"""

from __future__ import annotations

import functools
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from netbuilder.graph import json_limits
from netbuilder.keras_bridge.errors import BridgeError

CODE_CARRYING = {"Lambda", "TFOpLambda", "SlicingOpLambda", "TFSMLayer", "JaxLayer", "FlaxLayer", "TorchModuleWrapper"}
SAFE_MODULE_ROOTS = {"keras", "builtins"}


def read_config(path: Path) -> dict[str, Any]:
    """The model's serialised architecture; BridgeError if the file is not a Keras model."""
    if not path.exists():
        raise BridgeError([f"{path}: no such file"])
    suffix = path.suffix.lower()
    try:
        if suffix == ".keras":
            with zipfile.ZipFile(path) as zf, zf.open("config.json") as member:
                # Read through the cap: a member's declared size may lie (a zip bomb).
                return json_limits.loads(json_limits.read_capped(member))
        if suffix in {".h5", ".hdf5"}:
            import h5py

            with h5py.File(path, "r") as fh:
                raw = fh.attrs.get("model_config")
                if raw is None:
                    raise BridgeError([f"{path}: this HDF5 file holds no model architecture (weights only?)"])
                if not isinstance(raw, str | bytes):
                    raise BridgeError([f"{path}: the file's model_config is not text, so it describes no model"])
                if len(raw) > json_limits.MAX_BYTES:
                    limit = json_limits.megabytes(json_limits.MAX_BYTES)
                    raise BridgeError([f"{path}: its model_config is larger than {limit}, the most netbuilder reads"])
                return json_limits.loads(raw)
    except BridgeError:
        raise
    except json_limits.JsonLimitError as exc:
        raise BridgeError([f"{path}: its model description {exc}"]) from None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise BridgeError([f"{path}: not a readable Keras model file ({exc})"]) from None
    raise BridgeError([f"{path}: unsupported file type '{path.suffix}'; netbuilder imports .keras and .h5 files"])


@dataclass(frozen=True)
class _Found:
    """A serialised object and where it sits: the layer whose config holds it, and under which key."""

    item: dict[str, Any]
    layer: tuple[str, str] | None  # (name, class) of the enclosing layer
    key: str | None


def _is_layer(item: dict[str, Any]) -> bool:
    inner = item.get("config")
    return isinstance(inner, dict) and isinstance(inner.get("name", item.get("name")), str)


def _walk(obj: Any, layer: tuple[str, str] | None = None, key: str | None = None) -> Iterator[_Found]:
    """Every serialised object (a dict with a `class_name`) in the architecture, with where it sits.

    A model's `compile_config` is left out: netbuilder loads models without
    compiling them, so a custom loss or metric never gets near Keras.
    """
    if isinstance(obj, dict):
        if "class_name" in obj:
            yield _Found(obj, layer, key)
            if _is_layer(obj):
                inner = obj["config"]
                layer = (str(inner.get("name", obj.get("name"))), str(obj["class_name"]))
                for k, value in inner.items():
                    yield from _walk(value, layer, k)
                for k, value in obj.items():
                    if k not in ("config", "compile_config"):
                        yield from _walk(value, layer, None)
                return
        for k, value in obj.items():
            if k != "compile_config":
                yield from _walk(value, layer, key)
    elif isinstance(obj, list):
        for item in obj:
            yield from _walk(item, layer, key)


@functools.cache
def _keras_names() -> frozenset[str]:
    """Class and function names Keras itself defines (an `.h5` file names classes without modules)."""
    import keras

    spaces = [keras.layers, keras.initializers, keras.regularizers, keras.constraints, keras.activations,
              keras.losses, keras.metrics, keras.optimizers, keras.dtype_policies, keras.saving, keras.ops]
    names = {n for space in spaces for n in dir(space) if not n.startswith("_")}
    return frozenset(names | {"Functional", "Sequential", "Model", "InputLayer", "function"})


def unsafe_parts(config: dict[str, Any]) -> list[str]:
    """One sentence per thing in the config that would make Keras run foreign code, naming its layer."""
    found = []
    for where in _walk(config):
        message = _verdict(where) or _named_function(where)
        if message is not None:
            found.append(message + "; netbuilder never runs code from a file")
    return list(dict.fromkeys(found))


# Settings an `.h5` file stores as a bare function name; what Keras itself accepts there.
_NAMED_FUNCTIONS = {"activation": None, "recurrent_activation": None,
                    "standardize": {"lower_and_strip_punctuation", "lower", "strip_punctuation"},
                    "split": {"whitespace", "character"}}


def _named_function(where: _Found) -> str | None:
    """A layer setting that names a function Keras does not have (a custom one, saved by name)."""
    import keras

    inner = where.item.get("config")
    if not _is_layer(where.item):
        return None
    for key, allowed in _NAMED_FUNCTIONS.items():
        value = inner.get(key)
        known = allowed if allowed is not None else set(dir(keras.activations))
        if isinstance(value, str) and value not in known:
            return (f"layer '{inner.get('name', where.item.get('name'))}' ({where.item['class_name']}) uses "
                    f"the Python function '{value.split('>')[-1]}' as its {key}, which is not part of Keras")
    return None


def _verdict(where: _Found) -> str | None:
    item, registered_as = where.item, str(where.item.get("class_name"))
    cls = registered_as.split(">")[-1]  # `package>Name`: a class registered with Keras by its author
    module, registered = item.get("module"), item.get("registered_name")
    inner = item.get("config")
    custom = (isinstance(module, str) and module.split(".")[0] not in SAFE_MODULE_ROOTS) or (
        not module and not cls.startswith("__") and registered_as not in _keras_names()) or (
        isinstance(registered, str) and ">" in registered and registered != cls)
    if where.layer is not None and where.layer[1] in CODE_CARRYING:
        return None  # the layer itself is refused already
    if _is_layer(item) and (cls in CODE_CARRYING or custom):
        name = inner.get("name", item.get("name"))
        kind = "model" if where.layer is None else "layer"
        if cls in CODE_CARRYING:
            return f"{kind} '{name}' is a {cls}, which carries Python code"
        what = f"the custom class {cls}" + (f" (module '{module}')" if isinstance(module, str) else "")
        return f"{kind} '{name}' is of {what}: Python code, not part of Keras"
    if where.layer is None:
        return f"a {cls} holds Python code" if cls == "__lambda__" or custom else None
    owner = f"layer '{where.layer[0]}' ({where.layer[1]})"
    role = f" as its {where.key}" if where.key else ""
    if cls == "__lambda__":
        return f"{owner} holds a Python lambda{role}"
    if cls == "function" and (not isinstance(module, str) or not module.startswith("keras")):
        return f"{owner} uses the Python function '{str(inner).split('>')[-1]}'{role}, which is not part of Keras"
    if custom:
        return f"{owner} uses the custom class {cls}{role}: Python code, not part of Keras"
    return None
