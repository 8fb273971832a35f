"""Can Qt open a window here? One sentence saying what to install, instead of Qt's abort.

On Linux, PySide6's X11 plugin (`libqxcb.so`) needs a few X libraries that a
bare server or a slim container lacks (libxcb-cursor0 and friends). Without
them Qt does not raise: it aborts the whole process ("Could not load the Qt
platform plugin 'xcb'"). So before the application is made, `PlatformProbe`
asks `ldd` which of the plugin's libraries are missing — started early, in a
separate process, so it costs the launch nothing — and tries the one Qt loads
by hand at run time (libxcb-cursor). Standard library only: it runs before Qt
is imported.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Mapping

# Qt loads this one itself at run time, so `ldd` does not list it.
LOADED_AT_RUN_TIME = ("libxcb-cursor.so.0",)
# Debian/Ubuntu packages of the libraries the X11 plugin needs, where the name is not
# simply the library's with its version appended (libxcb-icccm.so.4 -> libxcb-icccm4).
DEBIAN_PACKAGES = {
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libSM.so.6": "libsm6",
    "libICE.so.6": "libice6",
}
_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)


def debian_package(library: str) -> str:
    """The Debian/Ubuntu package that installs `library` (a soname such as libxcb-icccm.so.4)."""
    if library in DEBIAN_PACKAGES:
        return DEBIAN_PACKAGES[library]
    stem, _, version = library.partition(".so.")
    stem = stem.lower()
    return f"{stem}{'-' if stem[-1:].isdigit() else ''}{version.split('.')[0]}" if version else stem


def missing_from_ldd(output: str) -> list[str]:
    """The libraries `ldd` reported as "not found", each once, in its order."""
    return list(dict.fromkeys(_NOT_FOUND.findall(output)))


def missing_message(libraries: list[str]) -> str:
    """The sentence the user reads: what is missing, and the line that installs it."""
    packages = list(dict.fromkeys(debian_package(lib) for lib in libraries))
    names = ", ".join(libraries[:-1]) + (" and " if len(libraries) > 1 else "") + libraries[-1]
    return (f"netbuilder cannot open its window: Qt needs {names}, which "
            f"{'are' if len(libraries) > 1 else 'is'} not installed; on Debian or Ubuntu run "
            f"`sudo apt-get install {' '.join(packages)}` (or run without a display with QT_QPA_PLATFORM=offscreen).")


def missing_from_import_error(error: ImportError) -> list[str]:
    """The library an import of Qt failed to load ("libEGL.so.1: cannot open shared object file")."""
    return re.findall(r"(lib[\w.+-]+\.so[.\d]*): cannot open shared object file", str(error))


def xcb_plugin() -> Path | None:
    """PySide6's X11 platform plugin, found without importing Qt."""
    spec = importlib.util.find_spec("PySide6")
    for folder in (spec.submodule_search_locations or []) if spec is not None else []:
        plugin = Path(folder) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
        if plugin.exists():
            return plugin
    return None


def uses_xcb(env: Mapping[str, str]) -> bool:
    """Will Qt pick its X11 plugin? (Not when told otherwise, nor in a Wayland session.)"""
    chosen = env.get("QT_QPA_PLATFORM", "")
    if chosen:
        return chosen.split(";")[0].split(":")[0] == "xcb"
    return not env.get("WAYLAND_DISPLAY")


def no_server_message(display: str) -> str | None:
    """A sentence when DISPLAY names a local X server that is not there (remote ones are not checked)."""
    if not display:
        return ("netbuilder cannot open its window: there is no display (DISPLAY is not set); "
                "run it in a desktop session, or without a display with QT_QPA_PLATFORM=offscreen.")
    local = re.fullmatch(r"(?:unix)?:(\d+)(?:\.\d+)?", display)
    if local and not Path(f"/tmp/.X11-unix/X{local.group(1)}").exists():
        return (f"netbuilder cannot open its window: there is no X server at DISPLAY={display}; "
                "run it in a desktop session, or without a display with QT_QPA_PLATFORM=offscreen.")
    return None


class PlatformProbe:
    """Started before the slow imports, asked just before the application is made."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self._env = os.environ if env is None else env
        self._ldd: subprocess.Popen[str] | None = None
        self._plugin = xcb_plugin() if sys.platform.startswith("linux") and uses_xcb(self._env) else None
        if self._plugin is not None:
            try:
                self._ldd = subprocess.Popen(["ldd", str(self._plugin)], stdout=subprocess.PIPE,
                                             stderr=subprocess.DEVNULL, text=True)
            except OSError:  # no ldd: Qt will have to say it
                self._ldd = None

    def problem(self) -> str | None:
        """Why Qt could not open a window here, in one sentence; None when it can (or we cannot tell)."""
        if self._plugin is None:
            return None
        missing: list[str] = []
        if self._ldd is not None:
            out, _ = self._ldd.communicate()
            missing = missing_from_ldd(out)
        for library in LOADED_AT_RUN_TIME:
            try:
                ctypes.CDLL(library)
            except OSError:
                missing.append(library)
        if missing:
            return missing_message(missing)
        return no_server_message(self._env.get("DISPLAY", ""))
