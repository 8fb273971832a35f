"""Data files made byte by byte for the dataset tests: PNG and BMP images, `.npy` members with any header.

The bad-input tests and the fuzzer need files that no well-behaved writer
makes (a header that lies about its shape, a member that is a pickle), and
images without an imaging library; all are built here from their formats.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import numpy as np


def png_bytes(pixels: np.ndarray) -> bytes:
    """An 8-bit PNG of `pixels` (uint8, height × width × 1, 3 or 4 channels)."""
    height, width, channels = pixels.shape
    colour = {1: 0, 3: 2, 4: 6}[channels]
    raw = b"".join(b"\x00" + pixels[y].tobytes() for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def bmp_bytes(pixels: np.ndarray) -> bytes:
    """A 24-bit BMP of `pixels` (uint8, height × width × 3)."""
    height, width, _ = pixels.shape
    padding = b"\x00" * (-3 * width % 4)
    data = b"".join(pixels[y, :, ::-1].tobytes() + padding for y in reversed(range(height)))
    return (b"BM" + struct.pack("<IHHI", 54 + len(data), 0, 0, 54)
            + struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(data), 2835, 2835, 0, 0) + data)


def npy_bytes(header: dict, data: bytes) -> bytes:
    """A `.npy` member: the version 1.0 header `header` says (descr, fortran_order, shape), then `data` as given."""
    out = io.BytesIO()
    np.lib.format.write_array_header_1_0(out, header)
    return out.getvalue() + data


def array_bytes(array: np.ndarray) -> bytes:
    """`array` as np.save writes it."""
    out = io.BytesIO()
    np.save(out, array, allow_pickle=array.dtype.hasobject)
    return out.getvalue()


def npz_bytes(members: dict[str, bytes], compressed: bool = False) -> bytes:
    """A zip archive of `members` (name → bytes), as np.savez lays it out."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()
