"""Reading TFRecord files in plain Python: the record framing and the `tf.train.Example` message.

The preview, the look at the first records and the record count must not
need TensorFlow (the Data tab stays quick) and must refuse a damaged file
with a sentence rather than let TensorFlow log and raise mid-pipeline. A
TFRecord file is a sequence of records, each framed as: length (uint64,
little-endian), the masked CRC-32C of the length, the data, the masked
CRC-32C of the data. The data of an `Example` is a small protocol-buffer
message (features: a map from name to a bytes, float or int64 list), decoded
here by its wire format, so hostile bytes can only end in a `ValueError`.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

import numpy as np

FeatureKind = Literal["int64", "float", "bytes"]
_HEADER = 12  # length (8) + its CRC (4)


def _crc_table() -> list[int]:
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _crc_table()


def masked_crc32c(data: bytes) -> int:
    """The CRC-32C of `data`, masked as TFRecord stores it (so a CRC of CRCs is not itself a valid CRC)."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    crc ^= 0xFFFFFFFF
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


class RecordError(ValueError):
    """A damaged record; the message says what and at which record (counting from 0)."""


def _header(fh: BinaryIO, index: int, size: int) -> int | None:
    """The data length of the record starting at the file's position; None at the end of the file."""
    start = fh.tell()
    head = fh.read(_HEADER)
    if not head:
        return None
    if len(head) < _HEADER:
        raise RecordError(f"record {index} is cut short (the file ends inside its header)")
    length, crc = struct.unpack("<QI", head)
    if masked_crc32c(head[:8]) != crc:
        raise RecordError(f"record {index} has a corrupt length (its checksum does not match); this is not a "
                          "TFRecord file, or it is damaged")
    if start + _HEADER + length + 4 > size:
        raise RecordError(f"record {index} is cut short (it claims {length:,} bytes, past the end of the file)")
    return length


def count_records(path: Path) -> int:
    """How many records the file holds: one pass over the headers, seeking past the data."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        index = 0
        while (length := _header(fh, index, size)) is not None:
            fh.seek(length + 4, 1)
            index += 1
    return index


def read_records(path: Path, *, check_data: int = 0) -> Iterator[bytes]:
    """The records' data, in order; the data checksums of the first `check_data` records are verified
    (checking in Python costs about a microsecond a byte, so TensorFlow's reader checks the rest)."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        index = 0
        while (length := _header(fh, index, size)) is not None:
            data = fh.read(length)
            (crc,) = struct.unpack("<I", fh.read(4))
            if index < check_data and masked_crc32c(data) != crc:
                raise RecordError(f"record {index} is corrupt (its data checksum does not match)")
            yield data
            index += 1


@dataclass(frozen=True)
class Feature:
    """One feature's values in one record."""

    kind: FeatureKind
    values: np.ndarray | list[bytes]

    def __len__(self) -> int:
        return len(self.values)


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if at >= len(data) or shift > 63:
            raise RecordError("a number in the message runs past its end")
        byte = data[at]
        value |= (byte & 0x7F) << shift
        at += 1
        if not byte & 0x80:
            return value & 0xFFFFFFFFFFFFFFFF, at
        shift += 7


def _fields(data: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """(field number, wire type, value) of each field of a message; unknown wire types refused."""
    at = 0
    while at < len(data):
        key, at = _varint(data, at)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, at = _varint(data, at)
            yield number, wire, value
        elif wire in (1, 5):
            width = 8 if wire == 1 else 4
            if at + width > len(data):
                raise RecordError("a field runs past the end of the message")
            yield number, wire, data[at:at + width]
            at += width
        elif wire == 2:
            length, at = _varint(data, at)
            if at + length > len(data):
                raise RecordError("a field runs past the end of the message")
            yield number, wire, data[at:at + length]
            at += length
        else:
            raise RecordError(f"the message has a field of unknown wire type {wire}")


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def _feature(data: bytes) -> Feature:
    kinds: dict[int, FeatureKind] = {1: "bytes", 2: "float", 3: "int64"}
    found: Feature | None = None
    for number, wire, body in _fields(data):
        if number not in kinds or wire != 2 or not isinstance(body, bytes):
            continue
        kind = kinds[number]
        items: list = []
        for inner, inner_wire, value in _fields(body):
            if inner != 1:
                continue
            if kind == "bytes" and inner_wire == 2:
                items.append(value)
            elif kind == "float" and inner_wire == 2 and isinstance(value, bytes):
                if len(value) % 4:
                    raise RecordError("a float list has a length that is no multiple of 4 bytes")
                items.extend(np.frombuffer(value, "<f4").tolist())
            elif kind == "float" and inner_wire == 5 and isinstance(value, bytes):
                items.append(struct.unpack("<f", value)[0])
            elif kind == "int64" and inner_wire == 2 and isinstance(value, bytes):
                at = 0
                while at < len(value):
                    number_, at = _varint(value, at)
                    items.append(_signed(number_))
            elif kind == "int64" and inner_wire == 0 and isinstance(value, int):
                items.append(_signed(value))
            else:
                raise RecordError(f"a {kind} list holds a value of the wrong type")
        values = items if kind == "bytes" else np.asarray(items, np.float32 if kind == "float" else np.int64)
        found = Feature(kind, values)
    if found is None:
        raise RecordError("a feature holds no bytes, float or int64 list")
    return found


def parse_example(data: bytes) -> dict[str, Feature]:
    """The features of a serialized `tf.train.Example`, by name; RecordError when it is none."""
    features: dict[str, Feature] = {}
    for number, wire, body in _fields(data):
        if number != 1 or wire != 2 or not isinstance(body, bytes):
            continue
        for entry_number, entry_wire, entry in _fields(body):
            if entry_number != 1 or entry_wire != 2 or not isinstance(entry, bytes):
                continue
            name: str | None = None
            value: Feature | None = None
            for part, part_wire, content in _fields(entry):
                if part == 1 and part_wire == 2 and isinstance(content, bytes):
                    try:
                        name = content.decode("utf-8")
                    except UnicodeDecodeError:
                        raise RecordError("a feature name is not UTF-8 text") from None
                elif part == 2 and part_wire == 2 and isinstance(content, bytes):
                    value = _feature(content)
            if name is None or value is None:
                raise RecordError("a feature has no name or no value")
            features[name] = value
    if not features:
        raise RecordError("it holds no features")
    return features
