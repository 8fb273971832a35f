"""Re-checking NASNetMobile's graph after one new edge, vs checking it from scratch.

Goal (issue 2): re-validating after one new edge takes <= 20 ms median. Each
trial adds a node and the edge feeding it through undo-able commands, runs
the full check (structure, settings and shapes — shapes incrementally), and
undoes. The baseline printed beside it is a from-scratch check in the same run.

    python bench/bench_revalidate.py [--trials N] [--quick] [--goal recheck_ms=20]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import verdicts  # noqa: E402
from _common import application_file, application_name  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=50)
    verdicts.add_arguments(parser, "MobileNetV2, 3 trials")
    args = parser.parse_args()
    if args.quick:
        args.trials = 3
    judge = verdicts.Verdicts.from_args(args)

    from netbuilder.catalog import load_catalog
    from netbuilder.graph import AddNode, Compound, Connect, Edge, Node, UndoStack
    from netbuilder.keras_bridge import ProjectChecker, import_model_file

    catalog = load_catalog()
    name = application_name(args.quick)
    with tempfile.TemporaryDirectory() as tmp:
        project = import_model_file(application_file(Path(tmp), name), Path(tmp) / "nasnet.nbproj", catalog)
    graph = project.graph

    start = time.perf_counter()
    checker = ProjectChecker(project, catalog)
    report = checker.check()
    full = time.perf_counter() - start
    assert report.ok, report.problems[:3]

    rng = random.Random(0)
    sources = [n.id for n in graph.nodes if n.layer != "Input"]
    stack = UndoStack()
    times = []
    for i in range(args.trials):
        source = rng.choice(sources)
        node = Node(f"probe_{i}", "Activation", {"activation": "relu"})
        step = Compound("probe", [AddNode(graph, node), Connect(graph, Edge(source, node.id))])
        t0 = time.perf_counter()
        stack.push(step)
        report = checker.check()
        times.append(time.perf_counter() - t0)
        assert report.ok, report.problems[:3]
        stack.undo()
        checker.check()
    med = statistics.median(times)
    print(f"{name} graph: {len(graph)} nodes, {len(graph.edges)} edges, {args.trials} trials")
    print(f"  check from scratch (baseline)      {full * 1000:8.1f} ms")
    print(f"  re-check after one new edge median {med * 1000:8.1f} ms   {judge.check('recheck_ms', med * 1000, 20, ' ms')}")
    print(f"  ratio re-check / from scratch      {med / full:8.4f}")
    judge.finish()


if __name__ == "__main__":
    main()
