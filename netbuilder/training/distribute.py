"""Which `tf.distribute` strategy a run trains under, and where this process stands in a cluster.

`default` is one device, `mirrored` is `MirroredStrategy` over every local GPU
(or every logical CPU when there is no GPU, which is how the tests and a
laptop try it), and `multi-worker` is `MultiWorkerMirroredStrategy` over the
cluster that the standard `TF_CONFIG` environment variable describes. The
cluster is read and checked here, without TensorFlow, so a malformed
`TF_CONFIG` is a sentence before anything starts; the strategy itself is made
by `make_strategy`, which must run before TensorFlow has executed anything
(collective ops are configured at start-up).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Mapping

from netbuilder.training.settings import STRATEGIES

TF_CONFIG = "TF_CONFIG"
# The Keras releases `mend_keras_for_multi_worker` was written for and tested with (major.minor).
# It replaces private functions of Keras' TensorFlow trainer, which another release may change or
# fix, so on any other release the multi-worker strategy is refused instead of patched blindly.
MULTI_WORKER_KERAS = ("3.15",)
# A peer that stops answering must fail the run, not hang it: collectives give up after this long.
COLLECTIVE_TIMEOUT_S = 120.0
_multi_worker: Any = None


class DistributeError(ValueError):
    """A strategy that cannot be set up here; the text is a sentence for the user."""


@dataclass(frozen=True)
class ClusterRole:
    """This process's place in a `TF_CONFIG` cluster."""

    task_type: str
    task_index: int
    workers: int  # chief included
    has_chief: bool = False  # the cluster names a `chief` task

    @property
    def is_chief(self) -> bool:
        """The chief writes the run folder; TF's rule: the `chief` task, else (when there is none) worker 0."""
        if self.task_type == "chief":
            return True
        return self.task_type == "worker" and self.task_index == 0 and not self.has_chief

    def describe(self) -> str:
        return f"{self.task_type} {self.task_index} of {self.workers}"


def cluster_role(environ: Mapping[str, str] | None = None) -> ClusterRole | None:
    """The role `TF_CONFIG` gives this process; None when it is unset. DistributeError when malformed."""
    text = (os.environ if environ is None else environ).get(TF_CONFIG, "").strip()
    if not text:
        return None
    try:
        config = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DistributeError(f"TF_CONFIG is not valid JSON ({exc.msg} at character {exc.pos}).") from None
    cluster = config.get("cluster") if isinstance(config, dict) else None
    task = config.get("task") if isinstance(config, dict) else None
    if not isinstance(cluster, dict) or not isinstance(task, dict):
        raise DistributeError('TF_CONFIG needs a "cluster" object and a "task" object, e.g. '
                              '{"cluster": {"worker": ["host1:12345", "host2:12345"]}, '
                              '"task": {"type": "worker", "index": 0}}.')
    task_type, index = task.get("type"), task.get("index", 0)
    members = cluster.get(task_type) if isinstance(task_type, str) else None
    if not isinstance(members, list) or not members:
        raise DistributeError(f"TF_CONFIG's task type {task_type!r} is not one of its cluster's: "
                              f"{', '.join(map(str, cluster)) or 'none'}.")
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(members):
        raise DistributeError(f"TF_CONFIG's task index {index!r} is out of range: the cluster has "
                              f"{len(members)} {task_type} task(s).")
    workers = sum(len(v) for k, v in cluster.items() if k in ("chief", "worker") and isinstance(v, list))
    return ClusterRole(task_type, index, workers, bool(cluster.get("chief")))


def check_strategy(name: str, environ: Mapping[str, str] | None = None) -> ClusterRole | None:
    """Refuse, with a sentence, a strategy that cannot start here; the cluster role for multi-worker."""
    if name not in STRATEGIES:
        raise DistributeError(f"Unknown strategy {name!r}; use one of {', '.join(STRATEGIES)}.")
    if name != "multi-worker":
        return None
    check_multi_worker_keras()
    role = cluster_role(environ)
    if role is None:
        raise DistributeError("The multi-worker strategy needs the cluster described in the TF_CONFIG "
                              "environment variable; to try it on this machine, run "
                              "`netbuilder train … --strategy multi-worker --local-workers 2`.")
    return role


def check_multi_worker_keras(version: str | None = None) -> None:
    """Refuse the multi-worker strategy on a Keras release its fix has not been tested with."""
    if version is None:
        try:  # without importing Keras, which must start after the strategy
            from netbuilder.catalog.cache import installed_keras_version
        except ImportError:  # a training package's copy of this module, which carries no catalog
            import keras

            version = keras.__version__
        else:
            version = installed_keras_version()
    if version is not None and any(version == v or version.startswith(v + ".") for v in MULTI_WORKER_KERAS):
        return
    tested = ", ".join(f"{v}.x" for v in MULTI_WORKER_KERAS)
    raise DistributeError(
        f"The multi-worker strategy needs netbuilder's fix for Keras 3's fit (Keras issue 20585), which has "
        f"been tested with Keras {tested} only, and this is Keras {version or 'of an unknown version'}; "
        "install the tested Keras (pip install -c constraints.txt -e .) or train with the default or "
        "mirrored strategy.")


def split_cpu(count: int) -> None:
    """Show the CPU to TensorFlow as `count` logical devices, so `mirrored` can be tried without GPUs."""
    import tensorflow as tf

    if count < 1:
        raise DistributeError(f"--cpu-devices must be at least 1, got {count}.")
    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * count)
    except RuntimeError:
        raise DistributeError("The CPU can only be split before TensorFlow starts; "
                              "split it first thing in the process.") from None


def make_strategy(name: str) -> Any:
    """The `tf.distribute.Strategy` for `name`; build and compile the model inside its `scope()`."""
    check_strategy(name)
    import tensorflow as tf

    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        gpus = [d.name for d in tf.config.list_logical_devices("GPU")]
        cpus = [d.name for d in tf.config.list_logical_devices("CPU")]
        return tf.distribute.MirroredStrategy(devices=gpus or cpus)
    global _multi_worker
    if _multi_worker is None:  # one per process: it owns this process's collective ops
        options = tf.distribute.experimental.CommunicationOptions(timeout_seconds=COLLECTIVE_TIMEOUT_S)
        try:
            _multi_worker = tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
        except RuntimeError as exc:
            raise DistributeError(f"The multi-worker strategy could not start here ({exc}); it must be the "
                                  "first thing TensorFlow does in the process, so start it from the command "
                                  "line or a training package.") from None
    return _multi_worker


def shard_by_data(dataset: Any) -> Any:
    """Give each worker its own share of every global batch (arrays in memory cannot be sharded by file)."""
    import tensorflow as tf

    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return dataset.with_options(options)


@dataclass(frozen=True)
class Device:
    """A device TensorFlow sees, for the GUI's list: `CPU:0`, `GPU:0` and its model name."""

    kind: str
    name: str
    detail: str = ""

    def label(self) -> str:
        return f"{self.name} ({self.detail})" if self.detail else self.name


def visible_devices() -> list[Device]:
    """Every physical device TensorFlow sees, CPUs first; GPU details where TF knows them."""
    import tensorflow as tf

    found: list[Device] = []
    for device in tf.config.list_physical_devices():
        name = device.name.removeprefix("/physical_device:")
        detail = ""
        if device.device_type == "GPU":
            try:
                detail = str(tf.config.experimental.get_device_details(device).get("device_name", ""))
            except (RuntimeError, ValueError):
                detail = ""
        found.append(Device(device.device_type, name, detail))
    return sorted(found, key=lambda d: (d.kind != "CPU", d.name))



def mend_keras_for_multi_worker(model: Any, strategy: Any, dataset: Any) -> None:
    """Work around Keras 3's `fit` failing under MultiWorkerMirroredStrategy (keras-team/keras#20585).

    Two steps of Keras' TensorFlow trainer break once replicas span workers:
    - it builds the metrics and optimizer from the first batch, averaged across
      replicas with `strategy.reduce`, which cannot take a per-replica batch
      ("Attempt to convert a value (PerReplica…)"); only shapes and types are
      needed, so the model is built here from the dataset's element spec;
    - it averages each step's logs with `strategy.reduce("MEAN", v, axis=0)`,
      which fails on the scalar loss and metrics; the mean over replicas
      (`axis=None`) is the value wanted.
    Both are mended for this model only (the second for this process, which is
    a worker process that trains nothing else).
    """
    import keras
    from keras.src.backend.tensorflow import trainer

    batch = keras.tree.map_structure(lambda spec: keras.KerasTensor(spec.shape, spec.dtype.name),
                                     dataset.element_spec)

    def symbolic_build(iterator: Any = None, data_batch: Any = None) -> None:
        with strategy.scope():
            model._symbolic_build(data_batch=batch)

    symbolic_build()
    model._maybe_symbolic_build = symbolic_build

    original = getattr(trainer.reduce_per_replica, "__wrapped__", trainer.reduce_per_replica)

    def reduce_per_replica(values: Any, strategy: Any, reduction: str) -> Any:
        if reduction in ("auto", "mean") and strategy.extended._in_multi_worker_mode():
            return keras.tree.map_structure(
                lambda v: strategy.reduce("MEAN", v, axis=None if v.shape.rank == 0 else 0), values)
        return original(values, strategy, reduction)

    reduce_per_replica.__wrapped__ = original  # type: ignore[attr-defined]
    trainer.reduce_per_replica = reduce_per_replica
