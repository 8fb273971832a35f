"""Shared test set-up: headless Qt, quiet TensorFlow, and small project helpers."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "resources" / "examples"


@pytest.fixture
def write_project(tmp_path):
    """Write a project dict (or raw text) to a .nbproj file and return its path."""
    import json

    def write(doc, name="p.nbproj"):
        path = tmp_path / name
        path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
        return path

    return write
