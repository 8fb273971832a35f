"""Read a Keras model file's architecture *as data* and refuse anything that carries code.

Before Keras deserialises a file, we read its JSON config ourselves (from the
`.keras` zip or the `.h5` attributes) and look for Lambda layers, custom
classes and functions from non-Keras modules. Such a file is refused with the
culprit named; its code is never run. Only then does Keras load it, in safe mode.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any, Iterator

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
            with zipfile.ZipFile(path) as zf:
                return json.loads(zf.read("config.json"))
        if suffix in {".h5", ".hdf5"}:
            import h5py

            with h5py.File(path, "r") as fh:
                raw = fh.attrs.get("model_config")
                if raw is None:
                    raise BridgeError([f"{path}: this HDF5 file holds no model architecture (weights only?)"])
                return json.loads(raw.decode() if isinstance(raw, bytes) else raw)
    except BridgeError:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise BridgeError([f"{path}: not a readable Keras model file ({exc})"]) from None
    raise BridgeError([f"{path}: unsupported file type '{path.suffix}'; netbuilder imports .keras and .h5 files"])


def _walk(obj: Any) -> Iterator[dict[str, Any]]:
    """Every serialised object (a dict with a `class_name`) anywhere in the config."""
    if isinstance(obj, dict):
        if "class_name" in obj:
            yield obj
        for value in obj.values():
            yield from _walk(value)
    elif isinstance(obj, list):
        for item in obj:
            yield from _walk(item)


def unsafe_parts(config: dict[str, Any]) -> list[str]:
    """One sentence per thing in the config that would make Keras run foreign code."""
    found = []
    for item in _walk(config):
        cls = item.get("class_name")
        inner = item.get("config")
        name = inner.get("name") if isinstance(inner, dict) else None
        label = f"'{name}'" if isinstance(name, str) else f"a {cls}"
        module = item.get("module")
        registered = item.get("registered_name")
        if cls in CODE_CARRYING:
            found.append(f"layer {label} is a {cls}, which carries Python code; netbuilder never runs code from a file")
        elif cls == "__lambda__":
            found.append(f"{label} holds a Python function; netbuilder never runs code from a file")
        elif isinstance(module, str) and module.split(".")[0] not in SAFE_MODULE_ROOTS:
            found.append(f"{label} uses {cls} from module '{module}', which is not part of Keras")
        elif isinstance(registered, str) and registered and registered != cls and ">" in registered:
            found.append(f"{label} uses the custom object '{registered}', which is not part of Keras")
    return found
