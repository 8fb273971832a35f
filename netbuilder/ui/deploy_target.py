"""View ▸ Deployment Target: mark, on their cards, the layers the chosen export format cannot run.

The user picks None, TFLite, ONNX or TF Serving; after that pick and after
every check of an edit, `export.deploy_check` asks the real converters
about each layer, off the GUI thread, on a copy of the project (so the
editor's own checker is never touched from two threads). Answers are cached
per layer, so after an edit only changed layers are converted. Each layer
refused gets an amber badge on its card naming the target, and its tooltip
the sentence saying which ops are missing. The Export dialog lists the same
findings for its chosen format (`DeployList`) before Export is pressed.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QShowEvent
from PySide6.QtWidgets import QLabel, QMenu, QWidget

from netbuilder.graph import Project
from netbuilder.graph.project_file import dumps, loads
from netbuilder.ui.canvas.card_tag import CardTag, sync_tags
from netbuilder.ui.canvas.node_item import NodeItem
from netbuilder.ui.keras_loader import KerasLoader
from netbuilder.ui.problem_look import DEPLOY_COLOUR, node_name
from netbuilder.ui.worker import BackgroundCall

# (key, label): the keys are `netbuilder export --format`'s; "" checks nothing. Kept here, not read from
# deploy_check, so that the menu is built without importing Keras.
TARGET_CHOICES = [("", "None"), ("tflite", "TFLite"), ("onnx", "ONNX"), ("savedmodel", "TF Serving")]
LABELS = dict(TARGET_CHOICES)
RECHECK_DELAY_MS = 300  # typing in the inspector re-checks per key; the converters wait for a pause


def findings_of(project: Project, target: str, loader: KerasLoader | None) -> list[Any]:
    """The deployment findings for a copy of `project` (run on a worker thread)."""
    if loader is not None:
        loader.wait()
    from netbuilder.export.deploy_check import deployment_findings

    return deployment_findings(loads(dumps(project)), target)


class DeployBadge(CardTag):
    """An amber tag in the card's header ("⚠ TFLite") whose tooltip says which ops are missing."""

    def __init__(self, card: NodeItem, target_label: str, sentence: str) -> None:
        self.label, self.sentence = target_label, sentence
        super().__init__(card, f"⚠ {target_label}", DEPLOY_COLOUR,
                         f"<div style='max-width: 360px'><b>Cannot deploy to {html.escape(target_label)}</b>"
                         f"<br>{html.escape(sentence)}</div>",
                         f"<br><span style='color:{DEPLOY_COLOUR.name()}'>⚠ Cannot deploy to "
                         f"{html.escape(target_label)}: {html.escape(sentence)}</span>", (target_label, sentence))


class DeployTarget(QObject):
    """The chosen deployment target, its menu, and the badges it puts on the open document's cards."""

    findings_changed = Signal()

    def __init__(self, parent: QWidget, menu: QMenu, loader: KerasLoader | None) -> None:
        super().__init__(parent)
        self.loader = loader
        self.target = ""
        self.findings: dict[str, Any] = {}  # node id → deploy_check.Finding, for the main graph
        self.error = ""  # why the last check failed, shown in the menu's tooltip
        self.call: BackgroundCall | None = None
        self._document: Any = None
        self._scene: Any = None
        self._badges: dict[str, DeployBadge] = {}
        self._generation = 0  # answers of a check started before the latest edit or pick are dropped
        self._timer = QTimer(self, singleShot=True, interval=RECHECK_DELAY_MS)
        self._timer.timeout.connect(self.recheck)
        self.menu = menu.addMenu("Deployment &Target")
        self.menu.setToolTipsVisible(True)
        group = QActionGroup(self)
        self.actions: dict[str, QAction] = {}
        for key, label in TARGET_CHOICES:
            action = self.menu.addAction(label)
            action.setCheckable(True)
            action.setChecked(key == "")
            action.setToolTip("Mark the layers this export format cannot run" if key else "Mark nothing")
            action.triggered.connect(lambda _=False, k=key: self.set_target(k))
            group.addAction(action)
            self.actions[key] = action

    def set_target(self, key: str) -> None:
        self.target = key
        self.actions[key].setChecked(True)
        self.recheck()

    def follow(self, document: Any, scene: Any) -> None:
        """Mark the cards of `document` (None: no project) from now on."""
        self._document, self._scene = document, scene
        self._badges.clear()  # they belonged to the old scene's cards
        self.findings = {}
        if document is not None:
            document.checked.connect(self._edited)
            document.scope_changed.connect(lambda _: self.mark())
        self.recheck()

    def _edited(self) -> None:
        self.mark()  # cards the scene re-made get their badges back at once
        self._timer.start()

    def recheck(self) -> None:
        """Ask the converters again (off the GUI thread) for the open project and the chosen target."""
        self._generation += 1
        if self._document is None or not self.target:
            self._show({}, self._generation)
            return
        generation, target, project, loader = self._generation, self.target, self._document.project, self.loader
        copy = loads(dumps(project))  # snapshot now: the user goes on editing while the converters run
        call = BackgroundCall(lambda: findings_of(copy, target, loader), self)
        call.done.connect(lambda found: self._show({f.node_id: f for f in found}, generation))
        call.failed.connect(lambda exc: self._failed(exc, generation))
        self.call = call
        call.start()

    def _failed(self, exc: BaseException, generation: int) -> None:
        if generation == self._generation:
            self.error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            self.menu.setToolTip(f"The deployment check failed: {self.error}")
            self._show({}, generation)

    def _show(self, findings: dict[str, Any], generation: int) -> None:
        if generation != self._generation:
            return
        self.findings = findings
        self.call = None
        self.mark()
        self.findings_changed.emit()

    def mark(self) -> None:
        """Badge the cards of the main graph the target cannot run; take the others' badges off."""
        scene = self._scene
        nodes: dict[str, NodeItem] = scene.nodes if scene is not None and self._document.scope == "" else {}
        sync_tags(self._badges, nodes,
                  {node_id: (LABELS[self.target], finding.sentence()) for node_id, finding in self.findings.items()},
                  lambda card, says: DeployBadge(card, *says))

    def badge(self, node_id: str) -> DeployBadge | None:
        return self._badges.get(node_id)


class DeployList(QLabel):
    """The Export dialog's list of layers its chosen format cannot run, checked when the format is picked."""

    def __init__(self, project: Project, loader: KerasLoader | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project, self.loader = project, loader
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.call: BackgroundCall | None = None
        self._target = ""
        self._pending = False

    @property
    def target(self) -> str:
        return self._target

    def show_for(self, target: str) -> None:
        """Check `target` (a `netbuilder export --format` key) once the list is on screen (a dialog built and
        never shown converts nothing); formats the check does not cover are not checked."""
        self._target = target if target in LABELS and target else ""
        self._pending = bool(self._target)
        if self._pending and self.isVisible():
            self._start(self._target)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._pending:
            self._start(self._target)

    def _start(self, target: str) -> None:
        self._pending = False
        label = LABELS[target]
        self.setText(f"Checking which layers {label} can run…")
        self.setStyleSheet("")
        project, loader = self.project, self.loader
        call = BackgroundCall(lambda: findings_of(project, target, loader), self)
        call.done.connect(lambda found: self._show(target, found))
        call.failed.connect(lambda exc: target == self._target and self.setText(f"Deployment check failed: {exc}"))
        self.call = call
        call.start()

    def _show(self, target: str, findings: list[Any]) -> None:
        if target != self._target:
            return
        self.call = None
        label = LABELS[target]
        if not findings:
            self.setText(f"✓ Every layer can run in {label}.")
            self.setStyleSheet("")
            return
        lines = "".join(f"<br>• {html.escape(f.layer)} '{html.escape(node_name(self.project, '', f.node_id))}': "
                        f"{html.escape(f.sentence())}" for f in findings)
        many = "1 layer" if len(findings) == 1 else f"{len(findings)} layers"
        self.setText(f"⚠ {label} cannot run {many}:{lines}")
        self.setStyleSheet(f"color: {DEPLOY_COLOUR.name()};")
        self.window().adjustSize()  # the dialog grows to show every line
