"""A multi-worker cluster on this machine: N `netbuilder train` processes talking over loopback.

`netbuilder train … --strategy multi-worker --local-workers N` lets a user try
(and the tests check) the distributed path without a cluster. Each worker is
a fresh process, because `MultiWorkerMirroredStrategy` must be set up before
TensorFlow runs anything, with its own `TF_CONFIG` naming the same list of
free loopback ports and its own index. Worker 0 is the chief: its lines are
passed through and it writes the run folder. The parent watches them all, so
a worker that dies (a crash, out of memory, `kill -9`) ends the whole run
within a second with a sentence naming it, instead of leaving the others
blocked in a collective that will never complete.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import IO, Callable, Sequence

POLL_S = 0.2
# How long workers get to finish on their own once one has died or the chief is done.
GRACE_S = 5.0


def free_ports(count: int) -> list[int]:
    """Ports nobody listens on now; held open together so the same one is never handed out twice."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def tf_config(ports: Sequence[int], index: int) -> str:
    """The `TF_CONFIG` of worker `index` in a loopback cluster of `ports`."""
    return json.dumps({"cluster": {"worker": [f"localhost:{p}" for p in ports]},
                       "task": {"type": "worker", "index": index}})


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


@dataclass
class _Worker:
    index: int
    process: subprocess.Popen[str]
    last_lines: deque[str] = field(default_factory=lambda: deque(maxlen=5))
    readers: list[threading.Thread] = field(default_factory=list)


class LocalCluster:
    """Start `count` workers running `netbuilder train` with `train_args`; `run()` waits and says how it went.

    `echo` receives the chief's output lines (stdout and stderr); every
    worker's stderr is kept (the last lines) to explain a failure.
    """

    def __init__(self, train_args: Sequence[str], count: int, *,
                 echo: Callable[[str, bool], None] | None = None, python: str = sys.executable) -> None:
        if count < 1:
            raise ValueError("a local cluster needs at least one worker")
        self.train_args = list(train_args)
        self.count = count
        self.echo = echo or _print
        self.python = python
        self.ports: list[int] = []
        self.workers: list[_Worker] = []

    def start(self) -> None:
        self.ports = free_ports(self.count)
        for index in range(self.count):
            env = {**os.environ, "TF_CONFIG": tf_config(self.ports, index), "PYTHONUNBUFFERED": "1"}
            process = subprocess.Popen([self.python, "-m", "netbuilder", "train", *self.train_args],
                                       env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
            worker = _Worker(index, process)
            for stream, is_err in ((process.stdout, False), (process.stderr, True)):
                reader = threading.Thread(target=self._read, args=(worker, stream, is_err), daemon=True)
                reader.start()
                worker.readers.append(reader)
            self.workers.append(worker)

    def _read(self, worker: _Worker, stream: IO[str] | None, is_err: bool) -> None:
        assert stream is not None
        for line in stream:
            line = line.rstrip("\n")
            if is_err and line.strip():
                worker.last_lines.append(line)
            if worker.index == 0:
                self.echo(line, is_err)

    def pids(self) -> list[int]:
        return [w.process.pid for w in self.workers]

    def run(self) -> tuple[bool, str]:
        """Wait for every worker; (ok, a sentence). A worker that fails stops the rest at once."""
        try:
            while True:
                codes = [w.process.poll() for w in self.workers]
                failed = [(w, c) for w, c in zip(self.workers, codes) if c not in (None, 0)]
                if failed:
                    worker, code = failed[0]
                    self.stop_all()
                    return False, self._failure(worker, code)
                if all(c == 0 for c in codes):
                    self._join_readers()
                    return True, f"all {self.count} workers finished"
                time.sleep(POLL_S)
        except KeyboardInterrupt:
            self.stop_all()
            return False, "Stopped from the keyboard; the workers were stopped."

    def _failure(self, worker: _Worker, code: int) -> str:
        self._join_readers()
        role = "the chief (worker 0)" if worker.index == 0 else f"worker {worker.index}"
        said = [line for line in worker.last_lines if line.strip()]
        # The chief's own explanation has already been shown line by line.
        why = f" It said: {said[-1].strip()}" if said and worker.index != 0 else ""
        return (f"The multi-worker run failed: {role} (pid {worker.process.pid}) {describe_exit(code)}, "
                f"so the other workers were stopped.{why}")

    def stop_all(self) -> None:
        """Terminate every worker still running, then kill those that do not stop within the grace time."""
        for w in self.workers:
            if w.process.poll() is None:
                _signal_group(w.process, signal.SIGTERM)
        deadline = time.monotonic() + GRACE_S
        for w in self.workers:
            try:
                w.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(w.process, signal.SIGKILL)
                w.process.wait()

    def _join_readers(self) -> None:
        for w in self.workers:
            for reader in w.readers:
                reader.join(timeout=GRACE_S)


def _signal_group(process: subprocess.Popen[str], sig: signal.Signals) -> None:
    try:
        os.killpg(process.pid, sig)  # the worker and anything it started
    except (ProcessLookupError, PermissionError):
        pass


def _print(line: str, is_err: bool) -> None:
    print(line, file=sys.stderr if is_err else sys.stdout, flush=True)
