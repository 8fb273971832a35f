"""Big graphs (issue 13): load, save, automatic layout and the re-check after one edit, at several sizes.

For each shape of `big_graphs` (a chain, residual blocks, one Input fanned out
to N layers) and each size, in one run:

- load: `project_file.load` vs reading the same file with `json.loads` (the baseline);
- save: `project_file.save` (atomic, flushed to disk) vs `json.dumps` of the same
  document plus a plain write;
- layout: `layered_positions`, what Arrange Automatically and import use;
- re-check: like bench_revalidate, a node and the edge feeding it are added with
  undo-able commands, `ProjectChecker.check()` runs, and the edit is undone; the
  first, from-scratch check of the same project is printed beside it.

Goals at the largest size: load ≤ 10× `json.loads`; load and save linear (their
ratio to JSON grows at most 2× from the smallest size to the largest, which a
10× bigger graph makes 10× bigger); layout ≤ 1 s; re-check ≤ 20 ms median.

    python bench/bench_big_graph.py [--sizes 1000,3000,10000] [--shapes chain,residual,fan]
                                    [--trials N] [--quick] [--goal recheck_ms_fan=20]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent))
import verdicts  # noqa: E402
from _common import alternate  # noqa: E402
from big_graphs import SHAPES, write_big_project  # noqa: E402

GOALS = {"load_ratio": 10.0, "load_growth": 2.0, "save_growth": 2.0, "layout_s": 1.0, "recheck_ms": 20.0}


@contextmanager
def few_full_collections() -> Iterator[None]:
    """As the editor does around a big project's first check: no full collections while Keras
    makes thousands of layers, then what they made is frozen out of the collector's reach."""
    young, middle, old = gc.get_threshold()
    gc.set_threshold(young, middle, 1_000_000)
    try:
        yield
    finally:
        gc.freeze()
        gc.set_threshold(young, middle, old)


def freeze_what_lives() -> None:
    """Collect, then freeze every live object, as the editor does once TensorFlow has loaded.

    Without it, each full collection walks TensorFlow's hundreds of thousands of
    import-time objects, and whichever figure it lands in is off by 100 ms.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def file_figures(folder: Path, shape: str, size: int, repeats: int) -> dict[str, float]:
    """Load and save against plain JSON, and the layout, for one project file."""
    from netbuilder.graph import project_file
    from netbuilder.graph.layout import layered_positions

    path = write_big_project(folder / f"{shape}_{size}.nbproj", shape, size)
    load, json_load = alternate(lambda: project_file.load(path), lambda: json.loads(path.read_text("utf-8")), repeats)
    project = project_file.load(path)
    doc = project.to_dict()
    saved, plain = folder / "saved.nbproj", folder / "plain.nbproj"
    save, json_save = alternate(lambda: project_file.save(project, saved),
                                lambda: plain.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", "utf-8"),
                                repeats)
    layouts = []
    for _ in range(repeats):
        start = time.perf_counter()
        layered_positions(project.graph)
        layouts.append(time.perf_counter() - start)
    return {"load": load, "json_load": json_load, "save": save, "json_save": json_save,
            "layout": statistics.median(layouts)}


def check_figures(folder: Path, shape: str, size: int, trials: int, catalog: object) -> dict[str, float]:
    """The first check of the project, then the median re-check after one edit (and after its undo)."""
    from netbuilder.graph import AddNode, Compound, Connect, Edge, Node, UndoStack, project_file
    from netbuilder.keras_bridge import ProjectChecker

    project = project_file.load(folder / f"{shape}_{size}.nbproj")
    graph = project.graph
    start = time.perf_counter()
    checker = ProjectChecker(project, catalog)  # type: ignore[arg-type]
    with few_full_collections():
        report = checker.check()
    first = time.perf_counter() - start
    assert report.ok, report.problems[:3]
    rng = random.Random(0)
    sources = [n.id for n in graph.nodes if n.layer != "Input"]
    stack = UndoStack()
    edits, undos = [], []
    for i in range(trials):
        node = Node(f"probe_{i}", "Activation", {"activation": "relu"})
        step = Compound("probe", [AddNode(graph, node), Connect(graph, Edge(rng.choice(sources), node.id))])
        t0 = time.perf_counter()
        stack.push(step)
        report = checker.check()
        edits.append(time.perf_counter() - t0)
        assert report.ok, report.problems[:3]
        t0 = time.perf_counter()
        stack.undo()
        checker.check()
        undos.append(time.perf_counter() - t0)
    del checker, report, project
    freeze_what_lives()  # and lets the project's layers go
    return {"first_check": first, "recheck": statistics.median(edits), "undo": statistics.median(undos)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,3000,10000", help="layer counts, comma-separated")
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--trials", type=int, default=30, help="edits re-checked per project")
    parser.add_argument("--repeats", type=int, default=5, help="loads, saves and layouts timed per project")
    verdicts.add_arguments(parser, "sizes 100 and 300, 3 trials")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.trials, args.repeats = "100,300", 3, 2
    sizes = sorted(int(s) for s in args.sizes.split(","))
    shapes = [s for s in args.shapes.split(",") if s]
    judge = verdicts.Verdicts.from_args(args)

    from netbuilder.catalog import load_catalog

    catalog = load_catalog()
    freeze_what_lives()
    figures: dict[tuple[str, int], dict[str, float]] = {}
    print(f"{'shape':9} {'layers':>7} | {'load':>8} {'json':>8} {'ratio':>6} | {'save':>8} {'dumps+wr':>8} "
          f"{'ratio':>6} | {'layout':>8} | {'1st check':>9} {'re-check':>9} {'undo':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for shape in shapes:
            for size in sizes:
                figures[shape, size] = file_figures(Path(tmp), shape, size, args.repeats)
        for shape in shapes:
            for size in sizes:
                f = figures[shape, size]
                f.update(check_figures(Path(tmp), shape, size, args.trials, catalog))
                print(f"{shape:9} {size:>7,} | {f['load'] * 1e3:6.1f}ms {f['json_load'] * 1e3:6.1f}ms "
                      f"{f['load'] / f['json_load']:5.1f}x | {f['save'] * 1e3:6.1f}ms {f['json_save'] * 1e3:6.1f}ms "
                      f"{f['save'] / f['json_save']:5.1f}x | {f['layout'] * 1e3:6.0f}ms | {f['first_check']:8.1f}s "
                      f"{f['recheck'] * 1e3:7.2f}ms {f['undo'] * 1e3:6.2f}ms", flush=True)

    small, big = sizes[0], sizes[-1]
    print(f"\ngrowth from {small:,} to {big:,} layers ({big / small:g}x the layers):")
    for shape in shapes:
        a, b = figures[shape, small], figures[shape, big]
        print(f"  {shape:9} load {b['load'] / a['load']:5.1f}x  save {b['save'] / a['save']:5.1f}x  "
              f"layout {b['layout'] / a['layout']:5.1f}x  first check {b['first_check'] / a['first_check']:5.1f}x  "
              f"re-check {b['recheck'] / a['recheck']:4.1f}x")
    print(f"\nat {big:,} layers:")
    for shape in shapes:
        a, b = figures[shape, small], figures[shape, big]
        load_ratio = b["load"] / b["json_load"]
        load_growth = load_ratio / (a["load"] / a["json_load"])
        save_growth = (b["save"] / b["json_save"]) / (a["save"] / a["json_save"])
        for name, value, unit in (("load_ratio", load_ratio, "x"), ("load_growth", load_growth, "x"),
                                  ("save_growth", save_growth, "x"), ("layout_s", b["layout"], " s"),
                                  ("recheck_ms", b["recheck"] * 1e3, " ms")):
            goal = f"{name}_{shape}"
            print(f"  {goal:22} {value:8.3f}{unit:3} {judge.check(goal, value, GOALS[name], unit)}")
    judge.finish()


if __name__ == "__main__":
    main()
