"""What part of an item a paint call must really draw.

Qt hands an item with `ItemUsesExtendedStyleOption` the area to repaint as
`option.exposedRect`; when it fills a cached picture from scratch that is
the item's whole bounding rect, even for an item thousands of windows wide of
which one window is on screen. Items that draw many things of their own (the
overview, the wire bundles) pick what to draw from this instead.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QStyleOptionGraphicsItem


def exposed_area(painter: QPainter, option: QStyleOptionGraphicsItem) -> QRectF:
    """`option.exposedRect` cut to what the painter's device (window or cached picture) can show."""
    device = painter.device()
    inverse, invertible = painter.worldTransform().inverted()
    if device is None or not invertible:
        return QRectF(option.exposedRect)
    return option.exposedRect.intersected(inverse.mapRect(QRectF(0, 0, device.width(), device.height())))
