"""Ending the `netbuilder` command as soon as its work is done, without waiting for TensorFlow's teardown.

After a subcommand that imported TensorFlow returns, the interpreter's
finalization (TensorFlow's modules and their C++ objects taken apart) takes
most of a second: 0.86 s after `netbuilder train` on 2,000 images, a fifth of
that whole run. Nothing of ours needs it: every file a subcommand writes is
written and closed when it returns. So `end` flushes the command's output,
runs the exit handlers (they delete the scan's row cache, stop scan children
nobody asked for, flush logging) and ends the process with `os._exit`,
keeping the exit status.

It takes the ordinary way out where the shortcut could lose something: before
TensorFlow was imported (exiting is quick then anyway), for the editor (Qt
tears its windows and settings down on the way out), and while a thread that
is not a daemon still runs (finalization would wait for it). Callers of
`cli.main` in the same process (tests) never come here.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import NoReturn


def end(status: int, *, editor: bool = False) -> NoReturn:
    """Exit with `status`, skipping the interpreter's finalization where that is safe (see above)."""
    if editor or "tensorflow" not in sys.modules or _threads_still_running():
        sys.exit(status)
    _flush()
    atexit._run_exitfuncs()  # what finalization would run first: our handlers, logging's, TensorFlow's
    _flush()
    os._exit(status)


def _threads_still_running() -> bool:
    main = threading.main_thread()
    return any(t.is_alive() and not t.daemon and t is not main for t in threading.enumerate())


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):  # closed, or no stream at all (a windowed app)
            pass
