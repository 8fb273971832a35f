"""Training-health marks: a tag on the card of each layer a health warning names, where the user looks.

A run's health warnings (a dead ReLU, exploding or vanishing gradients, a
layer that does not learn) are sentences in the Training panel's Health tab;
each names a layer by its Keras name, which is the name on its card. Those
cards get a violet "♥ Health" tag in their header, apart from the amber of
deployment marks and the red of errors, whose tooltip (and the card's own)
says the warning. A click on the tag selects the card, as a click on the card
does. A mark stays only while its layer is what the run trained: it goes when
the layer is deleted, renamed or its settings or type change, and all go when
the next run starts (the Health tab then shows no warnings). Marks are shown
on the main graph only, the graph the Keras model's layers come from.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor

from netbuilder.graph import Node
from netbuilder.ui.canvas.card_tag import CardTag, sync_tags
from netbuilder.ui.canvas.node_item import NodeItem
from netbuilder.ui.canvas.scene import GraphScene

HEALTH_COLOUR = QColor("#8e24aa")  # violet: apart from errors (red), deployment (amber) and cost (orange)
TEXT = "♥ Health"


def _identity(node: Node) -> str:
    """What the run trained of this node: a change to it makes the run's warning about it stale."""
    return json.dumps([node.name, node.layer, node.config], sort_keys=True, default=str)


class HealthMark(CardTag):
    """The violet tag on one card; its tooltip gives the warnings about the card's layer."""

    rank = 1  # left of a deployment tag

    def __init__(self, card: NodeItem, sentences: Sequence[str]) -> None:
        self.sentences = list(sentences)
        super().__init__(card, TEXT, HEALTH_COLOUR,
                         "<div style='max-width: 360px'><b>Training health</b>"
                         + "".join(f"<br>{html.escape(s)}" for s in self.sentences) + "</div>",
                         "".join(f"<br><span style='color:{HEALTH_COLOUR.name()}'>♥ {html.escape(s)}</span>"
                                 for s in self.sentences), tuple(self.sentences))
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)  # a click selects the card under it


class HealthMarks(QObject):
    """The health marks on one scene's cards, from the warnings the Health tab shows."""

    def __init__(self, scene: GraphScene) -> None:
        super().__init__(scene)  # made and gone with the project's scene
        self._scene = scene
        self._document = scene.document
        self._warned: dict[str, list[str]] = {}  # node id -> the warnings about its layer
        self._trained: dict[str, str] = {}  # node id -> its `_identity` when the warnings came
        self._marks: dict[str, HealthMark] = {}
        self._document.checked.connect(self._edited)
        self._document.scope_changed.connect(lambda _: self.mark())

    def show(self, warnings: Sequence[tuple[str, str]]) -> None:
        """Mark the cards of the layers these (layer name, sentence) warnings name; unmark the others."""
        by_name = {node.name: node for node in self._document.project.graph.nodes}
        self._warned, self._trained = {}, {}
        for layer, sentence in warnings:
            node = by_name.get(layer)
            if node is not None:
                self._warned.setdefault(node.id, []).append(sentence)
                self._trained[node.id] = _identity(node)
        self.mark()

    def node_of(self, layer: str) -> str | None:
        """The id of the main graph's node whose layer is named `layer`, if there is one."""
        return next((node.id for node in self._document.project.graph.nodes if node.name == layer), None)

    def mark(self) -> None:
        """Tag the cards with warnings; take the tags off the others (and off cards the scene re-made)."""
        sync_tags(self._marks, self._scene.nodes if self._document.scope == "" else {},
                  {node_id: tuple(sentences) for node_id, sentences in self._warned.items()},
                  lambda card, says: HealthMark(card, says))

    def mark_on(self, node_id: str) -> HealthMark | None:
        return self._marks.get(node_id)

    def _edited(self) -> None:
        """After an edit: a warning about a layer that is gone or no longer what the run trained goes."""
        graph = self._document.project.graph
        for node_id in list(self._warned):
            node = graph.get(node_id)
            if node is None or _identity(node) != self._trained[node_id]:
                del self._warned[node_id], self._trained[node_id]
        self.mark()
