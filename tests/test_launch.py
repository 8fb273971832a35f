"""Launching the editor where Qt cannot open a window: one sentence saying what to install, not Qt's abort."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REPO
from netbuilder.qt_platform import (
    PlatformProbe, debian_package, missing_from_import_error, missing_from_ldd, missing_message, no_server_message,
    uses_xcb,
)

LDD_OUTPUT = """\
\tlinux-vdso.so.1 (0x00007ffd6b1f2000)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6 (0x00007f2c)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxkbcommon-x11.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f2c1b200000)
"""


@pytest.mark.parametrize("library, package", [
    ("libxcb-cursor.so.0", "libxcb-cursor0"),
    ("libxcb-icccm.so.4", "libxcb-icccm4"),
    ("libxcb-render-util.so.0", "libxcb-render-util0"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
    ("libX11-xcb.so.1", "libx11-xcb1"),
    ("libglib-2.0.so.0", "libglib2.0-0"),
    ("libEGL.so.1", "libegl1"),
])
def test_each_missing_library_maps_to_the_debian_package_that_installs_it(library, package):
    assert debian_package(library) == package


def test_what_ldd_cannot_find_is_listed_once_in_its_order():
    assert missing_from_ldd(LDD_OUTPUT) == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxkbcommon-x11.so.0"]
    assert missing_from_ldd("\tlibc.so.6 => /lib/libc.so.6 (0x1)\n") == []


def test_the_message_is_one_sentence_naming_the_libraries_and_the_install_line():
    message = missing_message(missing_from_ldd(LDD_OUTPUT))
    assert message.count("\n") == 0 and message.endswith(".")
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1 and libxkbcommon-x11.so.0, which are not installed" in message
    assert "`sudo apt-get install libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0`" in message
    assert "is not installed" in missing_message(["libxcb-cursor.so.0"])


def test_a_qt_import_that_cannot_load_a_library_names_it():
    error = ImportError("libEGL.so.1: cannot open shared object file: No such file or directory")
    assert missing_from_import_error(error) == ["libEGL.so.1"]
    assert missing_from_import_error(ImportError("No module named 'PySide6'")) == []


@pytest.mark.parametrize("env, xcb", [
    ({}, True),
    ({"DISPLAY": ":0"}, True),
    ({"QT_QPA_PLATFORM": "xcb"}, True),
    ({"QT_QPA_PLATFORM": "xcb:nograb"}, True),
    ({"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0"}, False),
    ({"QT_QPA_PLATFORM": "wayland;xcb"}, False),
    ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, False),
])
def test_only_the_x11_plugin_is_checked(env, xcb):
    assert uses_xcb(env) is xcb


def test_headless_and_wayland_launches_are_left_to_qt():
    assert PlatformProbe({"QT_QPA_PLATFORM": "offscreen"}).problem() is None
    assert PlatformProbe({"WAYLAND_DISPLAY": "wayland-0"}).problem() is None


def test_a_missing_display_or_x_server_is_named():
    assert "there is no display (DISPLAY is not set)" in no_server_message("")
    if not Path("/tmp/.X11-unix/X99").exists():
        assert "there is no X server at DISPLAY=:99" in no_server_message(":99")
    assert no_server_message("remote.example.org:10.0") is None  # not ours to check


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the X11 plugin is Linux's")
@pytest.mark.skipif(Path("/tmp/.X11-unix/X99").exists(), reason="an X server really runs at :99 here")
def test_the_netbuilder_command_explains_instead_of_aborting(tmp_path):
    """For real: DISPLAY names a local X server that is not there. Without the check Qt aborts (exit 134);
    with it the user gets one sentence: the libraries to install if this machine lacks some, else no X server."""
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env.update(DISPLAY=":99", NETBUILDER_RECOVERY_DIR=str(tmp_path), HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path))
    result = subprocess.run([sys.executable, "-m", "netbuilder", "--example", "wide_and_deep"],
                            capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert result.returncode == 1, result.stderr[-2000:]
    [line] = result.stderr.splitlines()
    assert line.startswith("netbuilder cannot open its window: ")
    assert "sudo apt-get install " in line or "there is no X server at DISPLAY=:99" in line
    assert "QT_QPA_PLATFORM=offscreen" in line
