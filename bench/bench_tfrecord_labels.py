"""The pass that finds every class label of a TFRecord target, against one plain read of the same file.

A classification target's labels are read from every record before training
(`training.datasets.tfrecord_labels`), so a file sorted by class gets all its
classes. Goals: the pass costs no more than one plain `tf.data` read of every
record with all its features parsed — what one epoch reads — (`pass_ratio`),
and the next run, which finds the labels in the cache, pays under 2 % of the
pass (`cached_ratio`). The file holds `--records` small `tf.train.Example`s
(4 floats and an int64 label), sorted by label (10 classes), as a user's files
often are; each figure is the best of `--repeats` runs in this process.

    python bench/bench_tfrecord_labels.py [--records 1000000] [--repeats 3] [--quick]
                                          [--goal pass_ratio=1.0] [--goal cached_ratio=0.02]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
import verdicts  # noqa: E402

GOALS = {"pass_ratio": 1.0, "cached_ratio": 0.02}
CLASSES = 10
VARIANTS = 50  # distinct records per class, written again and again: a big file in a second


def write_records(path: Path, records: int) -> None:
    """`records` examples sorted by label: the first tenth label 0, the next label 1, …"""
    import numpy as np
    import tensorflow as tf

    rng = np.random.default_rng(0)

    def example(label: int) -> bytes:
        x = tf.train.Feature(float_list=tf.train.FloatList(value=rng.normal(size=4).tolist()))
        y = tf.train.Feature(int64_list=tf.train.Int64List(value=[label]))
        return tf.train.Example(features=tf.train.Features(feature={"x": x, "y": y})).SerializeToString()

    made = [[example(label) for _ in range(VARIANTS)] for label in range(CLASSES)]
    with tf.io.TFRecordWriter(str(path)) as writer:
        for i in range(records):
            writer.write(made[i * CLASSES // records][i % VARIANTS])


def plain_read(path: Path) -> None:
    """Every record parsed with all its features, as a training epoch reads them."""
    import tensorflow as tf

    spec = {"x": tf.io.FixedLenFeature([4], tf.float32), "y": tf.io.FixedLenFeature([1], tf.int64)}
    for _ in (tf.data.TFRecordDataset(str(path), buffer_size=1 << 20).batch(1 << 16)
              .map(lambda r: tf.io.parse_example(r, spec), num_parallel_calls=tf.data.AUTOTUNE)
              .prefetch(tf.data.AUTOTUNE)):
        pass


def best(repeats: int, run: Callable[[], None]) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    verdicts.add_arguments(parser, "20 000 records, one repeat")
    args = parser.parse_args()
    judge = verdicts.Verdicts.from_args(args)
    records, repeats = (20_000, 1) if args.quick else (args.records, args.repeats)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ["CUDA_VISIBLE_DEVICES"] = ""
    with tempfile.TemporaryDirectory(prefix="bench-tfrecord-labels-") as folder:
        root = Path(folder)
        os.environ["XDG_CACHE_HOME"] = str(root / "cache")  # a cache of our own, emptied before each pass
        from netbuilder.training.datasets.tfrecord_labels import file_labels

        data = root / "sorted.tfrecord"
        write_records(data, records)
        mb = data.stat().st_size / 2**20
        plain_read(data)  # warm: the first tf.data pipeline of a process pays TensorFlow's start-up

        def label_pass() -> None:
            for entry in (root / "cache").rglob("*.json"):
                entry.unlink()
            labels = file_labels(data, "y", "int64")
            assert len(labels) == CLASSES, labels

        plain_s = best(repeats, lambda: plain_read(data))
        pass_s = best(repeats, label_pass)
        cached_s = best(repeats, lambda: file_labels(data, "y", "int64"))
        print(f"{records:,} records ({mb:,.0f} MB), {CLASSES} classes sorted: plain read of every record "
              f"{plain_s:.2f} s; label pass {pass_s:.2f} s ({records / pass_s / 1e6:.2f} M records/s); "
              f"next run, from the cache {cached_s * 1000:.2f} ms")
        print(f"  ratio label pass / plain read {pass_s / plain_s:.2f} "
              + judge.check("pass_ratio", pass_s / plain_s, GOALS["pass_ratio"]))
        print(f"  ratio cached / label pass {cached_s / pass_s:.5f} "
              + judge.check("cached_ratio", cached_s / pass_s, GOALS["cached_ratio"]))
    judge.finish()


if __name__ == "__main__":
    main()
