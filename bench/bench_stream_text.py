"""Peak memory and time of `netbuilder train` streaming a folder of text files, against plain Keras streaming it.

Goal: a text folder of any number of documents trains in bounded memory.
netbuilder's peak resident size on the largest folder must stay within 1.15×
of that on the smallest (`rss_growth`) and within 1.2× of a hand-written Keras
script that streams the same folder with `text_dataset_from_directory`
(`rss_ratio`); the whole process within 1.1× of that script (`time_ratio`).
Both sides do the same work: adapt a `TextVectorization` (2,000 tokens, 32 per
document) on the documents in one pass, then train one epoch of Embedding →
GlobalAveragePooling1D → Dense (Adam, sparse categorical cross-entropy, batch
32, no validation) in fresh processes; netbuilder also checks every file is
UTF-8 first, and its cache of adapted vocabularies is removed before each run
so it adapts every time. Each folder holds documents of 60 pseudo-words in 4
class folders (written once, cached under the system's temporary folder).
Each side runs `--repeats` times, alternating, and the least time and memory
count; a process's peak RSS is what the kernel reports for it (`os.wait4`).

    python bench/bench_stream_text.py [--sizes 2000,20000] [--repeats 3] [--quick]
                                      [--goal rss_growth=1.15] [--goal rss_ratio=1.2] [--goal time_ratio=1.1]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
import verdicts  # noqa: E402
from versus_plain import QUIET, best_runs, report, report_growth  # noqa: E402

CLASSES, WORDS, BATCH, TOKENS, LENGTH = 4, 60, 32, 2000, 32
CACHE = Path(tempfile.gettempdir()) / "netbuilder-bench-text"

PLAIN_KERAS = """\
import sys, time
import keras

folder, batch, classes, tokens, length = sys.argv[1], *map(int, sys.argv[2:6])
keras.utils.set_random_seed(1)
data = keras.utils.text_dataset_from_directory(folder, batch_size=batch, seed=1, verbose=False)
vectorize = keras.layers.TextVectorization(max_tokens=tokens, output_sequence_length=length)
vectorize.adapt(data.map(lambda x, y: x))
inputs = keras.Input(shape=(1,), dtype="string", name="text")
h = vectorize(inputs)
h = keras.layers.Embedding(tokens, 16)(h)
h = keras.layers.GlobalAveragePooling1D()(h)
model = keras.Model(inputs, keras.layers.Dense(classes, activation="softmax")(h))
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
start = time.perf_counter()
model.fit(data.map(lambda x, y: (keras.ops.reshape(x, (-1, 1)), y)), epochs=1, verbose=0)
print(f"fit_seconds {time.perf_counter() - start:.4f}")
"""


def text_folder(count: int) -> Path:
    """A cached folder of `count` documents in CLASSES class folders; each class favours words of its own."""
    import numpy as np

    folder = CACHE / f"text_{count}"
    done = folder / ".complete"
    if done.exists():
        return folder
    rng = np.random.default_rng(0)
    vocabulary = np.array([f"w{i}" for i in range(3000)])
    for label in range(CLASSES):
        (folder / f"class_{label}").mkdir(parents=True, exist_ok=True)
        favoured = vocabulary[label * 200:(label + 1) * 200]
        for i in range(count // CLASSES):
            words = np.where(rng.random(WORDS) < 0.3, rng.choice(favoured, WORDS), rng.choice(vocabulary, WORDS))
            (folder / f"class_{label}" / f"{i:06d}.txt").write_text(" ".join(words) + "\n", encoding="utf-8")
    done.touch()
    return folder


def write_project(path: Path, folder: Path) -> None:
    layers = [("words", "TextVectorization", {"max_tokens": TOKENS, "output_sequence_length": LENGTH}),
              ("embed", "Embedding", {"input_dim": TOKENS, "output_dim": 16}),
              ("pool", "GlobalAveragePooling1D", {}),
              ("label", "Dense", {"units": CLASSES, "activation": "softmax"})]
    nodes = [{"id": "text", "layer": "Input", "config": {"shape": [1], "dtype": "string", "name": "text"}}]
    nodes += [{"id": i, "layer": layer, "config": config} for i, layer, config in layers]
    path.write_text(json.dumps({
        "format": "netbuilder", "version": 1, "name": path.stem,
        "graph": {"nodes": nodes, "edges": [{"source": a["id"], "target": b["id"]} for a, b in zip(nodes, nodes[1:])]},
        "dataset": {"source": str(folder)},
        "training": {"epochs": 1, "batch_size": BATCH, "validation_split": 0, "optimizer": "adam",
                     "loss": "sparse_categorical_crossentropy", "metrics": [], "seed": 1},
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,20000", help="documents in each folder, comma-separated")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each side per size (1 with --quick)")
    verdicts.add_arguments(parser, "one folder of 100 documents, 1 run")
    args = parser.parse_args()
    judge = verdicts.Verdicts.from_args(args)
    sizes = [100] if args.quick else [int(s) for s in args.sizes.split(",")]
    env = {**os.environ, **QUIET}
    peaks: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-text-") as work:
        root = Path(work)
        script = root / "plain_text.py"
        script.write_text(PLAIN_KERAS)
        for count in sizes:
            folder = text_folder(count)
            project = root / f"text_{count}.nbproj"
            write_project(project, folder)
            cache = project.with_name(project.stem + ".adapted.json")
            ours, plain = best_runs([sys.executable, "-m", "netbuilder", "train", str(project)],
                                    [sys.executable, str(script), str(folder), str(BATCH), str(CLASSES), str(TOKENS),
                                     str(LENGTH)],
                                    root / f"runs_{count}", env, 1 if args.quick else args.repeats,
                                    before_ours=lambda: cache.unlink(missing_ok=True))  # adapt every run
            peaks.append(ours.mb)
            report(judge, f"{count:>7,} documents", ours, "plain text_dataset_from_directory", plain, "plain")
    report_growth(judge, peaks, "largest / smallest folder")
    judge.finish()


if __name__ == "__main__":
    main()
