"""The installed Qt binding must not corrupt the interpreter.

PySide6 6.12.0 under Python 3.11 takes a reference off `None` on every call
that returns None; after a few thousand calls Python aborts with "deallocating
None". pyproject.toml excludes it; this test fails if such a build comes back.
"""

import sys

from PySide6.QtWidgets import QWidget


def test_calls_returning_none_keep_none_alive(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    before = sys.getrefcount(None)
    for _ in range(2000):
        widget.setHidden(True)
    assert sys.getrefcount(None) >= before - 50
