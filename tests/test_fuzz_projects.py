"""Hostile project files never crash netbuilder: a fuzzer over the entry points users reach.

Mutated projects (see `hostile_projects`) go where a user's file goes: the
editor's open path (`project_file.load`, then the structural check the
editor runs before TensorFlow has loaded, then saving it again) and, for a
share of them, `netbuilder validate` and `netbuilder summary` in-process.
The property: the file opens, or it is refused with one line per problem
naming the file; the command exits 0, or 1 with one printable line per
problem that starts with the file's name; never a traceback, never a hang
(a deadline per case, and a watchdog that ends the run with a stack dump),
and never more memory than a cap (the address space is limited around each
test, so a runaway allocation fails as MemoryError instead of taking the
machine).

The default run is derandomized (the same 1,000 cases every time: 700
through the reader, 300 through the commands); `pytest -m slow
tests/test_fuzz_projects.py` runs 7,200 more, drawn afresh (6,000 and
1,200: about 20 s each on a 2-core machine). Every case that ever failed lives on in `test_hostile_projects.py`.
"""

from __future__ import annotations

import contextlib
import faulthandler
import os
import resource
import signal
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Iterator

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis.configuration import set_hypothesis_home_dir

from hostile_projects import hostile_files, plausible_files
from netbuilder.catalog import load_catalog
from netbuilder.catalog.project_check import StructuralChecker
from netbuilder.cli import main
from netbuilder.cli_common import printable
from netbuilder.graph import ProjectFileError, project_file

# No example database, and Hypothesis' other caches kept out of the repository; derandomized,
# so the default run is the same run everywhere. The slow profile draws new cases each time.
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "netbuilder-hypothesis")
settings.register_profile(
    "fuzz",
    derandomize=True,
    database=None,
    print_blob=True,
    deadline=timedelta(seconds=2),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("fuzz-slow", parent=settings.get_profile("fuzz"), derandomize=False)
FUZZ, SLOW = settings.get_profile("fuzz"), settings.get_profile("fuzz-slow")

MEMORY_HEADROOM = 3 * 1024**3  # what one case may add to the address space: a 5 GB port range cannot fit
HANG_AFTER_S = 60  # a case still running after this is a hang: it fails where it is
HANG_LOG = Path(tempfile.gettempdir()) / "netbuilder-fuzz-hang.txt"


@contextlib.contextmanager
def memory_capped(headroom: int = MEMORY_HEADROOM) -> Iterator[None]:
    """Lower the soft address-space limit to what is mapped now plus `headroom`, and restore it after."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    mapped = _mapped_bytes()
    cap = mapped + headroom
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _mapped_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize in /proc/self/status")


@contextlib.contextmanager
def watchdog() -> Iterator[None]:
    """Fail a case that runs past HANG_AFTER_S; one stuck inside C code for twice that ends the run,
    every thread's stack written to HANG_LOG (pytest's capture would lose it)."""

    def hung(signum: int, frame: object) -> None:
        raise TimeoutError(f"the case ran past {HANG_AFTER_S} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(HANG_AFTER_S)
    with HANG_LOG.open("w") as log:
        faulthandler.dump_traceback_later(2 * HANG_AFTER_S, exit=True, file=log)
        try:
            yield
        finally:
            faulthandler.cancel_dump_traceback_later()
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)


CATALOG = load_catalog()


def open_as_the_editor_does(path: Path) -> None:
    """What File ▸ Open does before TensorFlow has loaded: read, check the structure, and be able to save."""
    try:
        project = project_file.load(path)
    except ProjectFileError as exc:
        assert exc.source == str(path) and exc.problems
        assert all(isinstance(p, str) and p and "\n" not in printable(p) for p in exc.problems)
        event("refused", printable(exc.problems[0].split(":")[0][:30]))
        return
    problems = StructuralChecker(project, CATALOG).problems()
    for problem in problems:
        assert str(problem) and (problem.node_id is None or f"'{problem.node_id}'" in str(problem))
    event("opened", "with problems" if problems else "structurally sound")
    project_file.loads(project_file.dumps(project))  # what was opened can be saved, and read back


def run_command(command: str, path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main([command, str(path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert code in (0, 1), code
    if code == 1:
        lines = err.splitlines()
        assert lines, "exit 1 with nothing said"
        for line in lines:
            assert line.startswith(f"{path}: "), line
            assert printable(line) == line, line  # escape codes and lone surrogates are shown, not sent
    return code, out


def check_structure(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "fuzzed.nbproj"
    path.write_bytes(data)
    open_as_the_editor_does(path)


def check_commands(data: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "fuzzed.nbproj"
    path.write_bytes(data)
    try:
        project_file.load(path)
        event("validate", "the file reads: Keras checks it")
    except ProjectFileError:
        event("validate", "the reader refuses it")
    code, out = run_command("validate", path, capsys)
    event("validate exits", code)
    if code == 0:
        assert out.startswith(f"{path}: valid — ") and out.count("\n") == 1
        code, out = run_command("summary", path, capsys)
        assert code == 0 and "Total params:" in out


@pytest.fixture(scope="module", autouse=True)
def _keras_loaded() -> None:
    """TensorFlow maps its address space once; import it before the cap is measured, not inside a case."""
    import keras  # noqa: F401


@settings(FUZZ, max_examples=700)
@given(data=hostile_files)
def test_hostile_files_open_or_are_refused_in_a_sentence(data: bytes, tmp_path: Path) -> None:
    with memory_capped(), watchdog():
        check_structure(data, tmp_path)


@settings(FUZZ, max_examples=300, deadline=timedelta(seconds=10))
@given(data=plausible_files | hostile_files)
def test_hostile_files_through_validate_and_summary(data: bytes, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    with memory_capped(), watchdog():
        check_commands(data, tmp_path, capsys)


@pytest.mark.slow
@settings(SLOW, max_examples=6_000)
@given(data=hostile_files)
def test_many_more_hostile_files_open_or_are_refused(data: bytes, tmp_path: Path) -> None:
    with memory_capped(), watchdog():
        check_structure(data, tmp_path)


@pytest.mark.slow
@settings(SLOW, max_examples=1_200, deadline=timedelta(seconds=10))
@given(data=plausible_files | hostile_files)
def test_many_more_hostile_files_through_validate_and_summary(data: bytes, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    with memory_capped(), watchdog():
        check_commands(data, tmp_path, capsys)
