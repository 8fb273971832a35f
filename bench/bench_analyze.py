"""Costing every layer of NASNetMobile (771 layers), and costing it again after one edit.

Goals (issue 18): the analysis of NASNetMobile's project — parameters, MACs,
FLOPs and bytes of every layer, from the layers the editor's checker already
built — takes <= 0.5 s median (`analyze_s`), and after one edit (one layer's
config changed, the project re-checked as the editor does) analysing again
with the kept `Analysis`, which re-costs only what changed, takes <= 20 ms
median (`reanalyze_ms`). The baseline printed beside the first is building the
same model with Keras (`keras.applications.NASNetMobile(weights=None)`),
timed turn about with the analysis in the same run; the re-check after each
edit is printed too, but it is the checker's work, not the analysis'.

    python bench/bench_analyze.py [--repeats N] [--edits N] [--quick]
                                  [--goal analyze_s=0.5] [--goal reanalyze_ms=20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import verdicts  # noqa: E402
from _common import alternate  # noqa: E402

GOALS = {"analyze_s": 0.5, "reanalyze_ms": 20.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="analyses and Keras builds, timed turn about")
    parser.add_argument("--edits", type=int, default=20, help="edits, each followed by a re-check and a re-analysis")
    verdicts.add_arguments(parser, "MobileNetV2, 1 repeat, 3 edits")
    args = parser.parse_args()
    if args.quick:
        args.repeats, args.edits = 1, 3
    judge = verdicts.Verdicts.from_args(args)

    import keras

    from netbuilder.graph import SetConfig
    from netbuilder.keras_bridge.checks import ProjectChecker
    from netbuilder.keras_bridge.cost_project import checked_calls
    from netbuilder.keras_bridge.importer import model_to_project
    from netbuilder.keras_bridge.layer_cost import Analysis, table

    make = keras.applications.MobileNetV2 if args.quick else keras.applications.NASNetMobile
    source = make(weights=None)
    project, _ = model_to_project(source)
    checker = ProjectChecker(project)
    report = checker.check()
    assert report.ok, report.problems[:3]

    def analyse() -> None:
        Analysis().of_calls(checked_calls(project, report.results))

    start = time.perf_counter()
    analyse()
    cold = time.perf_counter() - start
    build_s, analyse_s = alternate(lambda: make(weights=None), analyse, args.repeats)
    print(f"{source.name}: {len(project.graph)} layers, {source.count_params():,} parameters")
    print(f"keras build median {build_s:.2f} s; analysis median {analyse_s * 1000:.1f} ms "
          f"(first, cold {cold * 1000:.1f} ms)")
    print(f"ratio analysis / keras build {analyse_s / build_s:.4f}")
    print(f"analysis median {analyse_s:.3f} s " + judge.check("analyze_s", analyse_s, GOALS["analyze_s"], " s"))

    # One edit at a time, as a user makes them: a convolution in the middle of the network gains a bias, loses it.
    graph = project.graph
    convolutions = [n for n in graph.nodes if n.layer == "Conv2D"]
    node = convolutions[len(convolutions) // 2]
    analysis = Analysis()
    analysis.of_calls(checked_calls(project, report.results))
    rechecks, reanalyses = [], []
    for i in range(args.edits):
        config = {**node.config, "use_bias": i % 2 == 0}
        start = time.perf_counter()
        SetConfig(graph, node.id, config).redo()
        report = checker.check()
        assert report.ok
        middle = time.perf_counter()
        costs = analysis.of_calls(checked_calls(project, report.results))
        end = time.perf_counter()
        rechecks.append(middle - start)
        reanalyses.append(end - middle)
    fresh = table(Analysis().of_calls(checked_calls(project, report.results))).total
    assert table(costs).total == fresh, "re-analysis and a fresh analysis disagree"
    recheck_ms = statistics.median(rechecks) * 1000
    reanalyse_ms = statistics.median(reanalyses) * 1000
    print(f"re-check after one edit median {recheck_ms:.1f} ms (the editor's checker; not part of the analysis)")
    print(f"re-analysis after one edit median {reanalyse_ms:.1f} ms "
          + judge.check("reanalyze_ms", reanalyse_ms, GOALS["reanalyze_ms"], " ms"))
    judge.finish()


if __name__ == "__main__":
    main()
