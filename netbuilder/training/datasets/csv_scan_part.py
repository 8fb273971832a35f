"""Scanning a CSV file in child processes: ahead of TensorFlow's import, and a big one on two cores at once.

The scan parses text with NumPy's reader, which holds Python's lock, so one
process parses on one core, and on a big file the scan costs about 1.5 times
what `np.loadtxt` reading the file whole does. When a file is above
`PARALLEL_BYTES` and a core is idle (`spare_core`), the file is cut at the
line start nearest its middle: a child process (this module, run as
`python -m`, without TensorFlow) scans the second half while this process
scans the first (or, when `netbuilder train` started them ahead with
`scan_ahead`, a child scans each half while this process imports
TensorFlow). Each writes its rows to a cache file of its own (`csv_cache`),
and `joined` folds the two scans into the one a single pass would have made:
the first cells found in the first half before those of the second, ranges
and counts combined, distinct values united. A child counts the lines before
its part itself, so its messages name the rows a single pass names; a refusal
in the first half wins, as it comes first in the file. A child answers in
JSON on its standard output (facts are plain numbers and strings: nothing is
unpickled). A half whose child cannot start or fails is scanned by this
process.
"""

from __future__ import annotations

import atexit
import json
import math
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from netbuilder.training.datasets.csv_cache import CacheWriter, RowCache, reserve_cache
from netbuilder.training.datasets.csv_scan import (MAX_DISTINCT, PARALLEL_BYTES, CsvScan, NumberFacts, TextFacts,
                                                   read_header, scan_key, scan_part)
from netbuilder.training.datasets.spec import DatasetError

COUNT_BYTES = 16 << 20  # read at a time to count lines
NOT_AHEAD = object()  # `taken_ahead`: no child scanned this version of the file


@dataclass
class _Child:
    """A child process scanning some lines of a file, into the cache file `reserved` owns until the
    child's rows are adopted (deleted with it when they never are)."""

    process: subprocess.Popen[str]
    reserved: RowCache | None

    def answer(self, path: Path) -> CsvScan | str | bool | None:
        """The child's scan of its part of `path`, its refusal (a message), False when the file must be read
        whole, None when the child failed."""
        assert self.process.stdout is not None
        try:
            with self.process.stdout:
                answer = json.loads(self.process.stdout.read())
        except (OSError, ValueError):
            return None
        if self.process.wait() != 0 or not isinstance(answer, dict):
            return None
        if "refused" in answer:
            return str(answer["refused"])
        if "scan" not in answer:
            return False if answer.get("whole") else None
        scan = _scan_from(answer["scan"], path.name)
        if self.reserved is not None and answer.get("cache_rows") is not None:
            self.reserved.disown()
            scan.cache = RowCache([(self.reserved.parts[0][0], int(answer["cache_rows"]))], int(answer["width"]))
        return scan

    def end(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


@dataclass
class _Ahead:
    """The children `scan_ahead` started for one version of a file: `second` scans the lines from byte
    `middle` on (all of them when `middle` is the first data line); `first`, for a big file, those
    before `middle`."""

    middle: int
    second: _Child
    first: _Child | None = None

    def end(self) -> None:
        for child in (self.first, self.second):
            if child is not None:
                child.end()


_ahead: dict[tuple[str, int, int], _Ahead] = {}


def scan_ahead(path: Path) -> None:
    """Start scanning `path` in child processes, now, while this one does something else.

    `netbuilder train` calls it before it imports TensorFlow (about two seconds of one core), so the
    scan runs meanwhile. A file up to `PARALLEL_BYTES` is scanned whole by one child, and `scan_csv`
    takes its answer instead of scanning. A bigger one is cut in two and each half gets a child:
    `scan_in_two` joins their answers, and this process, done with TensorFlow, has nothing left to
    scan (where both halves waited for the import to end, the first would start two seconds late). Three
    processes on two cores finish all three jobs sooner than any order of them on one core each. It does
    nothing where it cannot help (no idle core, a frozen app) or where the file cannot be read: the scan
    proper then says what is wrong, in its own words.
    """
    if getattr(sys, "frozen", False) or not spare_core():
        return
    try:
        key = scan_key(path)
        header, start = read_header(path)
    except (OSError, DatasetError):
        return
    if key in _ahead:
        return
    middle = start if key[1] - start <= PARALLEL_BYTES else _line_start(path, start + (key[1] - start) // 2)
    second = _child(path, header, start, middle, key[1])
    if second is not None:
        first = _child(path, header, start, start, middle) if middle > start else None
        _ahead[key] = _Ahead(middle, second, first)


def taken_ahead(path: Path, key: tuple[str, int, int], start: int) -> CsvScan | None | object:
    """The scan a `scan_ahead` child made of this version of `path`, whose data lines begin at byte `start`
    (None: the file must be read whole); `NOT_AHEAD` when there is no such child, or it failed.

    Raises:
        DatasetError: the child's refusal, as a scan here would have said it.
    """
    entry = _ahead.get(key)
    if entry is None or entry.middle != start:
        return NOT_AHEAD  # none, or a big file's two halves, which `scan_in_two` takes
    del _ahead[key]
    try:
        answer = entry.second.answer(path)
    finally:
        entry.end()
    if answer is None:
        return NOT_AHEAD
    if isinstance(answer, str):
        raise DatasetError(answer)
    return answer or None


@atexit.register
def _drop_ahead() -> None:
    """Children nobody asked for (the run stopped before reading its data) stop; their caches go with them."""
    for entry in _ahead.values():
        entry.end()
    _ahead.clear()


def scan_in_two(path: Path, header: str, start: int, end: int,
                key: tuple[str, int, int] | None = None) -> CsvScan | None:
    """The scan of the data lines between bytes `start` and `end` (the file's end), in two processes when
    a core is free for the second (else in this one alone: two processes on one core only add a start-up).
    The halves' children are the ones `scan_ahead` started for version `key` of the file, if there are
    any; a half whose child failed is scanned here."""
    ahead = _ahead.pop(key, None) if key is not None else None
    if ahead is None:
        if not spare_core():
            return scan_part(path, header, start, end, 1, CacheWriter(reserve_cache(path)))
        middle = _line_start(path, start + (end - start) // 2)
        # A frozen app's executable is the app, not a Python that runs `-m`: it scans both halves itself.
        second = None if getattr(sys, "frozen", False) else _child(path, header, start, middle, end)
        ahead = _Ahead(middle, second, None) if second is not None else None
    else:
        middle = ahead.middle
    try:
        first = ahead.first.answer(path) if ahead and ahead.first else None
        if isinstance(first, str):
            raise DatasetError(first)  # the first refusal in the file is the one a single pass meets
        if first is False:
            return None
        if first is None:  # no child for it, or it failed
            first = scan_part(path, header, start, middle, 1, CacheWriter(reserve_cache(path)))
            if first is None:
                return None
        second = ahead.second.answer(path) if ahead else None
        if second is None:  # no child, or it failed: this process scans the second half too
            second = scan_part(path, header, middle, end, 1 + _count_lines(path, start, middle),
                               CacheWriter(reserve_cache(path)))
        elif isinstance(second, str):
            raise DatasetError(second)
        return joined(first, second) if second else None
    finally:
        if ahead is not None:
            ahead.end()


def spare_core() -> bool:
    """Whether a core is idle now, besides the one this process runs on.

    On Linux it counts the threads of other processes that run or wait to run at this moment: all of
    them (`/proc/loadavg`'s fourth field) less this process's own (a library's threads, such as NumPy's
    BLAS spinning for a few milliseconds after it loads, are this process's work, not a busy machine),
    at the least of a few readings a millisecond apart, so that a passing kernel thread does not count.
    The load average is no guide: it lags a minute behind, so right after a busy process ends (a
    benchmark's previous run, a finished build) it still says both cores are taken, and the scan would
    run on one core beside an idle one.
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # no affinity on this system
        cores = os.cpu_count() or 1
    if cores < 2:
        return False
    others = _others_running()
    if others is not None:
        return others <= cores - 2
    try:
        return cores - os.getloadavg()[0] >= 1
    except (AttributeError, OSError):  # no load average either: count cores only
        return True


def _others_running(readings: int = 3) -> int | None:
    """The fewest threads of other processes running or ready to run over a few readings; None where
    `/proc` does not say."""
    least = None
    for reading in range(readings):
        if least == 0:
            break
        if reading:
            time.sleep(0.001)
        try:
            with open("/proc/loadavg", encoding="ascii") as fh:
                everyone = int(fh.read().split()[3].split("/")[0])
            mine = _mine_running()
        except (OSError, ValueError, IndexError):
            return None
        others = max(0, everyone - max(mine, 1))
        least = others if least is None else min(least, others)
    return least


def _mine_running() -> int:
    """This process's threads that run or wait to run now (the one asking among them)."""
    running = 0
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/stat", "rb") as fh:
                stat = fh.read()
        except FileNotFoundError:  # the thread ended meanwhile
            continue
        state = stat.rindex(b")") + 2  # the name, in parentheses, may hold spaces
        running += stat[state:state + 1] == b"R"
    return running


def joined(first: CsvScan, second: CsvScan) -> CsvScan | None:
    """The scan of a file whose lines `first` and then `second` scanned; None when a column holds numbers
    in one half and text in the other (the file must then be loaded whole, as a single pass says)."""
    cache = RowCache.joined([first.cache, second.cache]) if first.rows and second.rows else (
        first.cache if first.rows else second.cache)
    if not (first.rows and second.rows):
        whole = first if first.rows else second
        return CsvScan(whole.name, whole.columns, whole.rows, whole.facts, first.blank_lines or second.blank_lines,
                       first.carriage_returns or second.carriage_returns, cache)
    facts: dict[str, TextFacts | NumberFacts] = {}
    for column in first.columns:
        a, b = first.facts[column], second.facts[column]
        if isinstance(a, TextFacts) and isinstance(b, TextFacts):
            distinct = a.distinct | b.distinct
            if len(distinct) > MAX_DISTINCT:
                distinct = a.distinct | set(sorted(b.distinct - a.distinct)[:MAX_DISTINCT - len(a.distinct)])
            facts[column] = TextFacts(a.first_text, a.first_empty if a.first_empty is not None else b.first_empty,
                                      distinct, a.numbers + b.numbers, a.filled + b.filled)
        elif isinstance(a, NumberFacts) and isinstance(b, NumberFacts):
            kinds = {_bad_kind(v) for _, v in a.bad}
            fraction = a.first_fraction or b.first_fraction
            wholes = None if fraction or a.wholes is None or b.wholes is None else a.wholes | b.wholes
            facts[column] = NumberFacts(a.first, a.bad + [(r, v) for r, v in b.bad if _bad_kind(v) not in kinds],
                                        fraction, min(a.low, b.low), max(a.high, b.high),
                                        wholes if wholes is None or len(wholes) <= MAX_DISTINCT else None)
        else:
            if cache is not None:
                RowCache.joined([cache, None])  # deletes its files
            return None
    return CsvScan(first.name, first.columns, first.rows + second.rows, facts,
                   first.blank_lines or second.blank_lines, first.carriage_returns or second.carriage_returns, cache)


def _bad_kind(value: float) -> str:
    return "non-finite" if not math.isfinite(value) else "huge"


def _line_start(path: Path, offset: int) -> int:
    """The offset of the first line that starts at or after byte `offset`."""
    with path.open("rb") as fh:
        fh.seek(max(0, offset - 1))
        fh.readline()
        return fh.tell()


def _count_lines(path: Path, start: int, end: int) -> int:
    lines = 0
    with path.open("rb") as fh:
        fh.seek(start)
        while start < end and (data := fh.read(min(COUNT_BYTES, end - start))):
            lines += data.count(b"\n")
            start += len(data)
    return lines


def _child(path: Path, header: str, start: int, begin: int, end: int) -> _Child | None:
    """A child scanning the lines between bytes `begin` and `end` of a file whose data lines start at
    byte `start`, into a cache file of its own; None if it could not start."""
    cache = reserve_cache(path)
    # Owns the child's cache file (deleting it when dropped) until the child's rows are adopted.
    reserved = RowCache([(cache, 0)], 0) if cache is not None else None
    process = _start(path, header, start, begin, end, cache)
    return _Child(process, reserved) if process is not None else None


def _start(path: Path, header: str, start: int, middle: int, end: int,
           cache: Path | None) -> subprocess.Popen[str] | None:
    package_root = str(Path(__file__).resolve().parents[3])  # where `netbuilder` is importable from
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
    try:
        child = subprocess.Popen([sys.executable, "-m", __name__, str(path), str(start), str(middle), str(end),
                                  str(cache or "")], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True, encoding="utf-8", env=env)
        assert child.stdin is not None
        child.stdin.write(header)
        child.stdin.close()
    except OSError:
        return None
    return child


def _scan_to(scan: CsvScan) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for column, f in scan.facts.items():
        if isinstance(f, TextFacts):
            facts[column] = {"text": list(f.first_text), "empty": f.first_empty, "distinct": sorted(f.distinct),
                             "numbers": f.numbers, "filled": f.filled}
        else:
            facts[column] = {"first": f.first, "bad": [list(b) for b in f.bad], "fraction": f.first_fraction and
                             list(f.first_fraction), "low": f.low, "high": f.high,
                             "wholes": None if f.wholes is None else sorted(f.wholes)}
    return {"columns": scan.columns, "rows": scan.rows, "facts": facts, "blank": scan.blank_lines,
            "returns": scan.carriage_returns}


def _scan_from(data: dict[str, Any], name: str) -> CsvScan:
    facts: dict[str, TextFacts | NumberFacts] = {}
    for column, f in data["facts"].items():
        if "text" in f:
            facts[column] = TextFacts((int(f["text"][0]), str(f["text"][1])), f["empty"], set(f["distinct"]),
                                      int(f["numbers"]), int(f["filled"]))
        else:
            facts[column] = NumberFacts(float(f["first"]), [(int(r), float(v)) for r, v in f["bad"]],
                                        (int(f["fraction"][0]), float(f["fraction"][1])) if f["fraction"] else None,
                                        float(f["low"]), float(f["high"]),
                                        None if f["wholes"] is None else {float(v) for v in f["wholes"]})
    return CsvScan(name, list(data["columns"]), int(data["rows"]), facts, bool(data["blank"]), bool(data["returns"]))


def main() -> None:
    """The child: scan the second half and print what it found as one JSON object."""
    path, start, middle, end = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    cache = Path(sys.argv[5]) if sys.argv[5] else None
    header = sys.stdin.read()
    try:
        scan = scan_part(path, header, middle, end, 1 + _count_lines(path, start, middle), CacheWriter(cache))
    except DatasetError as exc:
        answer: dict[str, Any] = {"refused": str(exc)}
    else:
        answer = {"whole": True} if scan is None else {"scan": _scan_to(scan)}
        if scan is not None and scan.cache is not None:
            scan.cache.disown()  # the parent process takes the file over
            answer.update(cache_rows=scan.cache.rows, width=scan.cache.width)
    sys.stdout.write(json.dumps(answer))


if __name__ == "__main__":
    main()
