"""Regenerate `screenshots/`: the real application, driven the way a user would, captured as PNGs.

Run `python -m netbuilder.screenshots [OUT_DIR]`. It uses a throw-away settings
file and recovery folder, so it never touches the user's recent files, and it
builds NASNetMobile (weights=None, nothing downloaded) for the large-model shot.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPointF, QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from netbuilder.catalog import load_catalog  # noqa: E402
from netbuilder.graph import Edge, project_file  # noqa: E402
from netbuilder.ui.keras_loader import KerasLoader  # noqa: E402
from netbuilder.ui.main_window import MainWindow  # noqa: E402
from netbuilder.resources import example_path  # noqa: E402

SIZE = (1440, 900)


def _settle(app: QApplication, window: MainWindow) -> None:
    for _ in range(5):
        app.processEvents()
    if window.document is not None:
        window.document.flush_check()
    app.processEvents()


def _save(widget: QWidget, out: Path, name: str) -> Path:
    path = out / f"{name}.png"
    widget.grab().save(str(path))
    print(f"wrote {path}")
    return path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else Path("screenshots")
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="netbuilder-shots-"))
    os.environ["NETBUILDER_RECOVERY_DIR"] = str(scratch / "recovery")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    loader = KerasLoader()
    loader.wait()
    app.processEvents()
    settings = QSettings(str(scratch / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(load_catalog(), loader, settings)
    window.resize(*SIZE)
    window.show()

    # Start page, with a few recent projects.
    for name in ("mlp_128_10", "autoencoder", "wide_and_deep"):
        project = project_file.load(example_path(name))
        window.recent.add(project_file.save(project, scratch / f"{name}.nbproj"))
    _settle(app, window)
    _save(window, out, "01_start_page")

    # An example in the editor, its output layer selected so the inspector shows.
    window.files.open_path(scratch / "wide_and_deep.nbproj")
    _settle(app, window)
    assert window.scene is not None and window.view is not None
    window.scene.select_nodes(["h1"])
    window.bottom.setCurrentIndex(1)
    _settle(app, window)
    _save(window, out, "02_editor_wide_and_deep")

    # A refused connection: a 4-wide and a 5-wide tensor into one Add.
    doc = window.document
    assert doc is not None
    edits = window.edits
    assert edits is not None
    a = edits.add_layer("Input", None, QPointF(-200, 0))
    assert a is not None
    window.inspector.show_node(doc.graph.node(a))
    b = edits.add_layer("Dense", None, QPointF(-200, 140))
    add = edits.add_layer("Add", None, QPointF(-80, 300))
    from netbuilder.graph import Connect, SetConfig

    doc.push(SetConfig(doc.graph, a, {"shape": [4], "name": "features"}))
    doc.push(SetConfig(doc.graph, b, {"units": 5}))
    doc.push(Connect(doc.graph, Edge(a, b)))
    doc.push(Connect(doc.graph, Edge(a, add)))
    doc.flush_check()
    window.view.fit_all()
    _settle(app, window)
    edge = Edge(b, add, 0, 1)
    verdict = doc.verdict(edge)
    at = window.scene.port_position(add, True, 1) or QPointF()
    window.scene.connection_refused.emit(verdict.problem or "", at, verdict, edge)
    window.scene.select_nodes([add])
    window.bottom.setCurrentIndex(0)
    _settle(app, window)
    _save(window, out, "03_refused_connection")

    # The inspector on a convolution, with a value refused at its field.
    window.files.open_example("mlp_128_10")
    _settle(app, window)
    doc = window.document
    assert doc is not None and window.edits is not None
    conv = window.edits.add_layer("Conv2D", None, QPointF(420, 200))
    assert conv is not None
    window.scene.select_nodes([conv])
    _settle(app, window)
    field = window.inspector.field("filters")
    if hasattr(field, "setText"):
        field.setText("0")
        field.editingFinished.emit()
    _settle(app, window)
    _save(window, out, "04_inspector")

    # A sub-model opened for editing.
    window.files.open_example("autoencoder")
    _settle(app, window)
    window.set_scope("encoder")
    _settle(app, window)
    _save(window, out, "05_submodel")

    # NASNetMobile imported and laid out automatically.
    import keras

    model_path = scratch / "nasnet_mobile.keras"
    keras.applications.NASNetMobile(weights=None).save(model_path)
    call = window.files.import_model(model_path, scratch / "nasnet_mobile.nbproj")
    assert call is not None
    call.wait()
    _settle(app, window)
    window.bottom.setCurrentIndex(1)
    _settle(app, window)
    _save(window, out, "06_imported_nasnet")
    assert window.view is not None
    window.view.set_zoom(0.8)
    window.view.centerOn(window.scene.nodes[doc_first_id(window)].centre())
    _settle(app, window)
    _save(window, out, "07_imported_nasnet_zoomed")
    window.document.stack.set_clean()  # type: ignore[union-attr]
    window.close()
    return 0


def doc_first_id(window: MainWindow) -> str:
    assert window.document is not None
    return window.document.graph.nodes[0].id
