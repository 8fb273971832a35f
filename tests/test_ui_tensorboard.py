"""The Training tab's "Open in TensorBoard": a real TensorBoard server on a local port, and its failures.

The browser is Qt's to open: a URL handler registered for http (Qt's own hook
for it) takes the address instead, so no browser starts during tests.
"""

import json
import socket
import urllib.request

import pytest
from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices

from netbuilder.cli import main
from netbuilder.ui.tensorboard_server import HOST, TensorBoardServer, answers


class Browser(QObject):
    """Where Qt sends the http URLs the app opens, while the test runs."""

    def __init__(self):
        super().__init__()
        self.opened = []

    @Slot(QUrl)
    def open(self, url):
        self.opened.append(url.toString())


@pytest.fixture
def browser():
    handler = Browser()
    QDesktopServices.setUrlHandler("http", handler, "open")
    yield handler
    QDesktopServices.unsetUrlHandler("http")


def train_from_the_command_line(panel):
    """A run of the open project, made as `netbuilder train` makes it; the runs list shows it."""
    out = panel.runs_root / "from-the-cli"
    assert main(["train", str(panel.document.project.path), "--epochs", "1", "--seed", "1", "--out", str(out)]) == 0
    panel.refresh_runs()
    assert panel.runs.names() == [out.name]
    return out.name


def statuses(panel):
    said = []
    panel.status.connect(said.append)
    return said


@pytest.mark.slow
def test_open_in_tensorboard_serves_the_runs_logs_and_stops_with_the_window(editor, open_tips, qtbot, browser):
    panel = open_tips(tensorboard_dir="logs")
    run = train_from_the_command_line(panel)
    said = statuses(panel)
    panel.runs.select(run)
    next(a for a in panel.runs.tree.actions() if a.text() == "Open in TensorBoard").trigger()  # its context menu
    qtbot.waitUntil(lambda: bool(browser.opened), timeout=90_000)
    url = browser.opened[0]
    assert url.startswith(f"http://{HOST}:") and said[-1] == f"TensorBoard shows {panel.past.tensorboard.log_dir} at {url}"
    assert panel.past.tensorboard.log_dir.name == run
    with urllib.request.urlopen(url + "data/runs", timeout=30) as answer:
        assert sorted(json.load(answer)) == ["train", "validation"]
    panel.past.tensorboard_button.click()  # the same run again: the same server, shown again
    assert browser.opened == [url, url]
    port = panel.past.tensorboard.port
    editor.show_project(None)  # what closing the window does
    assert not answers(port)


def test_a_run_without_logs_says_how_to_get_them(open_tips, browser):
    panel = open_tips()
    said = statuses(panel)
    assert not panel.past.open_tensorboard()
    assert said == ["Cannot open TensorBoard: there are no runs yet."]
    run = train_from_the_command_line(panel)
    assert not panel.past.open_tensorboard()
    assert said[-1] == (f"Cannot open TensorBoard: run {run} wrote no TensorBoard logs; set the "
                        "TensorBoard folder in the Settings and train again.")
    assert browser.opened == [] and not panel.past.tensorboard.running


def test_a_busy_port_or_a_missing_folder_is_a_sentence_and_starts_nothing(qtbot, tmp_path, browser):
    server = TensorBoardServer()
    said = []
    server.status.connect(said.append)
    with socket.socket() as squatter:
        squatter.bind((HOST, 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        assert not server.open(tmp_path, port)
    assert not server.open(tmp_path / "gone")
    assert said == [f"Cannot open TensorBoard: port {port} is already in use by another program.",
                    f"Cannot open TensorBoard: there are no logs in {tmp_path / 'gone'}."]
    assert not server.running and browser.opened == []
