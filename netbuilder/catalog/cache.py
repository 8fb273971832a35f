"""Getting the catalog fast: bundled JSON, then a per-user cache, then introspection.

Building the catalog imports TensorFlow, which takes seconds; the GUI wants
its palette at once. The catalog shipped with netbuilder (`layers.json`) is
used when it was generated from the installed Keras version, read without
importing Keras at all. For any other Keras version the catalog is built
once and kept in the user's cache directory.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
from pathlib import Path

from netbuilder.catalog.catalog import Catalog
from netbuilder.catalog.introspect import build_catalog
from netbuilder.graph.atomic_file import atomic_write_text

BUNDLED = Path(__file__).with_name("layers.json")


def installed_keras_version() -> str | None:
    """The installed Keras version, read from package metadata (Keras is not imported).

    This runs before the window shows, so the usual case is read straight off the
    `keras-X.Y.Z.dist-info` folder beside the package (about a millisecond);
    `importlib.metadata`, which scans every installed distribution (15 ms and
    more), is the fallback for unusual installs.
    """
    spec = importlib.util.find_spec("keras")
    if spec is not None and spec.origin is not None:
        found = sorted(Path(spec.origin).parent.parent.glob("keras-*.dist-info"))
        if len(found) == 1:
            return found[0].name[len("keras-"):-len(".dist-info")]
    from importlib import metadata

    try:
        return metadata.version("keras")
    except metadata.PackageNotFoundError:
        return None


def user_cache_path(keras_version: str) -> Path:
    """Where the catalog built for `keras_version` is kept for this user."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "netbuilder" / f"catalog-{keras_version}.json"


@functools.cache
def load_catalog() -> Catalog:
    """The catalog for the installed Keras; the same object on every call."""
    version = installed_keras_version()
    bundled = _read(BUNDLED)
    if bundled is not None and (bundled.keras_version == version or version is None):
        # Without Keras nothing can be built, but the bundled list still names the layers.
        return bundled
    if version is None:
        raise ModuleNotFoundError("netbuilder needs Keras to list its layers: install keras")
    cache = user_cache_path(version)
    cached = _read(cache)
    if cached is not None and cached.keras_version == version:
        return cached
    catalog = build_catalog()
    _write_atomically(cache, catalog.to_json())
    return catalog


def _read(path: Path) -> Catalog | None:
    """The catalog in `path`, or None when it is missing or damaged (it is then rebuilt)."""
    try:
        return Catalog.from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_atomically(path: Path, text: str) -> None:
    """Write the cache atomically; an unwritable cache directory is not an error (the catalog is rebuilt)."""
    with contextlib.suppress(OSError):
        atomic_write_text(path, text)
