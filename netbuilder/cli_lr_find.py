"""`netbuilder lr-find`: the learning-rate range test of a project, as a sparse table or as JSON.

The project's training settings and dataset are used as `netbuilder train`
uses them (`--data` and `--target` override the dataset); the model trains
for at most `--steps` batches while the learning rate rises from `--min` to
`--max`, and nothing is written: the trained weights are thrown away (see
`training.lr_finder`, which also says how the suggestion is chosen).
"""

from __future__ import annotations

import argparse
import json
import sys

from netbuilder.cli_common import OK, CommandError, load_project, say

ROWS = 20  # lines of the printed table, at most: enough to see the curve's shape


def add_lr_find_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `lr-find` among the subcommands of `netbuilder`."""
    from netbuilder.training.lr_finder import MAX_LR, MIN_LR, STEPS

    p = sub.add_parser("lr-find", help="try learning rates from low to high and suggest one",
                       description="Leslie Smith's range test: train briefly while the learning rate rises "
                                   "exponentially, print the loss against it and suggest a learning rate "
                                   "(a tenth of the one at the lowest smoothed loss). Nothing is saved.")
    p.add_argument("project", help="a .nbproj file")
    p.add_argument("--data", help="a .csv or .npz file, a folder of images in class sub-folders, or bundled:NAME")
    p.add_argument("--target", help="the target column(s), comma-separated")
    p.add_argument("--min", type=float, default=MIN_LR, dest="min_lr", metavar="LR", help=f"the first learning rate (default {MIN_LR:g})")
    p.add_argument("--max", type=float, default=MAX_LR, dest="max_lr", metavar="LR", help=f"the last learning rate (default {MAX_LR:g})")
    p.add_argument("--steps", type=int, default=STEPS, metavar="N", help=f"batches to train, at most (default {STEPS})")
    p.add_argument("--json", action="store_true", help='print {"suggested": x, "lrs": [...], "losses": [...]}')
    p.set_defaults(run=cmd_lr_find)


def cmd_lr_find(args: argparse.Namespace) -> int:
    from netbuilder.cli_train import _check_names, _train_dataset
    from netbuilder.training.lr_finder import LearningRateFinder, range_problems, smoothed
    from netbuilder.training.settings import SettingsError, TrainingSettings

    problems = range_problems(args.min_lr, args.max_lr, args.steps)
    if problems:
        raise CommandError([f"lr-find: {p}" for p in problems])
    project = load_project(args.project)
    try:
        settings = TrainingSettings.from_section(project.sections.get("training"))
    except SettingsError as exc:
        raise CommandError([f"{args.project}: training.{p}" for p in exc.problems]) from None
    spec = _train_dataset(project, args)
    _check_names(settings)
    finder = LearningRateFinder(project, spec, settings, min_lr=args.min_lr, max_lr=args.max_lr,
                                steps=args.steps, queue_events=False)
    result = finder.run()
    found = finder.found
    if result.status != "completed" or found is None:
        raise CommandError([result.message])
    if args.json:
        sys.stdout.write(json.dumps(found.as_json()) + "\n")
        return OK
    curve = smoothed(found.losses)
    every = max(1, -(-len(found.lrs) // ROWS))
    rows = sorted({*range(0, len(found.lrs), every), len(found.lrs) - 1})
    say(f"{'learning rate':>13}  {'loss':>10}  {'smoothed':>10}")
    for i in rows:
        say(f"{found.lrs[i]:>13.3g}  {found.losses[i]:>10.4g}  {curve[i]:>10.4g}")
    say(result.message)
    return OK
