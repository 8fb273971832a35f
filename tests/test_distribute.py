"""Training under tf.distribute: mirrored over two logical CPUs, a real 2-worker cluster on loopback.

Each strategy runs `netbuilder train` in a process of its own (a strategy is
set up before TensorFlow starts), on the bundled tips data with shuffling
off so the runs see the same batches: mirrored must then match the
single-device run, and two workers (whole global batches only) come close.
A worker killed mid-run must fail the run within seconds, naming it.
"""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from netbuilder import resources
from netbuilder.cli_train import _without_local_workers
from netbuilder.training.distribute import DistributeError, check_multi_worker_keras, check_strategy, cluster_role
from netbuilder.training.local_cluster import describe_exit, free_ports, tf_config
from netbuilder.training.settings import SettingsError, TrainingSettings


def _project(tmp_path: Path, epochs: int = 4) -> Path:
    doc = json.loads(resources.example_path("tips_regression").read_text(encoding="utf-8"))
    doc["training"].update(shuffle=False, epochs=epochs, seed=7)
    path = tmp_path / "tips.nbproj"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _train(project: Path, out: Path, *flags: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TF_CONFIG"}
    return subprocess.run([sys.executable, "-m", "netbuilder", "train", str(project), "--out", str(out), *flags],
                          capture_output=True, text=True, timeout=timeout, env=env, stdin=subprocess.DEVNULL)


def _losses(run: Path) -> list[float]:
    with open(run / "history.csv", newline="", encoding="utf-8") as fh:
        return [float(row["loss"]) for row in csv.DictReader(fh)]


@pytest.fixture(scope="module")
def single_device(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[float]]:
    tmp = tmp_path_factory.mktemp("default")
    project = _project(tmp)
    done = _train(project, tmp / "run")
    assert done.returncode == 0, done.stderr
    return project, _losses(tmp / "run")


def test_mirrored_over_two_logical_cpus_matches_one_device(single_device, tmp_path):
    project, expected = single_device
    done = _train(project, tmp_path / "run", "--strategy", "mirrored", "--cpu-devices", "2")
    assert done.returncode == 0, done.stderr
    assert "Training with the mirrored strategy: 2 replicas in sync (CPU:0, CPU:1" in done.stdout
    # The same global batches split in two: the averaged gradient is the same.
    assert _losses(tmp_path / "run") == pytest.approx(expected, rel=1e-4)
    record = json.loads((tmp_path / "run" / "settings.json").read_text(encoding="utf-8"))
    assert (record["strategy"], record["replicas"], record["training"]["strategy"]) == ("mirrored", 2, "mirrored")


def test_two_local_workers_train_like_one_device(single_device, tmp_path):
    project, expected = single_device
    started = time.monotonic()
    done = _train(project, tmp_path / "run", "--local-workers", "2")
    assert done.returncode == 0, done.stderr
    assert re.search(r"started 2 local workers on localhost:\d+, localhost:\d+", done.stderr)
    assert "Training with the multi-worker strategy: 2 replicas in sync" in done.stdout
    losses = _losses(tmp_path / "run")
    assert len(losses) == len(expected)
    # Whole global batches only (the last, partial one is left out), so close rather than equal.
    assert losses[-1] == pytest.approx(expected[-1], rel=0.1)
    assert losses[-1] < losses[0]
    # RMSE over the whole global batch, not a mean of the workers' own RMSEs (metrics live in the scope).
    with open(tmp_path / "run" / "history.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [float(r["rmse"]) ** 2 for r in rows] == pytest.approx([float(r["loss"]) for r in rows], rel=1e-4)
    # The chief alone wrote the run; the other worker's scratch folder is gone.
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["curves.svg", "history.csv", "model.keras",
                                                                    "settings.json"]
    assert json.loads((tmp_path / "run" / "settings.json").read_text(encoding="utf-8"))["replicas"] == 2
    assert time.monotonic() - started < 180


def test_a_killed_worker_fails_the_run_quickly_and_names_it(tmp_path):
    project = _project(tmp_path, epochs=500)
    env = {k: v for k, v in os.environ.items() if k != "TF_CONFIG"}
    parent = subprocess.Popen([sys.executable, "-m", "netbuilder", "train", str(project), "--out",
                               str(tmp_path / "run"), "--local-workers", "2"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env, stdin=subprocess.DEVNULL)
    try:
        assert parent.stderr is not None and parent.stdout is not None
        first = parent.stderr.readline()
        while first and "started 2 local workers" not in first:
            first = parent.stderr.readline()
        pids = [int(p) for p in re.search(r"\(pids (\d+), (\d+)\)", first).groups()]  # type: ignore[union-attr]
        line = parent.stdout.readline()
        while line and not line.startswith("epoch 2/"):
            line = parent.stdout.readline()
        assert line.startswith("epoch 2/"), "the cluster never trained"
        os.kill(pids[1], signal.SIGKILL)
        killed = time.monotonic()
        code = parent.wait(timeout=60)
        waited = time.monotonic() - killed
        rest = parent.stderr.read()
    finally:
        if parent.poll() is None:
            parent.kill()
    assert code == 1
    assert f"worker 1 (pid {pids[1]}) was killed by SIGKILL" in rest
    assert waited < 15
    for pid in pids:  # no worker is left behind, blocked in a collective
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_cluster_roles_from_tf_config():
    two = {"TF_CONFIG": tf_config([1111, 2222], 1)}
    role = cluster_role(two)
    assert role is not None and (role.task_type, role.task_index, role.workers, role.is_chief) == ("worker", 1, 2,
                                                                                                    False)
    assert cluster_role({"TF_CONFIG": tf_config([1111, 2222], 0)}).is_chief  # type: ignore[union-attr]
    chief = {"TF_CONFIG": json.dumps({"cluster": {"chief": ["a:1"], "worker": ["b:1"]},
                                      "task": {"type": "chief", "index": 0}})}
    assert cluster_role(chief).is_chief and cluster_role(chief).workers == 2  # type: ignore[union-attr]
    first_worker = {"TF_CONFIG": json.dumps({"cluster": {"chief": ["a:1"], "worker": ["b:1"]},
                                             "task": {"type": "worker", "index": 0}})}
    assert not cluster_role(first_worker).is_chief  # type: ignore[union-attr]  # the chief task writes
    assert cluster_role({}) is None


@pytest.mark.parametrize("text, words", [
    ("{not json", "not valid JSON"),
    ('{"cluster": {"worker": ["a:1"]}}', 'needs a "cluster" object and a "task" object'),
    ('{"cluster": {"worker": ["a:1"]}, "task": {"type": "ps", "index": 0}}', "task type 'ps' is not one of"),
    ('{"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 3}}', "index 3 is out of range"),
])
def test_a_malformed_tf_config_is_named(text, words):
    with pytest.raises(DistributeError, match=re.escape(words)):
        cluster_role({"TF_CONFIG": text})


def test_multi_worker_without_a_cluster_says_how_to_get_one():
    with pytest.raises(DistributeError, match="--local-workers 2"):
        check_strategy("multi-worker", {})
    assert check_strategy("mirrored", {}) is None


def test_multi_worker_is_refused_on_a_keras_its_fix_was_not_tested_with(monkeypatch):
    from netbuilder.training import distribute

    check_multi_worker_keras("3.15.1")  # the version netbuilder pins and tests with
    with pytest.raises(DistributeError, match=r"tested with Keras 3\.15\.x only, and this is Keras 3\.16\.0"):
        check_multi_worker_keras("3.16.0")
    with pytest.raises(DistributeError, match="3.15.x only"):
        check_multi_worker_keras("3.1")  # a prefix of the tested release is not that release
    monkeypatch.setattr("netbuilder.catalog.cache.installed_keras_version", lambda: "4.0.0")
    first_worker = {"TF_CONFIG": json.dumps({"cluster": {"worker": ["a:1", "b:2"]}, "task": {"type": "worker", "index": 0}})}
    with pytest.raises(DistributeError, match="this is Keras 4.0.0; install the tested Keras"):
        distribute.check_strategy("multi-worker", first_worker)
    assert distribute.check_strategy("mirrored", first_worker) is None  # the other strategies need no fix


def test_the_strategy_setting_round_trips_and_is_checked():
    settings = TrainingSettings.from_section({"strategy": "mirrored"})
    assert settings.strategy == "mirrored" and settings.to_section()["strategy"] == "mirrored"
    assert "strategy" not in TrainingSettings().to_section()  # old project files stay as they were
    with pytest.raises(SettingsError, match="training.strategy must be one of default, mirrored, multi-worker"):
        TrainingSettings.from_section({"strategy": "tpu"})


def test_command_line_refusals(tmp_path, capsys):
    from netbuilder.cli import main

    project = _project(tmp_path)
    env_before = os.environ.pop("TF_CONFIG", None)
    try:
        assert main(["train", str(project), "--out", str(tmp_path / "r"), "--strategy", "multi-worker"]) == 1
        assert "needs the cluster described in the TF_CONFIG" in capsys.readouterr().err
        assert main(["train", str(project), "--out", str(tmp_path / "r"), "--local-workers", "0"]) == 1
        assert "--local-workers must be at least 1" in capsys.readouterr().err
        assert main(["train", str(project), "--out", str(tmp_path / "r"), "--local-workers", "2",
                     "--strategy", "mirrored"]) == 1
        assert "drop --strategy mirrored" in capsys.readouterr().err
    finally:
        if env_before is not None:
            os.environ["TF_CONFIG"] = env_before


def test_local_cluster_helpers():
    ports = free_ports(3)
    assert len(set(ports)) == 3
    config = json.loads(tf_config(ports, 2))
    assert config["task"] == {"type": "worker", "index": 2}
    assert config["cluster"]["worker"] == [f"localhost:{p}" for p in ports]
    assert describe_exit(-9) == "was killed by SIGKILL" and describe_exit(3) == "exited with code 3"
    assert _without_local_workers(["p.nbproj", "--local-workers", "2", "--strategy=mirrored", "--epochs", "3"]) == [
        "p.nbproj", "--epochs", "3"]
