"""The drag payload that carries a layer from the palette to the canvas.

The palette (drag source) and the canvas (drop target) are written apart, so
they meet here: one MIME type and one JSON shape, `{"layer": ..., "submodel": ...}`.
Reading is defensive because drops can come from anywhere, including other apps.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QMimeData

LAYER_MIME = "application/x-netbuilder-layer"


def layer_mime_data(layer: str, submodel: str | None = None) -> QMimeData:
    """Drag data for one layer; `submodel` names the sub-model of a "Submodel" layer."""
    mime = QMimeData()
    payload = json.dumps({"layer": layer, "submodel": submodel})
    mime.setData(LAYER_MIME, payload.encode("utf-8"))
    # Plain text too, so dropping onto a text field writes the layer's name.
    mime.setText(submodel if submodel is not None else layer)
    return mime


def layer_from_mime(mime: QMimeData) -> tuple[str, str | None] | None:
    """(layer, sub-model name or None) from a drag; None if the drag is not a layer of ours."""
    if not mime.hasFormat(LAYER_MIME):
        return None
    try:
        payload = json.loads(bytes(mime.data(LAYER_MIME).data()).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(payload, dict):
        return None
    layer, submodel = payload.get("layer"), payload.get("submodel")
    if not isinstance(layer, str) or not layer or not (submodel is None or isinstance(submodel, str)):
        return None
    return layer, submodel
