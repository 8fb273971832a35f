"""The catalog: every layer the palette offers, looked up by name or alias.

This is what the palette lists, the inspector edits and the validator asks
"how many inputs does this node take?". It holds plain `LayerSpec`s and
reads and writes JSON, so it never needs Keras once built (see `cache`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from netbuilder.catalog.call_ports import OPERATION_LAYER, keyword_ports, operation_range
from netbuilder.catalog.rules import CATEGORY_ORDER
from netbuilder.catalog.spec import LayerSpec
from netbuilder.graph import INPUT_LAYER, SUBMODEL_LAYER, Graph, Node

FORMAT = "netbuilder-catalog"
VERSION = 1


class Catalog:
    """Layer specs by class name, with aliases (`Convolution2D`) resolving to their spec."""

    def __init__(self, specs: Iterable[LayerSpec], denied: Mapping[str, str] | None = None,
                 keras_version: str = "") -> None:
        self.keras_version = keras_version
        self._specs = {spec.name: spec for spec in specs}
        self._lookup = dict(self._specs)
        for spec in self._specs.values():
            for alias in spec.aliases:
                self._lookup[alias] = spec
        self._denied = dict(denied or {})

    def get(self, name: str) -> LayerSpec | None:
        """The spec for a layer class name or alias; None for unknown or denied layers."""
        return self._lookup.get(name)

    def names(self) -> list[str]:
        """Class names of all usable layers (aliases not repeated), sorted."""
        return sorted(self._specs)

    def __len__(self) -> int:
        return len(self._specs)

    def __contains__(self, name: object) -> bool:
        return name in self._lookup

    def categories(self) -> dict[str, list[str]]:
        """Palette groups in palette order, each with its layer names sorted."""
        groups: dict[str, list[str]] = {}
        for name in self.names():
            groups.setdefault(self._specs[name].category, []).append(name)
        rank = {c: i for i, c in enumerate(CATEGORY_ORDER)}
        order = sorted(groups, key=lambda c: (rank.get(c, len(rank)), c))
        return {c: groups[c] for c in order}

    def denied_reason(self, name: str) -> str | None:
        """Why netbuilder refuses this layer (a sentence for the user), or None."""
        return self._denied.get(name)

    def suggest(self, name: str, limit: int = 5) -> list[str]:
        """Usable layer names close to a mistyped one, best first, ignoring case."""
        by_lower: dict[str, str] = {}
        for key, spec in sorted(self._lookup.items()):
            by_lower.setdefault(key.lower(), spec.name)
        import difflib  # only for a misspelt name: not worth its import at launch

        matches = difflib.get_close_matches(name.lower(), list(by_lower), n=limit * 2, cutoff=0.6)
        return list(dict.fromkeys(by_lower[m] for m in matches))[:limit]

    def input_range(self, node: Node, submodels: Mapping[str, Graph] | None = None
                    ) -> tuple[int, int | None] | None:
        """(min, max) inputs a node takes, max None for "any number"; None when unknown.

        A `Submodel` node takes one input per Input node of the graph its
        `config["submodel"]` names in `submodels`; an `Operation` node as many
        as its call names. Ports a call passes by keyword (`call_ports`) come on top.
        """
        if node.layer == INPUT_LAYER:
            return (0, 0)
        if node.layer == OPERATION_LAYER:
            return operation_range(node.extra)
        extra = len(keyword_ports(node.extra))
        if node.layer == SUBMODEL_LAYER:
            key = node.config.get("submodel")
            graph = (submodels or {}).get(key) if isinstance(key, str) else None
            if graph is None:
                return None
            count = len(graph.input_ids()) + extra
            return (count, count)
        spec = self.get(node.layer)
        if spec is None:
            return None
        return (spec.min_inputs + extra, None if spec.max_inputs is None else spec.max_inputs + extra)

    def to_json(self) -> str:
        """The whole catalog as JSON; sorted, so equal catalogs give identical bytes."""
        data: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "keras_version": self.keras_version,
            "layers": [self._specs[name].to_dict() for name in self.names()],
            "denied": self._denied,
        }
        text = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False, allow_nan=False)
        return text + "\n"

    @classmethod
    def from_json(cls, text: str) -> "Catalog":
        """Read what `to_json` wrote; ValueError if it is not a catalog this version reads."""
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not a netbuilder layer catalog")
        if data.get("version") != VERSION:
            raise ValueError(f"layer catalog version {data.get('version')!r} is not {VERSION}")
        specs = [LayerSpec.from_dict(layer) for layer in data["layers"]]
        return cls(specs, data.get("denied", {}), data.get("keras_version", ""))
