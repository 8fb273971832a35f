"""What the converters said about each layer, kept on disk so the deployment check is instant after an edit.

A probe converts a one-layer model (a tenth to half a second each); the
answer depends only on the TensorFlow version, the target, the layer's class
and config and the shapes and dtypes it is called on. So answers are filed
under a hash of exactly that, in memory and in one JSON file per TensorFlow
version under the user's cache folder (`$XDG_CACHE_HOME/netbuilder`), written
atomically so two windows never leave a torn file.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

from netbuilder.graph.atomic_file import atomic_write_text

MAX_CACHE_BYTES = 16 << 20  # far more than every layer class at every shape; a bigger file is not ours


def deploy_cache_path(tf_version: str) -> Path:
    """The file answers for `tf_version` are kept in."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "netbuilder" / f"deploy-check-tf{tf_version}.json"


def probe_key(target: str, layer_class: str, config: Any, inputs: list[tuple[Any, ...]]) -> str:
    """The hash an answer is filed under; configs are written as JSON, anything else by its repr."""
    text = json.dumps([target, layer_class, config, inputs], sort_keys=True, default=repr)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ProbeCache:
    """Refused ops by probe key; thread-safe, read from disk once and written after each new answer."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._answers: dict[str, list[str]] = self._read() if path is not None else {}

    def _read(self) -> dict[str, list[str]]:
        assert self.path is not None
        try:
            if self.path.stat().st_size > MAX_CACHE_BYTES:
                return {}
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):  # missing or damaged: the probes simply run again
            return {}
        if not isinstance(data, dict):
            return {}
        return {k: [str(op) for op in v] for k, v in data.items() if isinstance(v, list)}

    def get(self, key: str) -> list[str] | None:
        with self._lock:
            return self._answers.get(key)

    def put(self, key: str, refused: list[str]) -> None:
        with self._lock:
            self._answers[key] = refused
            text = json.dumps(self._answers, sort_keys=True)
        if self.path is not None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                atomic_write_text(self.path, text)
            except OSError:  # a read-only home: the check still works, it is just slower next time
                pass
