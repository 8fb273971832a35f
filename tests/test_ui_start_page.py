"""The start page and the recent-files list behind it, clicked through as a user would."""

from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QLabel, QPushButton

from netbuilder.resources import dataset_index, example_names, example_path, example_title
from netbuilder.ui.recent_files import RecentFiles
from netbuilder.ui.recovery import RecoveredWork
from netbuilder.ui.start_page import NO_RECENT, TAGLINE, StartPage, Tile


@pytest.fixture
def ini(tmp_path):
    return str(tmp_path / "s.ini")


@pytest.fixture
def recent(ini):
    return RecentFiles(QSettings(ini, QSettings.Format.IniFormat))


@pytest.fixture
def page(qtbot, recent):
    widget = StartPage(recent)
    qtbot.addWidget(widget)
    widget.resize(1100, 800)
    widget.show()
    return widget


def project(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("{}", encoding="utf-8")
    return path


def tiles(page):
    return {tile.title.text(): tile for tile in page.findChildren(Tile)}


def button(page, text):
    return next(b for b in page.findChildren(QPushButton) if b.text() == text and b.isVisible())


def shown_texts(page):
    return [label.text() for label in page.findChildren(QLabel) if label.isVisible()]


# -- recent files ---------------------------------------------------------------------


def test_recent_files_are_most_recent_first_and_listed_once(recent, tmp_path):
    a, b = project(tmp_path, "a.nbproj"), project(tmp_path, "b.nbproj")
    recent.add(a)
    recent.add(b)
    recent.add(tmp_path / "sub" / ".." / "a.nbproj")  # the same file, spelled differently
    assert recent.paths() == [a.resolve(), b.resolve()]


def test_recent_files_keep_only_the_newest(ini, tmp_path):
    recent = RecentFiles(QSettings(ini, QSettings.Format.IniFormat), limit=3)
    files = [project(tmp_path, f"p{i}.nbproj") for i in range(5)]
    for path in files:
        recent.add(path)
    assert recent.paths() == [p.resolve() for p in reversed(files[2:])]


def test_moved_or_deleted_files_are_not_offered(recent, tmp_path):
    kept, gone = project(tmp_path, "kept.nbproj"), project(tmp_path, "gone.nbproj")
    recent.add(kept)
    recent.add(gone)
    gone.unlink()
    assert recent.paths() == [kept.resolve()]


def test_recent_files_survive_a_restart(recent, ini, tmp_path):
    path = project(tmp_path, "only.nbproj")
    recent.add(path)
    assert "recent_files" in Path(ini).read_text(encoding="utf-8")
    reopened = RecentFiles(QSettings(ini, QSettings.Format.IniFormat))
    assert reopened.paths() == [path.resolve()]


def test_remove_and_clear_announce_the_change(qtbot, recent, tmp_path):
    a, b = project(tmp_path, "a.nbproj"), project(tmp_path, "b.nbproj")
    recent.add(a)
    recent.add(b)
    with qtbot.waitSignal(recent.changed, timeout=500):
        recent.remove(a)
    assert recent.paths() == [b.resolve()]
    with qtbot.waitSignal(recent.changed, timeout=500):
        recent.clear()
    assert recent.paths() == []


# -- the page -------------------------------------------------------------------------


def test_the_page_says_what_the_app_is(page):
    assert "netbuilder" in shown_texts(page) and TAGLINE in shown_texts(page)


@pytest.mark.parametrize("caption, signal", [
    ("New project", "new_requested"), ("Open…", "open_requested"), ("Import Keras model…", "import_requested"),
])
def test_the_actions_ask_the_window_to_act(qtbot, page, caption, signal):
    with qtbot.waitSignal(getattr(page, signal), timeout=500):
        qtbot.mouseClick(button(page, caption), Qt.MouseButton.LeftButton)


def test_shortcuts_are_shown_beside_the_actions(page):
    assert {"Ctrl+N", "Ctrl+O"} <= set(shown_texts(page))


def test_every_example_is_offered_with_a_readable_title_and_its_description(page):
    offered = tiles(page)
    assert {example_title(name) for name in example_names()} <= set(offered)
    wide = offered["Wide and deep"]
    assert wide.detail.text().startswith("Wide & deep")


def test_examples_are_listed_under_titles_that_read_well(page):
    offered = tiles(page)
    assert {"MLP 128-10", "MLP 128-128-10", "Stack 2-3-4", "Digits CNN", "Restaurant tips regression"} <= set(offered)
    assert not {"Mlp 128 10", "Mlp 128 128 10", "Digits cnn"} & set(offered)
    assert offered["MLP 128-10"].detail.text().startswith("A one-hidden-layer perceptron")


def test_every_example_file_gives_its_title(tmp_path, monkeypatch):
    import json

    import netbuilder.resources as resources

    for name in example_names():
        title = json.loads(example_path(name).read_text(encoding="utf-8"))["title"]
        assert title == example_title(name) and "_" not in title
    monkeypatch.setattr(resources, "EXAMPLES", tmp_path)
    (tmp_path / "my_new_net.nbproj").write_text('{"name": "my_new_net"}', encoding="utf-8")
    assert example_title("my_new_net") == "My new net"  # untitled yet: its name, made readable


def test_bundled_datasets_have_titles_without_the_task_repeated():
    for entry in dataset_index():
        assert entry["task"] not in entry["title"] and "(" not in entry["title"]
    assert {e["name"]: e["title"] for e in dataset_index()}["tips"] == "Restaurant tips"


def test_clicking_an_example_opens_it(qtbot, page):
    with qtbot.waitSignal(page.open_path, timeout=500) as signal:
        qtbot.mouseClick(tiles(page)["Logistic regression"], Qt.MouseButton.LeftButton)
    assert signal.args == [example_path("logistic_regression")]


def test_an_empty_recent_list_says_so(page):
    assert NO_RECENT in shown_texts(page)


def test_recent_projects_appear_as_they_are_opened_and_open_on_click(qtbot, page, recent, tmp_path):
    path = project(tmp_path / "nets", "mnist.nbproj")
    recent.add(path)
    qtbot.waitUntil(lambda: "mnist.nbproj" in shown_texts(page), timeout=1000)
    tile = tiles(page)["mnist.nbproj"]
    assert "nets" in tile.detail.text()
    assert NO_RECENT not in shown_texts(page)
    with qtbot.waitSignal(page.open_path, timeout=500) as signal:
        qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    assert signal.args == [path.resolve()]


def test_recent_projects_open_from_the_keyboard(qtbot, page, recent, tmp_path):
    path = project(tmp_path, "keys.nbproj")
    recent.add(path)
    with qtbot.waitSignal(page.open_path, timeout=500) as signal:
        qtbot.keyClick(tiles(page)["keys.nbproj"], Qt.Key.Key_Return)
    assert signal.args == [path.resolve()]


def test_a_deleted_recent_project_is_gone_when_the_page_shows_again(qtbot, page, recent, tmp_path):
    path = project(tmp_path, "temp.nbproj")
    recent.add(path)
    page.hide()
    path.unlink()
    page.show()
    assert "temp.nbproj" not in tiles(page)
    qtbot.waitUntil(lambda: NO_RECENT in shown_texts(page), timeout=1000)


# -- recovered work -------------------------------------------------------------------


def recovered(tmp_path, name, original):
    return RecoveredWork(path=tmp_path / f"{name}.nbproj", original=original, name=name,
                         saved_at=datetime.now().astimezone())


def test_no_recovery_section_without_recovered_work(page):
    page.set_recovered([], print, print)
    assert not page.recovery.isVisible()
    assert "Recover unsaved work" not in shown_texts(page)


def test_recovered_work_is_offered_and_its_buttons_call_back(qtbot, page, tmp_path):
    mnist = recovered(tmp_path, "mnist", Path("/home/me/nets/mnist.nbproj"))
    scratch = recovered(tmp_path, "scratch", None)
    restored, discarded = [], []
    page.set_recovered([mnist, scratch], restored.append, discarded.append)
    texts = shown_texts(page)
    assert "Recover unsaved work" in texts
    assert {"mnist", "scratch", "never saved", str(Path("/home/me/nets/mnist.nbproj"))} <= set(texts)
    assert any(t.startswith("autosaved today at") for t in texts)

    qtbot.mouseClick(button(page, "Restore"), Qt.MouseButton.LeftButton)
    assert restored == [mnist] and discarded == []
    assert "mnist" not in shown_texts(page)
    qtbot.mouseClick(button(page, "Discard"), Qt.MouseButton.LeftButton)
    assert discarded == [scratch]
    assert not page.recovery.isVisible()


def test_the_data_form_offers_bundled_sets_by_title_then_task(editor, open_tips):
    source = open_tips().data_form.source
    labels = [source.itemText(i) for i in range(source.count())]
    assert "Restaurant tips (regression)" in labels and "Iris flowers (classification)" in labels
    assert not any(label.count("(") > 1 for label in labels)
