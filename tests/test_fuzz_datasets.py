"""A fuzzer for datasets: mutated CSV files, `.npz` archives, TFRecord files and images through the loaders the CLI and GUI use.

Every file is drawn by `hypothesis` (which shrinks a failure to its smallest
case): a plausible file built from cells, arrays or pixels, then maybe
damaged byte by byte (flips, cuts, insertions of troublesome tokens). Each
goes through `load_dataset` and `preview_dataset` (what `netbuilder train`,
the Training tab and its preview call), and a handful through
`netbuilder train` itself, in this process. The property, for every file:
it loads, or it is refused with a `DatasetError` whose one-line message names
the file, and nothing else escapes; nothing is written to stderr (neither
NumPy's warnings nor TensorFlow's), no Python warning is raised, and the
memory used stays within a bound set by the file's size, whatever its
headers claim. The quick run draws about 300 files; `-m slow` draws twenty
times as many, at random. Every case the fuzzer found is a plain regression
test in test_datasets_bad.py.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
import tracemalloc
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import keras  # noqa: F401  (imported before memory is measured: its import is not the loaders' use)
import numpy as np
import pytest
from data_files import array_bytes, bmp_bytes, npy_bytes, npz_bytes, png_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netbuilder.cli import main
from netbuilder.cli_common import printable
from netbuilder.training.datasets import DatasetError, DatasetSpec, load_dataset, preview_dataset

SCALES = [pytest.param(1, id="quick"), pytest.param(20, id="long", marks=pytest.mark.slow)]
MEMORY_FLOOR = 16 * 2**20  # bytes every load may use, whatever the file; beyond it, 64 times the file's size


def fuzz(examples: int, scale: int) -> Callable:
    """Hypothesis settings: deterministic in the quick run (the same cases each time), random in the long one."""
    return settings(max_examples=examples * scale, deadline=None, database=None, derandomize=scale == 1,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# -- watching what a load does beyond its result ---------------------------------------------------------------


class Watched:
    """What a block wrote to stderr (file descriptor 2 and sys.stderr), the warnings it raised, its peak memory."""

    stderr = ""
    warnings: list[str]
    peak_bytes = 0


@contextlib.contextmanager
def watched(measure_memory: bool = True) -> Iterator[Watched]:
    """Watch a block: its stderr goes to a file, not the terminal, so a stray word cannot hide among pytest's."""
    seen = Watched()
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink, warnings.catch_warnings(record=True) as caught, \
            contextlib.redirect_stderr(io.StringIO()) as python_stderr:
        warnings.simplefilter("always")
        # TensorFlow's tensors predate NumPy 2's copy keyword; pyproject.toml lets that one pass, and so does this.
        warnings.filterwarnings("ignore", "__array__ implementation doesn't accept a copy keyword", DeprecationWarning)
        os.dup2(sink.fileno(), 2)
        if measure_memory:
            tracemalloc.start()
        try:
            yield seen
        finally:
            if measure_memory:
                seen.peak_bytes = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            seen.stderr = sink.read().decode("utf-8", "replace") + python_stderr.getvalue()
            seen.warnings = [f"{w.category.__name__}: {w.message}" for w in caught]


def assert_clear(message: str, *names: str) -> None:
    """One printable line that names the file (or folder)."""
    assert any(name in message for name in names), message
    assert message.isprintable() and len(message) <= 600, message


def check_source(folder: Path, spec: DatasetSpec, names: tuple[str, ...], size: int, *, memory: bool = True,
                 **load: object) -> None:
    """The property, for one dataset: loads or a clear DatasetError, from load_dataset and preview_dataset alike."""
    for call in (lambda: load_dataset(spec, folder, input_names=["x"], output_names=["y"], **load),
                 lambda: preview_dataset(spec, folder)):
        with watched(memory) as seen:
            try:
                call()
            except DatasetError as exc:
                assert_clear(str(exc), *names)
        assert seen.stderr == "" and seen.warnings == [], (seen.stderr, seen.warnings)
        assert seen.peak_bytes <= MEMORY_FLOOR + 64 * size, seen.peak_bytes


# -- byte-level damage ---------------------------------------------------------------------------------------

TOKENS = [b"\x00", b"\xff", b"\xfe\xff", b"\xef\xbb\xbf", b'"', b",", b"\n", b"\r", b"\r\n", b"1e308", b"-1e39",
          b"nan", b"inf", b"\xe9", b"x" * 200_000, b"\x93NUMPY", b"PK\x03\x04", b"(10000000000000,)"]


@st.composite
def damaged(draw: st.DrawFn, content: bytes) -> bytes:
    """`content`, left as it is (more often than not) or damaged in up to three places."""
    for _ in range(draw(st.sampled_from([0, 0, 0, 0, 0, 1, 1, 2, 3]))):
        at = draw(st.integers(0, len(content)))
        kind = draw(st.sampled_from(["flip", "cut", "insert", "delete", "token"]))
        if kind == "flip" and at < len(content):
            content = content[:at] + bytes([content[at] ^ draw(st.integers(1, 255))]) + content[at + 1:]
        elif kind == "cut":
            content = content[:at]
        elif kind == "insert":
            content = content[:at] + draw(st.binary(min_size=1, max_size=8)) + content[at:]
        elif kind == "delete":
            content = content[:at] + content[at + draw(st.integers(1, 16)):]
        else:
            content = content[:at] + draw(st.sampled_from(TOKENS)) + content[at:]
    return content


# -- CSV files -------------------------------------------------------------------------------------------------

NUMBERS = st.one_of(st.integers(-100, 100).map(str), st.floats(-1e3, 1e3).map(repr))
CELLS = st.one_of(
    NUMBERS, NUMBERS, NUMBERS,
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**40, 10**40).map(str),
    st.sampled_from(["", "nan", "inf", "-inf", "1e308", "-1e39", "3.4e38", "Sun", "Sat", '"a,b"', " 7 ", "1_000",
                     "0x1F", "é", "\t", "NULL"]),
    st.text(max_size=6),
)
COLUMN_NAMES = st.one_of(st.sampled_from(["a", "b", "day", "a", "", "1", "x y", "é"]), st.text(max_size=4))
ENCODINGS = ["utf-8", "utf-8-sig", "latin-1", "utf-16", "cp1252"]


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[bytes, str]:
    """CSV bytes (cells of every kind, line by line in one or more encodings, maybe damaged) and a target column."""
    columns = [*draw(st.lists(COLUMN_NAMES, min_size=1, max_size=3, unique=draw(st.integers(0, 5)) > 0)), "t"]
    rows = draw(st.lists(st.lists(CELLS, min_size=len(columns), max_size=len(columns)),
                         min_size=draw(st.sampled_from([0, 1, 1, 1])), max_size=8))
    lines = [",".join(columns)] + [",".join(row) for row in rows]
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    encodings = ["utf-8"] if draw(st.integers(0, 3)) else draw(st.lists(st.sampled_from(ENCODINGS), min_size=1,
                                                                         max_size=2))
    content = b"".join((line + ending).encode(encodings[i % len(encodings)], "replace")
                       for i, line in enumerate(lines))
    return draw(damaged(content)), draw(st.sampled_from([*columns, "t", "t"]))


@pytest.mark.parametrize("scale", SCALES)
def test_csv_files_load_or_are_refused_by_name(scale):
    @fuzz(160, scale)
    @given(csv_files(), st.sampled_from([None, "classification", "regression"]), st.sampled_from(["onehot", "reject"]),
           st.sampled_from([0.0, 0.25]))
    def check(file, task, categorical, split):
        content, target = file
        with tempfile.TemporaryDirectory() as folder:
            Path(folder, "data.csv").write_bytes(content)
            spec = DatasetSpec("data.csv", target=[target], categorical=categorical)
            check_source(Path(folder), spec, ("data.csv",), len(content), task=task, validation_split=split)

    check()


@pytest.mark.parametrize("scale", SCALES)
def test_time_series_load_or_are_refused_by_name(scale):
    @fuzz(60, scale)
    @given(csv_files(), st.integers(1, 4), st.integers(1, 3), st.sampled_from([0.0, 0.25]))
    def check(file, window, horizon, split):
        content, target = file
        with tempfile.TemporaryDirectory() as folder:
            Path(folder, "series.csv").write_bytes(content)
            spec = DatasetSpec("series.csv", kind="timeseries", target=[target], window=window, horizon=horizon)
            check_source(Path(folder), spec, ("series.csv",), len(content), validation_split=split)

    check()


# Found by the long time-series run: a cell ending in a separator control character passed the scan as a number
# (NumPy's reader strips it) and TensorFlow's decode_csv refused it while the windows were read. Python's float()
# is as lenient with underscores and Unicode digits or spaces.
@pytest.mark.parametrize("cell", [b"-276401216898229280230604\x1c", b"\x1f5", b"1_000", "1\u00a0".encode(),
                                  "\u0661\u0662".encode()])
def test_a_cell_tensorflow_cannot_read_is_never_taken_for_a_number(cell, monkeypatch):
    content = b",t\r\n-10,1.57\r\n-100000000000000000," + cell + b"\r\n"
    monkeypatch.setenv("NETBUILDER_STREAM_CSV_MB", "0")  # the CSV too is read by decode_csv, as a big file is
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "series.csv").write_bytes(content)
        for spec in (DatasetSpec("series.csv", kind="timeseries", target=["t"], window=1, horizon=1),
                     DatasetSpec("series.csv", target=["t"])):
            check_source(Path(folder), spec, ("series.csv",), len(content), validation_split=0.0)


# Found by the long .npz run: a header whose descr is "," makes NumPy's dtype parser call ast.literal_eval,
# which raises SyntaxError rather than the ValueError of every other damaged header.
@pytest.mark.parametrize("streamed", [False, True])
def test_an_npy_header_with_a_descr_numpy_cannot_parse_is_named(streamed, monkeypatch):
    if streamed:
        monkeypatch.setenv("NETBUILDER_STREAM_NPZ_MB", "0")
    content = npz_bytes({"x.npy": npy_bytes({"descr": ",", "fortran_order": False, "shape": ()}, b""),
                         "y.npy": array_bytes(np.zeros(()))})
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "data.npz").write_bytes(content)
        with pytest.raises(DatasetError, match=r"data\.npz: array 'x' has a damaged \.npy header"):
            load_dataset(DatasetSpec("data.npz"), Path(folder), input_names=["x"], output_names=["y"])


TEXTS = st.one_of(st.text(max_size=40).map(lambda t: t.encode("utf-8")), st.binary(max_size=40),
                  st.sampled_from([b"", b"\xef\xbb\xbfhello", b"\xff\xfeh\x00i\x00", b"caf\xe9", b"\x00" * 8]))


@pytest.mark.parametrize("scale", SCALES)
def test_text_folders_load_or_name_the_bad_file(scale):
    @fuzz(60, scale)
    @given(st.dictionaries(st.sampled_from(["a", "b", ".hidden", "c d"]),
                           st.lists(st.tuples(st.sampled_from(["1.txt", "2.txt", "3.TXT", "x.md"]), TEXTS),
                                    max_size=3), max_size=3),
           st.sampled_from([0.0, 0.25]))
    def check(classes, split):
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder, "texts")
            root.mkdir()
            size = 0
            for name, files in classes.items():
                (root / name).mkdir()
                for file, content in files:
                    (root / name / file).write_bytes(content)
                    size += len(content)
            check_source(Path(folder), DatasetSpec("texts", kind="text"), ("texts",), size + 1024,
                         validation_split=split)

    check()


# -- .npz archives ----------------------------------------------------------------------------------------------

DTYPES = ["<f8", ">f8", "<f4", "<f2", "<i8", "<u1", "|b1", "<U3", "|S2", "<c8", "<M8[D]", "<f8", "<i8", "<f4"]
DESCRS = st.one_of(st.sampled_from([*DTYPES, "|O", "|V8", "<U0", "xyz", "[('a', '<f8')]"]),
                   st.text(st.characters(max_codepoint=255), max_size=6))  # .npy headers are Latin-1


@st.composite
def arrays(draw: st.DrawFn, rows: int) -> np.ndarray:
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    shape = (rows, *draw(st.lists(st.sampled_from([1, 2, 3, 1, 2, 3, 0]), max_size=draw(st.sampled_from([0, 1, 2])))))
    if dtype.kind in "fc":
        values = draw(st.lists(st.sampled_from([0.0, 1.5, -2.0, 1e308, -1e39, 3.4e38, np.nan, np.inf, 7.0]),
                               min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
        with np.errstate(over="ignore"):  # the fuzzer wants float16 and float32 overflows in the file too
            return np.array(values, dtype=np.float64).reshape(shape).astype(dtype)
    if dtype.kind in "iub":
        return (np.arange(int(np.prod(shape))) % 3).reshape(shape).astype(dtype)
    return np.full(shape, "ab", dtype=dtype) if dtype.kind in "US" else np.zeros(shape, dtype=dtype)


@st.composite
def npy_members(draw: st.DrawFn, rows: int) -> bytes:
    """One member: an array as np.save writes it, or a header that may lie (shape, dtype) over whatever data."""
    if draw(st.integers(0, 9)):
        return array_bytes(draw(arrays(rows)))
    shape = tuple(draw(st.lists(st.sampled_from([0, 1, 2, 3, 10**13, -1]), min_size=0, max_size=3)))
    header = {"descr": draw(DESCRS), "fortran_order": draw(st.booleans()), "shape": shape}
    return npy_bytes(header, draw(st.binary(max_size=64)))


@st.composite
def npz_files(draw: st.DrawFn) -> bytes:
    rows = draw(st.sampled_from([0, 1, 2, 4, 4, 4]))
    names = ["x", "y", *draw(st.sampled_from([[], [], ["z"]]))]
    if not draw(st.integers(0, 9)):
        names.remove(draw(st.sampled_from(names)))
    members = {f"{name}.npy": draw(npy_members(rows)) for name in names}
    if draw(st.integers(0, 9)) == 0:
        members["notes.txt"] = b"not an array"
    return draw(damaged(npz_bytes(members, compressed=draw(st.booleans()))))


@pytest.mark.parametrize("scale", SCALES)
def test_npz_files_load_or_are_refused_by_name(scale):
    @fuzz(105, scale)
    @given(npz_files(), st.sampled_from([None, "classification", "regression"]), st.sampled_from([0.0, 0.25]),
           st.booleans())
    def check(content, task, split, streamed):
        with tempfile.TemporaryDirectory() as folder, streaming_npz(streamed):
            Path(folder, "data.npz").write_bytes(content)
            check_source(Path(folder), DatasetSpec("data.npz"), ("data.npz",), len(content), task=task,
                         validation_split=split)

    check()


@contextlib.contextmanager
def streaming_npz(streamed: bool) -> Iterator[None]:
    """Archives read a slice at a time (the path for big ones) or whole, for the cases of one example."""
    from netbuilder.training.datasets.npz_stream import STREAM_ENV

    saved = os.environ.get(STREAM_ENV)
    os.environ[STREAM_ENV] = "0" if streamed else "1000"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(STREAM_ENV, None)
        else:
            os.environ[STREAM_ENV] = saved


# -- image folders ----------------------------------------------------------------------------------------------

PIXELS = np.arange(4 * 5 * 3, dtype=np.uint8).reshape(4, 5, 3) * 4
IMAGES = {"png": png_bytes(PIXELS), "bmp": bmp_bytes(PIXELS), "gray.png": png_bytes(PIXELS[..., :1]),
          "rgba.png": png_bytes(np.concatenate([PIXELS, PIXELS[..., :1]], axis=2))}


@pytest.mark.parametrize("scale", SCALES)
def test_image_folders_load_or_name_the_bad_image(scale):
    @fuzz(30, scale)
    @given(st.sampled_from(sorted(IMAGES)), st.data(), st.sampled_from(["grayscale", "rgb", "rgba"]))
    def check(kind, data, colour):
        content = data.draw(damaged(IMAGES[kind]))
        suffix = ".bmp" if kind == "bmp" else ".png"
        with tempfile.TemporaryDirectory() as folder:
            for label in ("cat", "dog"):
                Path(folder, "pics", label).mkdir(parents=True)
                Path(folder, "pics", label, "good.png").write_bytes(IMAGES["png"])
            Path(folder, "pics", "dog", f"odd{suffix}").write_bytes(content)
            spec = DatasetSpec("pics", image_size=(4, 4), color_mode=colour)
            check_source(Path(folder), spec, ("pics",), len(content), memory=False, validation_split=0.0)

    check()


# -- TFRecord files ----------------------------------------------------------------------------------------------

FEATURE_VALUES = st.one_of(
    st.lists(st.floats(width=32, allow_nan=True, allow_infinity=True), max_size=3).map(lambda v: ("float", v)),
    st.lists(st.integers(-2**63, 2**63 - 1), max_size=3).map(lambda v: ("int64", v)),
    st.lists(st.binary(max_size=4), max_size=2).map(lambda v: ("bytes", v)),
)


def _example(features: dict[str, tuple[str, list]]) -> bytes:
    """A `tf.train.Example` as its protocol buffer's wire format spells it (packed lists, as TensorFlow writes)."""
    def field(number: int, body: bytes) -> bytes:
        return _varint(number << 3 | 2) + _varint(len(body)) + body

    entries = b""
    for name, (kind, values) in features.items():
        if kind == "float":
            inner = field(2, field(1, np.asarray(values, "<f4").tobytes()))
        elif kind == "int64":
            inner = field(3, field(1, b"".join(_varint(v % 2**64) for v in values)))
        else:
            inner = field(1, b"".join(field(1, v) for v in values))
        entries += field(1, field(1, name.encode()) + field(2, inner))
    return field(1, entries)


def _varint(value: int) -> bytes:
    out = b""
    while True:
        out += bytes([(value & 0x7F) | (0x80 if value > 0x7F else 0)])
        value >>= 7
        if not value:
            return out


@st.composite
def tfrecord_files(draw: st.DrawFn) -> bytes:
    """Records of `x`, `y` and maybe other features (some records differing), framed as TFRecord, maybe damaged."""
    from netbuilder.training.datasets.tfrecord_format import masked_crc32c

    names = draw(st.sampled_from([["x", "y"], ["x", "y"], ["x", "y", "label"], ["x"], ["y", "z"]]))
    first = {name: draw(FEATURE_VALUES) for name in names}
    records = []
    for _ in range(draw(st.integers(0, 5))):
        same = draw(st.integers(0, 4))
        record = {name: (kind, draw(st.lists(st.just(1.0 if kind == "float" else 1 if kind == "int64" else b"a"),
                                             min_size=len(values), max_size=len(values))))
                  if same else draw(FEATURE_VALUES) for name, (kind, values) in first.items()}
        records.append(_example(record) if draw(st.integers(0, 9)) else draw(st.binary(max_size=12)))
    framed = b""
    for data in [_example(first), *records]:
        length = len(data).to_bytes(8, "little")
        framed += (length + masked_crc32c(length).to_bytes(4, "little") + data
                   + masked_crc32c(data).to_bytes(4, "little"))
    return draw(damaged(framed))


@pytest.mark.parametrize("scale", SCALES)
def test_tfrecord_files_load_or_are_refused_by_name(scale):
    @fuzz(60, scale)
    @given(tfrecord_files(), st.sampled_from([None, "classification", "regression"]), st.sampled_from([0.0, 0.25]))
    def check(content, task, split):
        with tempfile.TemporaryDirectory() as folder:
            Path(folder, "data.tfrecord").write_bytes(content)
            check_source(Path(folder), DatasetSpec("data.tfrecord"), ("data.tfrecord",), len(content), task=task,
                         validation_split=split)

    check()


# -- `netbuilder train`, in this process -------------------------------------------------------------------------

PROJECT = {"format": "netbuilder", "version": 1, "name": "fuzz",
           "graph": {"nodes": [{"id": "x", "layer": "Input", "config": {"shape": [1]}},
                               {"id": "y", "layer": "Dense", "config": {"units": 1}}],
                     "edges": [{"source": "x", "target": "y"}]}}


@pytest.mark.parametrize("scale", SCALES)
def test_netbuilder_train_exits_0_or_1_with_a_sentence(scale):
    rows = st.lists(st.tuples(CELLS, st.sampled_from(["1", "2", "0.5", "1e308", ""])), min_size=1, max_size=5)

    @fuzz(5, scale)
    @given(rows.map(lambda r: ("a,t\n" + "".join(f"{a},{t}\n" for a, t in r)).encode()).flatmap(damaged))
    def check(content):
        with tempfile.TemporaryDirectory() as folder:
            Path(folder, "data.csv").write_bytes(content)
            Path(folder, "p.nbproj").write_text(json.dumps(PROJECT), encoding="utf-8")
            argv = ["train", str(Path(folder, "p.nbproj")), "--data", str(Path(folder, "data.csv")), "--target", "t",
                    "--epochs", "1", "--batch-size", "4", "--validation-split", "0", "--out", str(Path(folder, "run"))]
            with watched(measure_memory=False) as seen, contextlib.redirect_stdout(io.StringIO()):
                code = main(argv)
        assert code in (0, 1) and seen.warnings == [], (code, seen.warnings)
        assert "Traceback" not in seen.stderr and "Warning" not in seen.stderr, seen.stderr
        if code == 1:
            assert seen.stderr.strip(), "exit 1 without a message"
            for line in seen.stderr.strip().splitlines():
                assert printable(line) == line, line  # what the command line promises of every line it prints
        else:
            assert seen.stderr == "", seen.stderr

    check()
