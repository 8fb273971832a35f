"""The rule for Keras layer names, and the safe name a node id that breaks it is given.

TensorFlow opens a name scope per layer when it trains or exports a model and
refuses any character outside `A-Z a-z 0-9 _ . - >`; `/` is left out too, as
Keras reads it as a scope separator. A node's layer is named after its id
unless its config names it, and ids come from files written by hand or by
other tools ("my tip!", even terminal escape codes): such a project still
opens and builds, its layer named as close to the id as TensorFlow allows. A
name set in the config must follow the rule itself (`catalog.config_check`
says so): that one the user chose for Keras.
"""

from __future__ import annotations

import re
import unicodedata

_LAYER_NAME = re.compile(r"[A-Za-z0-9_.>-]+")
_OTHER_CHARACTERS = re.compile(r"[^A-Za-z0-9_.>-]+")


def is_layer_name(text: str) -> bool:
    """Whether TensorFlow takes `text` as a layer name."""
    return _LAYER_NAME.fullmatch(text) is not None


def safe_name(text: str) -> str:
    """`text` as a name TensorFlow takes: accents dropped ("café" → "cafe"), then each run of other
    characters becomes one `_` ("my tip!" → "my_tip")."""
    return _OTHER_CHARACTERS.sub("_", without_accents(text).strip()).strip("_") or "layer"


def without_accents(text: str) -> str:
    """`text` in ASCII: accented letters without their accents ("ünï" → "uni"), other characters dropped."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def keras_name(node_name: str) -> str:
    """The Keras layer name for a node named `node_name`: the name itself when TensorFlow takes it, else `safe_name`."""
    return node_name if is_layer_name(node_name) else safe_name(node_name)
