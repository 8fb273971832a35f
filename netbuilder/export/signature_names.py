"""The keys a SavedModel or TFLite signature gives its inputs, for names users typed.

TensorFlow makes each input of a signature a parameter of a traced function:
an input called `in` or `class` failed deep in its tracing code ("not a valid
parameter name"), and so did names it folds together (`Out` and `out`, `a-b`
and `a_b`: it lowercases them and turns `-` into `_`) or cannot fold into a
parameter at all (`a b`, `_x`, `ünï`). An input keeps its name as its key
wherever TensorFlow takes it (letters, digits, `_` and `-`, starting with a
letter: `deep-features` stays); otherwise the key follows one documented,
deterministic mapping:

- accents are dropped (`ünï` → `uni`), and every other character that is not
  an ASCII letter, digit or `_` becomes `_` (`a b` → `a_b`);
- a key that would not start with a letter gets `input_` in front
  (`_x` → `input__x`);
- a Python keyword gets `_` behind (`in` → `in_`);
- a key that TensorFlow would fold into the key of an earlier input (in the
  model's order) gets `_2`, `_3`, …
"""

from __future__ import annotations

import keyword
import re

from netbuilder.graph.layer_names import without_accents

_TAKEN_BY_TENSORFLOW = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


def signature_keys(names: list[str]) -> list[str]:
    """The signature key of each input name, in order (see the module docstring)."""
    folded: set[str] = set()  # keys as TensorFlow folds them into parameter names
    keys = []
    for name in names:
        if _usable(name) and _folded(name) not in folded:
            key = name
        else:
            base = re.sub(r"[^A-Za-z0-9_]", "_", without_accents(name)) or "input"
            if not base[0].isalpha():
                base = "input_" + base
            if keyword.iskeyword(base):
                base += "_"
            key, number = base, 2
            while _folded(key) in folded:
                key, number = f"{base}_{number}", number + 1
        folded.add(_folded(key))
        keys.append(key)
    return keys


def renamed(names: list[str]) -> dict[str, str]:
    """The names whose key differs from them → their key (for telling the user)."""
    return {name: key for name, key in zip(names, signature_keys(names)) if key != name}


def _usable(name: str) -> bool:
    return _TAKEN_BY_TENSORFLOW.fullmatch(name) is not None and not keyword.iskeyword(name)


def _folded(key: str) -> str:
    return key.lower().replace("-", "_")
