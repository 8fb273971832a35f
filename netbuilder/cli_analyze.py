"""`netbuilder analyze`: what each layer of a project's model costs, as a table or as JSON.

One row per layer (name, class, output shape, parameters, MACs, FLOPs,
weight and activation bytes), the totals last; `--json` prints the numbers
as plain integers for scripts. Figures are for one sample unless
`--batch-size` is given, in float32 unless `--dtype` says otherwise (see
`keras_bridge.layer_cost`). Nothing is trained or run: the costs come from
the graph.
"""

from __future__ import annotations

import argparse
import json
import sys

from netbuilder.cli_common import OK, load_project, say


def add_analyze_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `analyze` among the subcommands of `netbuilder`."""
    p = sub.add_parser("analyze", help="per-layer parameters, MACs, FLOPs, weight and activation bytes",
                       description="What each layer of the model costs, computed from the graph (nothing is "
                                   "trained or run). FLOPs are counted as TensorFlow's profiler counts them: "
                                   "a multiply-accumulate is 2 FLOPs.")
    p.add_argument("project", help="a .nbproj file")
    p.add_argument("--batch-size", type=_positive, default=1, metavar="N",
                   help="MACs, FLOPs and activation bytes for a batch of N samples (default: 1)")
    p.add_argument("--dtype", choices=("float32", "mixed_float16", "int8"), default="float32",
                   help="the bytes per weight and activation (mixed_float16 keeps float32 weights)")
    p.add_argument("--json", action="store_true", help='print {"layers": [...], "total": {...}} instead of a table')
    p.set_defaults(run=cmd_analyze)


def cmd_analyze(args: argparse.Namespace) -> int:
    from netbuilder.keras_bridge.cost_project import project_costs
    from netbuilder.keras_bridge.layer_cost import table

    layers = project_costs(load_project(args.project))
    for cost in layers:
        if cost.note:
            say(f"note: {cost.name}: {cost.note}", file=sys.stderr)
    costs = table(layers, args.batch_size, args.dtype)
    if args.json:
        sys.stdout.write(json.dumps(costs.as_json(), indent=1) + "\n")
        return OK
    header = ("layer", "class", "output shape", "params", "MACs", "FLOPs", "weights", "activations")
    lines = [[row.name, row.cls, ", ".join(_shape(s) for s in row.output_shapes), f"{row.params:,}",
              f"{row.macs:,}", f"{row.flops:,}", _bytes(row.weight_bytes), _bytes(row.activation_bytes)]
             for row in costs.rows]
    total = costs.total
    lines.append(["total", "", "", f"{total['params']:,}", _count(total["macs"]), _count(total["flops"]),
                  _bytes(total["weight_bytes"]), _bytes(total["activation_bytes"])])
    widths = [max(len(str(cells[i])) for cells in [header, *lines]) for i in range(len(header))]
    rule = "  ".join("-" * w for w in widths)
    for i, cells in enumerate([header, *lines]):
        if i in (1, len(lines)):
            say(rule)
        say("  ".join(c.ljust(w) if j < 3 else c.rjust(w) for j, (c, w) in enumerate(zip(cells, widths))).rstrip())
    trainable = total["trainable_params"]
    say(f"{total['params']:,} parameters ({trainable:,} trainable, {total['params'] - trainable:,} not); "
        f"{_count(total['macs'])}MACs, {_count(total['flops'])}FLOPs for a batch of {args.batch_size} "
        f"in {args.dtype}")
    return OK


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def _shape(shape: tuple[int | None, ...]) -> str:
    return "(" + ", ".join("?" if d is None else str(d) for d in shape) + ")"


def _count(value: int) -> str:
    """`value` with an SI prefix: 1.15 G, 301 M, 22.7 k (three significant figures)."""
    for factor, prefix in ((10**12, "T"), (10**9, "G"), (10**6, "M"), (10**3, "k")):
        if value >= factor:
            return f"{value / factor:.3g} {prefix}"
    return f"{value} "


def _bytes(value: int) -> str:
    for factor, unit in ((2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")):
        if value >= factor:
            return f"{value / factor:.3g} {unit}"
    return f"{value} B"
