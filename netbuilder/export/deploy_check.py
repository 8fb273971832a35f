"""The deployment check: which layers of a project the chosen export format cannot run, before exporting.

Every layer call of the main graph (a sub-model counts as one call, on its
card) is probed alone, at the shapes and dtypes it gets in the graph, by the
real converter of the target (see `deploy_probe`): TFLite built-in ops,
tf2onnx at ONNX opset `onnx_export.OPSET`, or a SavedModel for TF Serving.
Probing one layer alone rather than the whole model names the culprit card
exactly and lets answers be reused: they are cached per (TensorFlow version,
target, layer class, config, input shapes) in `deploy_cache`, so after an
edit only the new or changed layers are converted again. The editor runs it
off the GUI thread; `netbuilder export --check` prints the same findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import keras

from netbuilder.export.deploy_cache import ProbeCache, deploy_cache_path, probe_key
from netbuilder.export.deploy_probe import onnx_refusals, serving_refusals, tflite_refusals
from netbuilder.export.onnx_export import OPSET
from netbuilder.graph import Project
from netbuilder.keras_bridge.checks import ProjectChecker
from netbuilder.keras_bridge.cost_project import checked_calls


@dataclass(frozen=True)
class Target:
    key: str  # `netbuilder export --format`'s name for it
    label: str  # what menus show
    runtime: str  # the subject of the sentence on a card: "TFLite's built-in ops cannot run …"
    advice: str


TARGETS = {
    "tflite": Target("tflite", "TFLite", "TFLite's built-in ops",
                     "TFLite runs them only with Select TF ops (the Flex delegate)"),
    "onnx": Target("onnx", "ONNX", f"ONNX opset {OPSET} (tf2onnx)", "tf2onnx has no ONNX conversion for them"),
    "savedmodel": Target("savedmodel", "TF Serving", "TF Serving (SavedModel)",
                         "they call back into Python, which a SavedModel does not carry"),
}


@dataclass(frozen=True)
class Finding:
    """One layer the target cannot run: its node, class and the ops refused."""

    node_id: str
    layer: str
    ops: tuple[str, ...]
    target: str

    def sentence(self) -> str:
        target = TARGETS[self.target]
        return f"{target.runtime} cannot run {', '.join(self.ops)}: {target.advice}"


_PROBES: dict[str, Callable[[keras.Model], list[str]]] = {
    "tflite": tflite_refusals,
    "onnx": lambda model: onnx_refusals(model, OPSET),
    "savedmodel": serving_refusals,
}
_cache: ProbeCache | None = None


def shared_cache() -> ProbeCache:
    """The process' cache of answers, backed by the user's cache folder."""
    global _cache
    if _cache is None:
        import tensorflow as tf

        _cache = ProbeCache(deploy_cache_path(tf.__version__))
    return _cache


def deployment_findings(project: Project, target: str, checker: ProjectChecker | None = None,
                        cache: ProbeCache | None = None) -> list[Finding]:
    """The layers of `project`'s main graph that `target` cannot run, in graph order (nodes that do not
    trace yet are skipped: the editor already marks them)."""
    if target not in TARGETS:
        raise ValueError(f"unknown deployment target {target!r}; choose one of {', '.join(TARGETS)}")
    report = (checker or ProjectChecker(project)).check()
    cache = cache or shared_cache()
    findings = []
    for node_id, call, _ in checked_calls(project, report.results):
        refused = layer_refusals(call, target, cache)
        if refused:
            findings.append(Finding(node_id, type(call.operation).__name__, tuple(refused), target))
    return findings


def layer_refusals(call: Any, target: str, cache: ProbeCache) -> list[str]:
    """The ops `target` refuses in one Keras call (a `keras` Node), from the cache or a probe."""
    inputs = list(call.input_tensors)
    if not inputs:  # an Input node: nothing to run
        return []
    layer = call.operation
    try:
        config = layer.get_config()
    except NotImplementedError:  # a layer without a config: probed every time, never filed
        config = None
    shapes = [(tuple(t.shape)[1:], str(t.dtype)) for t in inputs]
    key = probe_key(target, type(layer).__name__, config, shapes)
    known = cache.get(key) if config is not None else None
    if known is not None:
        return known
    try:
        model = keras.Model(inputs, list(call.output_tensors))
    except Exception:  # a call Keras cannot cut out of the graph: nothing is claimed about it
        return []
    refused = _PROBES[target](model)
    if config is not None:
        cache.put(key, refused)
    return refused
