"""Peak memory and time of `netbuilder train` streaming a folder of images, against plain Keras streaming it.

Goal: a folder of any number of images trains in bounded memory. netbuilder's
peak resident size on the largest folder must stay within 1.15× of that on
the smallest (`rss_growth`) and within 1.2× of a hand-written Keras script
that streams the same folder with `image_dataset_from_directory`
(`rss_ratio`); the whole process, listing and checking the files included,
within 1.1× of that script (`time_ratio`). Each size gets a folder of 64×64
RGB PNGs in 10 class folders (written once and cached under the system's
temporary folder, since 20,000 files take a while); both sides train one
epoch of the same small CNN (Adam, sparse categorical cross-entropy, batch
32, no validation) in fresh processes, and a process's peak RSS is what the
kernel reports for it (`os.wait4`). Each side runs `--repeats` times,
alternating, and the least time and memory count: on a busy machine a single
run of a few seconds says more about its neighbours than about itself.

    python bench/bench_stream_images.py [--sizes 2000,20000] [--repeats 3] [--quick]
                                        [--goal rss_growth=1.15] [--goal rss_ratio=1.2] [--goal time_ratio=1.1]
"""

from __future__ import annotations

import argparse
import json
import os
import struct
import sys
import tempfile
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
import verdicts  # noqa: E402
from versus_plain import QUIET, best_runs, report, report_growth  # noqa: E402

SIDE, CLASSES, BATCH = 64, 10, 32
DISTINCT = 40  # different images per class; the folder repeats them under other names
CACHE = Path(tempfile.gettempdir()) / "netbuilder-bench-images"

PLAIN_KERAS = """\
import sys, time
import keras

folder, side, batch, classes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
keras.utils.set_random_seed(1)
data = keras.utils.image_dataset_from_directory(folder, image_size=(side, side), batch_size=batch, seed=1,
                                                verbose=False)
inputs = keras.Input(shape=(side, side, 3), name="image")
h = keras.layers.Rescaling(1 / 255)(inputs)
h = keras.layers.Conv2D(16, 3, activation="relu")(h)
h = keras.layers.MaxPooling2D()(h)
h = keras.layers.Conv2D(32, 3, activation="relu")(h)
h = keras.layers.GlobalAveragePooling2D()(h)
model = keras.Model(inputs, keras.layers.Dense(classes, activation="softmax")(h))
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
start = time.perf_counter()
model.fit(data, epochs=1, verbose=0)
print(f"fit_seconds {time.perf_counter() - start:.4f}")
"""


def png(pixels: bytes, side: int) -> bytes:
    """An RGB PNG of `side`×`side` pixels, encoded with zlib: no imaging library needed."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\0" + pixels[y * side * 3:(y + 1) * side * 3] for y in range(side))
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b"")


def image_folder(count: int) -> Path:
    """A cached folder of `count` PNGs in CLASSES class folders; each class a colour, each image its own noise."""
    import numpy as np

    folder = CACHE / f"images_{count}"
    done = folder / ".complete"
    if done.exists():
        return folder
    rng = np.random.default_rng(0)
    for label in range(CLASSES):
        base = np.array([label * 25, 255 - label * 25, (label * 70) % 256], np.int16)
        encoded = [png(np.clip(base + rng.normal(0, 30, (SIDE, SIDE, 3)), 0, 255).astype(np.uint8).tobytes(), SIDE)
                   for _ in range(DISTINCT)]
        (folder / f"class_{label}").mkdir(parents=True, exist_ok=True)
        for i in range(count // CLASSES):
            (folder / f"class_{label}" / f"{i:06d}.png").write_bytes(encoded[i % DISTINCT])
    done.touch()
    return folder


def write_project(path: Path, folder: Path) -> None:
    layers = [("rescale", "Rescaling", {"scale": 1 / 255}),
              ("conv1", "Conv2D", {"filters": 16, "kernel_size": [3, 3], "activation": "relu"}),
              ("pool", "MaxPooling2D", {}),
              ("conv2", "Conv2D", {"filters": 32, "kernel_size": [3, 3], "activation": "relu"}),
              ("gap", "GlobalAveragePooling2D", {}),
              ("label", "Dense", {"units": CLASSES, "activation": "softmax"})]
    nodes = [{"id": "image", "layer": "Input", "config": {"shape": [SIDE, SIDE, 3], "name": "image"}}]
    nodes += [{"id": i, "layer": layer, "config": config} for i, layer, config in layers]
    path.write_text(json.dumps({
        "format": "netbuilder", "version": 1, "name": "images",
        "graph": {"nodes": nodes, "edges": [{"source": a["id"], "target": b["id"]} for a, b in zip(nodes, nodes[1:])]},
        "dataset": {"source": str(folder), "image_size": [SIDE, SIDE], "color_mode": "rgb"},
        "training": {"epochs": 1, "batch_size": BATCH, "validation_split": 0, "optimizer": "adam",
                     "loss": "sparse_categorical_crossentropy", "metrics": [], "seed": 1},
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,20000", help="images in each folder, comma-separated")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each side per size (1 with --quick)")
    verdicts.add_arguments(parser, "one folder of 100 images, 1 run")
    args = parser.parse_args()
    judge = verdicts.Verdicts.from_args(args)
    sizes = [100] if args.quick else [int(s) for s in args.sizes.split(",")]
    env = {**os.environ, **QUIET,
           # the quick folder is below the size netbuilder streams from; make it stream too
           **({"NETBUILDER_STREAM_IMAGES": "0"} if args.quick else {})}
    peaks: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-images-") as work:
        root = Path(work)
        script = root / "plain_images.py"
        script.write_text(PLAIN_KERAS)
        for count in sizes:
            folder = image_folder(count)
            project = root / f"images_{count}.nbproj"
            write_project(project, folder)
            ours, plain = best_runs([sys.executable, "-m", "netbuilder", "train", str(project)],
                                    [sys.executable, str(script), str(folder), str(SIDE), str(BATCH), str(CLASSES)],
                                    root / f"runs_{count}", env, 1 if args.quick else args.repeats)
            peaks.append(ours.mb)
            report(judge, f"{count:>7,} images", ours, "plain image_dataset_from_directory", plain, "plain")
    report_growth(judge, peaks, "largest / smallest folder")
    judge.finish()


if __name__ == "__main__":
    main()
