"""The one line of the Training tab that says which devices TensorFlow trains on here.

"Devices: CPU:0 · GPU:0 (NVIDIA H100)" tells a user, before they pick the
mirrored strategy, how many replicas it would make on this machine. The list
comes from TensorFlow, which the window does not wait for, so the line says
it is loading until the panel hands it the devices once Keras is ready.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

if TYPE_CHECKING:
    from netbuilder.training.distribute import Device

LOADING = "Devices: (TensorFlow loading…)"
_MUTED = "#5f6b7a"


def devices_text(devices: Sequence[Device]) -> str:
    """`Devices: CPU:0 · GPU:0 (NVIDIA H100)`; "none" when TensorFlow lists nothing."""
    return "Devices: " + (" · ".join(d.label() for d in devices) or "none")


class DevicesLine(QLabel):
    """The devices TensorFlow sees, or that it is still loading."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(LOADING, parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setStyleSheet(f"color: {_MUTED};")
        self.setToolTip("The devices TensorFlow sees on this machine; the mirrored strategy "
                        "trains one replica on each GPU (on the CPU when there is none)")

    def show_devices(self, devices: Sequence[Device]) -> None:
        self.setText(devices_text(devices))
