"""`netbuilder train`: the project's settings with the flags laid over them, on one device or under tf.distribute.

One process trains (`default`, `mirrored`, or one worker of a `TF_CONFIG`
cluster), or, with `--local-workers N`, this process starts N workers on
loopback and watches them. The strategy is set up before anything else starts
TensorFlow, which is why checking names waits until after it.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from netbuilder.cli_common import OK, CommandError, load_project, say
from netbuilder.graph import Project

if TYPE_CHECKING:
    from netbuilder.training.datasets.spec import DatasetSpec
    from netbuilder.training.distribute import ClusterRole
    from netbuilder.training.settings import TrainingSettings

# `netbuilder train` flags that override a field of the project's training settings.
TRAIN_FLAGS = {"--epochs": "epochs", "--batch-size": "batch_size", "--optimizer": "optimizer", "--loss": "loss",
               "--metrics": "metrics", "--learning-rate": "learning_rate",
               "--validation-split": "validation_split", "--seed": "seed", "--strategy": "strategy",
               "--train-examples": "train_examples", "--evaluations": "evaluations"}


def cmd_train(args: argparse.Namespace) -> int:
    from netbuilder.training.events import EpochEnd, Event, HealthWarning, Preparing
    from netbuilder.training.runs import CURVES, HISTORY, MODEL, SETTINGS
    from netbuilder.training.session import TrainingSession

    if args.cpu_devices is not None and args.local_workers is None:
        _split_cpu(args.cpu_devices)  # before anything starts TensorFlow
    project = load_project(args.project)
    settings = _train_settings(project, args)
    spec = _train_dataset(project, args)
    role = _cluster_role(settings) if args.local_workers is None else None
    _check_names(settings)
    if args.local_workers is not None:
        return _train_local_cluster(args, settings)
    if role is not None and not role.is_chief:
        return _train_as_worker(project, spec, settings, role)
    previous = 0.0

    def report(event: Event) -> None:
        nonlocal previous
        if isinstance(event, Preparing) and event.message.startswith("Training with"):
            say(event.message, flush=True)
        if isinstance(event, EpochEnd):
            values = "  ".join(f"{k} {_number(v)}" for k, v in event.logs.items())
            seconds = event.elapsed - previous
            say(f"epoch {event.epoch}/{settings.fit_epochs}  {values}  ({seconds:.{2 if seconds < 1 else 1}f} s)",
                flush=True)
            previous = event.elapsed
        if isinstance(event, HealthWarning):
            say(f"warning: {event.message}", flush=True)

    out = Path(args.out)
    result = TrainingSession(project, spec, settings, out, run_dir=out, listener=report, queue_events=False).run()
    if result.run_dir is not None:
        written = [name for name in (HISTORY, MODEL, SETTINGS, CURVES) if (result.run_dir / name).exists()]
        say(f"run written to {result.run_dir} ({', '.join(written)})")
    if result.status != "completed":
        raise CommandError([result.message])
    if result.message.startswith("Early stopping"):
        say(result.message)
    return OK


def _split_cpu(count: int) -> None:
    from netbuilder.training.distribute import DistributeError, split_cpu

    try:
        split_cpu(count)
    except DistributeError as exc:
        raise CommandError([str(exc)]) from None


def _cluster_role(settings: TrainingSettings) -> ClusterRole | None:
    """This process's role in a TF_CONFIG cluster, None outside one; a multi-worker strategy is made here,
    as collective ops must be set up before anything else runs on TensorFlow (checking names does)."""
    from netbuilder.training.distribute import DistributeError, check_strategy, make_strategy

    try:
        role = check_strategy(settings.strategy)
        if role is not None:
            make_strategy(settings.strategy)
        return role
    except DistributeError as exc:
        raise CommandError([str(exc)]) from None


def _train_as_worker(project: Project, spec: DatasetSpec, settings: TrainingSettings, role: ClusterRole) -> int:
    """A non-chief worker trains its share in a scratch folder; the chief alone writes the run."""
    import shutil
    import tempfile

    from netbuilder.training.session import TrainingSession

    scratch = Path(tempfile.mkdtemp(prefix="netbuilder-worker-"))
    try:
        result = TrainingSession(project, spec, settings, scratch, run_dir=scratch, queue_events=False).run()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if result.status != "completed":
        raise CommandError([f"{role.describe()}: {result.message}"])
    say(f"{role.describe()}: done; the chief writes the run")
    return OK


def _train_local_cluster(args: argparse.Namespace, settings: TrainingSettings) -> int:
    """`--local-workers N`: run this same command as N multi-worker processes on loopback."""
    from netbuilder.training.local_cluster import LocalCluster

    if args.local_workers < 1:
        raise CommandError([f"--local-workers must be at least 1, got {args.local_workers}"])
    if args.strategy not in (None, "multi-worker"):
        raise CommandError([f"--local-workers starts a multi-worker cluster; drop --strategy {args.strategy}"])
    cluster = LocalCluster([*_without_local_workers(args.argv[1:]), "--strategy", "multi-worker"],
                           args.local_workers)
    cluster.start()
    addresses = ", ".join(f"localhost:{p}" for p in cluster.ports)
    say(f"started {args.local_workers} local workers on {addresses} (pids "
        f"{', '.join(map(str, cluster.pids()))}); worker 0 is the chief", file=sys.stderr, flush=True)
    ok, message = cluster.run()
    if not ok:
        raise CommandError([message])
    return OK


def _without_local_workers(argv: list[str]) -> list[str]:
    """The train arguments minus `--local-workers N` and `--strategy X` (each worker gets its own)."""
    kept: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in ("--local-workers", "--strategy"):
            skip = True
        elif not arg.startswith(("--local-workers=", "--strategy=")):
            kept.append(arg)
    return kept


def _train_settings(project: Project, args: argparse.Namespace) -> TrainingSettings:
    """The project's `training` section with the flags laid over it; every bad value in one error."""
    from netbuilder.training.settings import SettingsError, TrainingSettings

    try:
        settings = TrainingSettings.from_section(project.sections.get("training"))
    except SettingsError as exc:
        raise CommandError([f"{args.project}: {p}" for p in exc.problems]) from None
    for flag, field in TRAIN_FLAGS.items():
        value = getattr(args, field)
        if value is not None:
            setattr(settings, field, value)
    problems = [_as_flag(p, args) for p in settings.problems()]
    if problems:
        raise CommandError(problems)
    return settings


def _check_names(settings: TrainingSettings) -> None:
    """Unknown optimizer, loss or metric names, all at once (this starts TensorFlow)."""
    from netbuilder.training.keras_objects import check_names

    problems = check_names(settings.optimizer, settings.loss, settings.metrics)
    if problems:
        raise CommandError(problems)


def _as_flag(problem: str, args: argparse.Namespace) -> str:
    """`epochs must be at least 1` → `--epochs must be at least 1` when the value came from that flag."""
    for flag, field in TRAIN_FLAGS.items():
        if problem.startswith(field) and getattr(args, field) is not None:
            return flag + problem[len(field):]
    return f"{args.project}: training.{problem}"


def scan_data_ahead(args: argparse.Namespace) -> None:
    """Start scanning a CSV file given with `--data` that training will stream, in child processes (one per
    half of a big file), before TensorFlow is imported (about two seconds of one core), so that the scan
    and the import share the cores."""
    from netbuilder.training.datasets.spec import BUNDLED_PREFIX

    data = args.data
    if data is None or data.startswith(BUNDLED_PREFIX) or getattr(args, "local_workers", None) is not None:
        return
    path = Path(data).expanduser().absolute()
    if path.suffix.lower() != ".csv" or not path.is_file():
        return
    from netbuilder.training.datasets.csv_scan_part import scan_ahead
    from netbuilder.training.datasets.csv_stream import wants_streaming

    if wants_streaming(path, None):
        scan_ahead(path)


def _train_dataset(project: Project, args: argparse.Namespace) -> DatasetSpec:
    """The project's `dataset` section, with `--data` and `--target` laid over it."""
    from netbuilder.training.datasets.spec import BUNDLED_PREFIX, DatasetError, DatasetSpec

    section = project.sections.get("dataset")
    try:
        spec = DatasetSpec.from_section(section) if section is not None else None
    except DatasetError as exc:
        raise CommandError([f"{args.project}: {p}" for p in str(exc).splitlines()]) from None
    data = args.data
    if data is not None and not data.startswith(BUNDLED_PREFIX):
        # A path typed on the command line is relative to where the user is, not to the project.
        data = str(Path(data).expanduser().absolute())
    if data is not None and (spec is None or not _same_source(spec, data, project)):
        # Another source: the saved kind, validation file and image size described the old one — except
        # a time series, which no file's look tells from a table: the model's windows say how to read it.
        kind = spec.kind if spec is not None and spec.kind == "timeseries" else None
        spec = DatasetSpec(source=data) if spec is None else replace(spec, source=data, kind=kind,
                                                                      validation_file=None)
        spec = _images_for_model(spec, project)
    if spec is None:
        raise CommandError([f"{args.project}: no dataset; give --data FILE (and --target COLUMN)"])
    if args.target is not None:
        spec.target = names(args.target)
    return spec


def _images_for_model(spec: DatasetSpec, project: Project) -> DatasetSpec:
    """A folder of images is loaded at the size and colour mode of the model's only Input, as the editor does."""
    from netbuilder.training.datasets.source import dataset_kind
    from netbuilder.training.datasets.spec import DatasetError, images_for_input

    graph = project.graph
    inputs = graph.input_ids()
    base = project.path.parent if project.path is not None else None
    try:
        if len(inputs) != 1 or dataset_kind(spec, base) != "images":
            return spec
    except DatasetError:
        return spec  # loading says what is wrong with the source, in its own words
    return images_for_input(spec, graph.node(inputs[0]).config.get("shape"))


def _same_source(spec: DatasetSpec, data: str, project: Project) -> bool:
    """Whether `--data` names the source the project's dataset section already names."""
    if spec.source == data:
        return True
    from netbuilder.training.datasets.spec import BUNDLED_PREFIX

    if spec.bundled_name is not None or data.startswith(BUNDLED_PREFIX):
        return False
    base = project.path.parent if project.path is not None else None
    return spec.resolve(spec.source, base).absolute() == Path(data)


def names(text: str) -> list[str]:
    return [n.strip() for n in text.split(",") if n.strip()]


def _number(value: float) -> str:
    return f"{value:.4f}" if abs(value) < 1e5 else f"{value:.4g}"
