"""Bad datasets get one clear message naming the file and the culprit (column, row, value, key),
as a DatasetError the GUI and the command line show as it is — never a traceback."""

import numpy as np
import pytest
from data_files import array_bytes, bmp_bytes, npy_bytes, npz_bytes, png_bytes

from netbuilder.training.datasets import DatasetError, DatasetSpec, load_dataset, preview_dataset


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def message(spec, base_dir, *, inputs=("x",), outputs=("y",), **kw):
    with pytest.raises(DatasetError) as caught:
        load_dataset(spec, base_dir, input_names=list(inputs), output_names=list(outputs), **kw)
    return str(caught.value)


TIPS_HEAD = "total_bill,tip,day\n16.99,1.01,Sun\n10.34,1.66,Sat\n21.01,3.5,Sun\n"

CSV_CASES = {
    "missing file": ("", {"source": "nope.csv"}, "nope.csv: no such file"),
    "empty file": ("", {}, "t.csv: the file is empty; a CSV file needs a header row"),
    "blank lines only": ("\n\n", {}, "t.csv: the file is empty"),
    "header only": ("a,b\n", {}, "t.csv: has a header but no rows of data"),
    "no header": ("1,2\n3,4\n", {}, "t.csv: the first row (1, 2) holds numbers, not column names"),
    "same name twice": ("a,b,a\n1,2,3\n", {}, "the header names column 'a' twice (columns 1 and 3)"),
    "text refused": (TIPS_HEAD, {"target": ["tip"], "categorical": "reject"},
                     "t.csv: column 'day' holds text ('Sun' in row 2); text columns are refused"),
    "text among numbers": ("a,t\n1,1\n2,1\n3o,1\n4,1\n", {"target": ["t"]},
                           "t.csv: column 'a' holds text ('3o' in row 4) among numbers; fix that cell"),
    "NaN": ("a,t\n1,1\nnan,2\n", {"target": ["t"]}, "t.csv: column 'a' has no value (empty or NaN) in row 3"),
    "empty numeric cell": ("a,t\n1,1\n2,2\n,3\n", {"target": ["t"]},
                           "t.csv: column 'a' has no value (empty or NaN) in row 4"),
    "infinity": ("a,t\n1,1\ninf,2\n", {"target": ["t"]}, "t.csv: column 'a' holds an infinite value in row 3"),
    "empty target cell": ("a,t\n1,1\n2,\n", {"target": ["t"]}, "column 't' has no value (empty or NaN) in row 3"),
    "empty text cell": ("d,t\nSun,1\n,2\n", {"target": ["t"]}, "t.csv: column 'd' is empty in row 3"),
    "too many fields": ("a,b,t\n1,2,3\n4,5,6,7\n", {"target": ["t"]},
                        "t.csv: row 3 has 4 fields, but the header names 3 columns"),
    "too few fields": ("a,b,t\n1,2,3\n\n4,5\n", {"target": ["t"]},
                       "t.csv: row 4 has 2 fields, but the header names 3 columns"),
    "no such target": (TIPS_HEAD, {"target": ["tips"]},
                       "t.csv: no column 'tips' (for the target); the columns of t.csv: total_bill, tip, day"),
    "no such feature": (TIPS_HEAD, {"target": ["tip"], "inputs": {"x": ["total_bill", "party"]}},
                        "t.csv: no column 'party' (for the input 'x'); the columns of t.csv: total_bill, tip, day"),
    "no target": (TIPS_HEAD, {}, "t.csv: no target chosen; pick what to predict from the columns of t.csv"),
    "target fed as a feature": (TIPS_HEAD, {"target": ["tip"], "inputs": {"x": ["tip", "day"]}},
                                "column 'tip' is both a target and a feature of input 'x'"),
    "nothing left to feed": ("t\n1\n2\n", {"target": ["t"]}, "no feature columns feed input 'x'"),
    "text regression target": (TIPS_HEAD, {"target": ["day"]}, None),
    "fractional class label": ("a,t\n1,1\n2,1.5\n", {"target": ["t"]}, None),
    "two-column class label": ("a,b,c\nx,y,1\nz,w,2\n", {"target": ["a", "b"]},
                               "a class label is one column, but output 'y' has 2 (a, b)"),
    "identifier column": ("id,t\n" + "".join(f"u{i},{i}\n" for i in range(60)), {"target": ["t"]},
                          "column 'id' holds text with 60 different values, too many to one-hot encode"),
    "not UTF-8": (None, {"target": ["t"]}, "t.csv: line 2 is not UTF-8 text (byte 0xff); save the file as UTF-8 "
                                           "(is it really a CSV file?)"),
}


@pytest.mark.parametrize("case", sorted(CSV_CASES))
def test_each_bad_csv_file_gets_its_message(tmp_path, case):
    text, fields, expected = CSV_CASES[case]
    if text is None:
        (tmp_path / "t.csv").write_bytes(b"a,t\n\xff\xfe,1\n")
    else:
        write(tmp_path, "t.csv", text)
    kw = {"task": "regression"} if case == "text regression target" else {}
    kw = {"task": "classification"} if case == "fractional class label" else kw
    expected = expected or {
        "text regression target": "t.csv: target column 'day' holds text ('Sun' in row 2); a regression target "
                                  "must be numbers",
        "fractional class label": "t.csv: column 't' holds 1.5 in row 3, which is not a whole-number class label",
    }[case]
    found = message(DatasetSpec(**{"source": "t.csv", **fields}), tmp_path, validation_split=0, **kw)
    assert expected in found


def test_a_folder_where_a_csv_file_was_expected(tmp_path):
    (tmp_path / "data.csv").mkdir()
    assert message(DatasetSpec("data.csv", target=["t"]), tmp_path).endswith("data.csv: is a folder, expected a CSV file")
    (tmp_path / "table").mkdir()
    assert "table: is a folder, expected a CSV file" in message(DatasetSpec("table", kind="csv"), tmp_path)


def test_a_validation_file_with_other_columns(tmp_path):
    write(tmp_path, "train.csv", "a,b,t\n1,2,3\n")
    write(tmp_path, "val.csv", "a,c,t\n1,2,3\n")
    found = message(DatasetSpec("train.csv", target=["t"], validation_file="val.csv"), tmp_path)
    assert found == "val.csv: the validation file's columns differ from train.csv's: it lacks b; it has c besides"


def test_a_validation_file_with_text_where_training_has_numbers(tmp_path):
    write(tmp_path, "train.csv", "a,t\n1,3\n")
    write(tmp_path, "val.csv", "a,t\nbig,3\n")
    found = message(DatasetSpec("train.csv", target=["t"], validation_file="val.csv"), tmp_path)
    assert found == "column 'a' holds text in val.csv but only numbers in train.csv; both files must hold the same kind of values"


def test_a_model_with_several_inputs_needs_a_mapping(tmp_path):
    write(tmp_path, "t.csv", "a,b,t\n1,2,3\n")
    found = message(DatasetSpec("t.csv", target=["t"]), tmp_path, inputs=("wide", "deep"))
    assert found == "t.csv: the model has 2 inputs (wide, deep); say which columns feed each one (dataset inputs)"
    found = message(DatasetSpec("t.csv", target=["t"]), tmp_path, outputs=("p", "q"))
    assert "the model has 2 outputs (p, q); say which targets each one predicts" in found


def test_a_split_that_leaves_nothing_on_one_side(tmp_path):
    write(tmp_path, "t.csv", "a,t\n1,1\n2,2\n3,3\n")
    found = message(DatasetSpec("t.csv", target=["t"]), tmp_path, validation_split=0.2)
    assert found == "t.csv: a validation split of 0.2 of 3 rows leaves no validation rows"
    assert "at least 0 and less than 1, got 1.5" in message(DatasetSpec("t.csv", target=["t"]), tmp_path,
                                                            validation_split=1.5)


def test_unknown_sources(tmp_path):
    assert "there is no bundled dataset 'taxi'; there are: tips, iris, digits, digits_npz" in message(
        DatasetSpec("bundled:taxi"), None)
    write(tmp_path, "notes.txt", "a,b\n")
    assert "notes.txt: cannot tell what kind of dataset this is" in message(DatasetSpec("notes.txt"), tmp_path)
    assert "nowhere: no such file or folder" in message(DatasetSpec("nowhere"), tmp_path)
    assert "no source chosen" in message(DatasetSpec(""), tmp_path)


NPZ_CASES = {
    "missing key": ({"x": np.zeros((3, 2)), "labels": np.arange(3)}, {},
                    "d.npz: has no array 'y'; its arrays are: x, labels"),
    "missing input key": ({"x": np.zeros((3, 2)), "y": np.arange(3)}, {"inputs": {"x": ["pixels"]}},
                          "d.npz: has no array 'pixels'; its arrays are: x, y"),
    "row counts differ": ({"x": np.zeros((10, 2)), "y": np.arange(9)}, {},
                          "d.npz: the arrays have different numbers of rows: x has 10, y has 9"),
    "a single value": ({"x": np.float32(1), "y": np.arange(3)}, {}, "array 'x' is a single value"),
    "NaN": ({"x": np.array([[1.0], [np.nan], [2.0]]), "y": np.arange(3)}, {},
            "d.npz: array 'x' holds NaN or infinity in row 1 (counting from 0)"),
    "text features": ({"x": np.array(["a", "b"]), "y": np.arange(2)}, {},
                      "d.npz: array 'x' holds <U1 values; model inputs must be numbers"),
    "labels of the wrong shape": ({"x": np.zeros((3, 2)), "y": np.zeros((3, 2), int)}, {},
                                  "d.npz: array 'y' has shape (3, 2); class labels are one per row"),
}


@pytest.mark.parametrize("case", sorted(NPZ_CASES))
def test_each_bad_npz_file_gets_its_message(tmp_path, case):
    arrays, fields, expected = NPZ_CASES[case]
    np.savez(tmp_path / "d.npz", **arrays)
    assert expected in message(DatasetSpec(**{"source": "d.npz", **fields}), tmp_path, validation_split=0)


def test_npz_files_that_are_not_plain_arrays(tmp_path):
    np.savez(tmp_path / "objects.npz", x=np.array([{"a": 1}, None], dtype=object), y=np.arange(2))
    assert "objects.npz: array 'x' holds Python objects, stored pickled, which netbuilder never loads" in message(
        DatasetSpec("objects.npz"), tmp_path)
    write(tmp_path, "fake.npz", "not a zip")
    assert message(DatasetSpec("fake.npz"), tmp_path) == "fake.npz: is not a NumPy .npz archive (np.savez writes one)"
    with pytest.raises(DatasetError, match="fake.npz: is not a NumPy .npz archive"):
        preview_dataset(DatasetSpec("fake.npz"), tmp_path)
    assert message(DatasetSpec("gone.npz"), tmp_path).endswith("gone.npz: no such file")


def test_image_folders_without_classes_or_images(tmp_path):
    (tmp_path / "flat").mkdir()
    write(tmp_path / "flat", "a.png", "")
    assert message(DatasetSpec("flat"), tmp_path).startswith("flat: has no class sub-folders; put each class's images")
    (tmp_path / "empty" / "cat").mkdir(parents=True)
    (tmp_path / "empty" / "dog").mkdir()
    write(tmp_path / "empty" / "dog", "notes.md", "")
    assert message(DatasetSpec("empty"), tmp_path).startswith("empty: its class folders (cat, dog) hold no images")
    write(tmp_path / "empty" / "dog", "notes.txt", "")  # .txt files make it a folder of text documents
    assert message(DatasetSpec("empty"), tmp_path).startswith("empty/dog/notes.txt: the text file is empty")
    write(tmp_path, "pics.png", "")
    assert "pics.png: is a file; expected a folder of images" in message(DatasetSpec("pics.png", kind="images"), tmp_path)
    assert "nothing: no such folder" in message(DatasetSpec("nothing", kind="images"), tmp_path)


def test_a_validation_folder_with_other_classes(tmp_path):
    for folder, label in (("train", "cat"), ("train", "dog"), ("val", "cat"), ("val", "bird")):
        (tmp_path / folder / label).mkdir(parents=True)
        write(tmp_path / folder / label, "a.png", "")
    found = message(DatasetSpec("train", validation_file="val"), tmp_path)
    assert found == "val: the validation folder's classes (bird, cat) differ from train's (cat, dog)"


def test_previews_refuse_what_loading_refuses(tmp_path):
    with pytest.raises(DatasetError, match="nope.csv: no such file"):
        preview_dataset(DatasetSpec("nope.csv"), tmp_path)
    write(tmp_path, "t.csv", "a,b\n1,2\n3\n")
    with pytest.raises(DatasetError, match="t.csv: row 3 has 1 fields"):
        preview_dataset(DatasetSpec("t.csv"), tmp_path)


def test_an_unreadable_image_is_named_not_a_traceback(tmp_path):
    (tmp_path / "pics" / "cat").mkdir(parents=True)
    write(tmp_path / "pics" / "cat", "broken.png", "this is not a picture")
    assert message(DatasetSpec("pics", image_size=(4, 4)), tmp_path) == (
        "pics/cat/broken.png: is not a PNG, JPEG, GIF or BMP image, whatever its name says; replace it or delete it")


# -- issue 15: bad input never crashes (and the cases the fuzzer in test_fuzz_datasets.py found) ---------------

def test_numbers_beyond_float32_are_named_by_cell_not_left_to_overflow(tmp_path):
    write(tmp_path, "t.csv", "a,t\n1,1\n1e308,2\n3,3\n")
    assert message(DatasetSpec("t.csv", target=["t"]), tmp_path, validation_split=0) == (
        "t.csv: column 'a' holds 1e+308 in row 3, beyond the ±3.403e+38 that a model's 32-bit numbers hold; "
        "rescale the column or fix the cell")
    write(tmp_path, "t.csv", "a,t\n1,1\n2,-1e39\n")
    assert "column 't' holds -1e+39 in row 3, beyond" in message(DatasetSpec("t.csv", target=["t"]), tmp_path,
                                                                 validation_split=0)
    np.savez(tmp_path / "d.npz", x=np.array([[1.0, 2.0], [3.0, 1e308]]), y=np.array([1.0, 2.0]))
    assert message(DatasetSpec("d.npz"), tmp_path, validation_split=0) == (
        "d.npz: array 'x' holds 1e+308 in row 1 (counting from 0), beyond the ±3.403e+38 that a model's 32-bit "
        "numbers hold; rescale it")


def test_npz_members_that_are_not_arrays_are_named_and_never_unpickled(tmp_path):
    marker = tmp_path / "ran"
    payload = b"cos\nsystem\n(S'touch " + str(marker).encode() + b"'\ntR."  # a pickle that runs a command
    header = {"descr": "|O", "fortran_order": False, "shape": (2,)}
    members = {"x.npy": npy_bytes(header, payload), "y.npy": array_bytes(np.arange(2))}
    (tmp_path / "evil.npz").write_bytes(npz_bytes(members))
    assert message(DatasetSpec("evil.npz"), tmp_path).startswith(
        "evil.npz: array 'x' holds Python objects, stored pickled, which netbuilder never loads")
    with pytest.raises(DatasetError, match="array 'x' holds Python objects"):
        preview_dataset(DatasetSpec("evil.npz"), tmp_path)
    assert not marker.exists()
    (tmp_path / "raw.npz").write_bytes(npz_bytes({"x.npy": b"plain bytes", "y.npy": array_bytes(np.arange(2))}))
    assert message(DatasetSpec("raw.npz"), tmp_path) == (
        "raw.npz: array 'x' is not a NumPy array: it does not start as a .npy file does")
    (tmp_path / "notes.npz").write_bytes(npz_bytes({"x.npy": array_bytes(np.zeros((2, 1))), "notes.txt": b"hi"}))
    assert message(DatasetSpec("notes.npz"), tmp_path) == (
        "notes.npz: member 'notes.txt' is not a NumPy array (np.savez writes only .npy arrays)")


def test_an_npz_with_no_rows_or_no_values_per_row(tmp_path):
    np.savez(tmp_path / "d.npz", x=np.zeros((0, 3)), y=np.zeros(0))
    assert message(DatasetSpec("d.npz"), tmp_path, validation_split=0) == (
        "d.npz: array 'x' has no rows (shape (0, 3)); there is nothing to train on")
    np.savez(tmp_path / "d.npz", x=np.zeros((4, 0)), y=np.zeros(4))
    assert message(DatasetSpec("d.npz"), tmp_path, validation_split=0) == (
        "d.npz: array 'x' has shape (4, 0): each row holds no values")


def test_a_header_claiming_ten_trillion_rows_is_refused_without_allocating(tmp_path):
    import tracemalloc

    header = {"descr": "<f8", "fortran_order": False, "shape": (10**13, 1)}
    (tmp_path / "d.npz").write_bytes(npz_bytes({"x.npy": npy_bytes(header, bytes(64)),
                                                "y.npy": array_bytes(np.arange(8))}))
    tracemalloc.start()
    try:
        found = message(DatasetSpec("d.npz"), tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert found == ("d.npz: array 'x' is damaged: its header describes shape (10000000000000, 1) of float64 "
                     "(80,000,000,000,000 bytes), but the file holds 64 bytes of it")
    assert peak < 8 * 2**20


def test_an_array_bigger_than_memory_is_refused_by_name(tmp_path, monkeypatch):
    from netbuilder.training.datasets import npz_members

    np.savez(tmp_path / "d.npz", x=np.zeros((512, 2)), y=np.zeros(512))
    monkeypatch.setattr(npz_members, "_memory_bytes", lambda: 4096)
    assert message(DatasetSpec("d.npz"), tmp_path) == (
        "d.npz: array 'x' of shape (512, 2) needs 8.0 KiB, more than this computer's memory (4.0 KiB)")


def test_damaged_npz_members_are_named(tmp_path):
    content = bytearray(npz_bytes({"x.npy": array_bytes(np.arange(40.0).reshape(20, 2)),
                                   "y.npy": array_bytes(np.arange(20))}))
    content[200] ^= 0xFF  # inside x's data: the checksum no longer matches
    (tmp_path / "d.npz").write_bytes(bytes(content))
    assert message(DatasetSpec("d.npz"), tmp_path).startswith(
        "d.npz: array 'x' is damaged and cannot be read (Bad CRC-32")


def test_images_that_are_empty_not_images_or_damaged_are_named_by_path(tmp_path):
    pixels = np.zeros((4, 4, 3), np.uint8)
    for label in ("cat", "dog"):
        (tmp_path / "pics" / label).mkdir(parents=True)
        (tmp_path / "pics" / label / "ok.png").write_bytes(png_bytes(pixels))
    spec = DatasetSpec("pics", image_size=(4, 4))
    (tmp_path / "pics" / "dog" / "empty.png").write_bytes(b"")
    assert message(spec, tmp_path) == "pics/dog/empty.png: the image file is empty (0 bytes); replace it or delete it"
    (tmp_path / "pics" / "dog" / "empty.png").unlink()
    (tmp_path / "pics" / "dog" / "cut.png").write_bytes(png_bytes(pixels)[:40])
    assert message(spec, tmp_path).startswith("pics/dog/cut.png: the image is damaged and cannot be decoded (")
    (tmp_path / "pics" / "dog" / "cut.png").write_bytes(bmp_bytes(pixels))  # a BMP named .png is still an image
    assert len(load_dataset(spec, tmp_path, input_names=["x"], output_names=["y"], validation_split=0).train) == 3


def test_csv_oddities_each_get_their_sentence(tmp_path):
    write(tmp_path, "t.csv", "a," + "7" * 10_000_000 + "\n")  # a 10 MB line
    assert message(DatasetSpec("t.csv", target=["a"]), tmp_path) == (
        "t.csv: row 1 has a cell of more than 131,072 characters; is it really a CSV file?")
    (tmp_path / "t.csv").write_bytes(b"a,t\n1,1\n2\x00,2\n")
    assert message(DatasetSpec("t.csv", target=["t"]), tmp_path) == (
        "t.csv: row 3 holds a NUL character (\\x00), which text never does; is it really a CSV file, saved as UTF-8?")
    (tmp_path / "t.csv").write_bytes("a,t\ncafé,1\n".encode() + "thé,2\n".encode("latin-1"))
    assert message(DatasetSpec("t.csv", target=["t"]), tmp_path) == (
        "t.csv: line 3 is not UTF-8 text (byte 0xe9); save the file as UTF-8 (is it really a CSV file?)")
    (tmp_path / "t.csv").write_bytes("a,t\n1,2\n".encode("utf-16"))
    assert message(DatasetSpec("t.csv", target=["t"]), tmp_path) == (
        "t.csv: is UTF-16 text; save it as UTF-8 (is it really a CSV file?)")


def test_names_from_the_file_are_shown_short_and_escaped(tmp_path):
    # Found by the fuzzer: a column named by a code point no font draws was echoed as it was.
    (tmp_path / "t.csv").write_bytes("\U00018cd6\n0.0\n".encode())
    assert message(DatasetSpec("t.csv", target=["\U00018cd6"]), tmp_path) == (
        "t.csv: no feature columns feed input 'x'; every column is a target (\\U00018cd6)")
    write(tmp_path, "t.csv", "a,t\n" + "q" * 1000 + "\x1b[2J,1\n" + "".join(f"{i},1\n" for i in range(3)))
    found = message(DatasetSpec("t.csv", target=["t"]), tmp_path)
    assert found.startswith("t.csv: column 'a' holds text ('" + "q" * 40 + "…' in row 2) among numbers")
    assert found.isprintable()
    write(tmp_path, "t.csv", ",".join(f"c{i}" for i in range(100)) + "\n" + ",".join(["1"] * 100) + "\n")
    assert message(DatasetSpec("t.csv", target=["nope"]), tmp_path).endswith("c10, c11, … (88 more)")


def test_a_damaged_jpeg_header_is_named_and_libjpeg_prints_nothing(tmp_path, capfd):
    """Found by the fuzzer: JPEG's magic bytes before a BMP made libjpeg write "Unsupported marker type"
    straight to the terminal (file descriptor 2) while the image was decoded."""
    pixels = np.zeros((4, 5, 3), np.uint8)
    for label in ("cat", "dog"):
        (tmp_path / "pics" / label).mkdir(parents=True)
        (tmp_path / "pics" / label / "ok.png").write_bytes(png_bytes(pixels))
    (tmp_path / "pics" / "dog" / "odd.bmp").write_bytes(b"\xff\xd8\xff" + bmp_bytes(pixels))
    spec = DatasetSpec("pics", image_size=(4, 4), color_mode="grayscale")
    capfd.readouterr()
    assert message(spec, tmp_path).startswith("pics/dog/odd.bmp: the image is damaged and cannot be decoded (")
    preview_dataset(spec, tmp_path)
    assert capfd.readouterr().err == ""
