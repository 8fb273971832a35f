"""The arrays of a NumPy `.npz` archive, read member by member, never unpickled, never taken on trust.

`np.load` hands back raw bytes for a member that is not an array, and
allocates whatever an array's header claims before it reads a byte: a
damaged or hostile file that claims 10^13 rows stops the program with a
MemoryError. Here every member's `.npy` header is read first (shape and
dtype, a few hundred bytes); object arrays (pickles) are refused unread, and
a size that cannot be in the member or in this computer's memory is refused
by the array's name. The data is then read in chunks into memory that grows
only as bytes actually arrive.
"""

from __future__ import annotations

import math
import os
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterator

import numpy as np

from netbuilder.training.datasets.shown import shown
from netbuilder.training.datasets.spec import DatasetError
from netbuilder.training.datasets.text_file import check_file

WHAT = "a NumPy .npz file"
CHUNK_BYTES = 1 << 24
MAX_DIMENSION = int(np.iinfo(np.intp).max)
NPY_MAGIC = np.lib.format.MAGIC_PREFIX
# What a damaged zip archive or member raises from the zipfile and zlib modules.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError, ValueError)


@dataclass(frozen=True)
class NpzMember:
    """One array's header: what it holds, and how many bytes of data its member has after the header."""

    name: str  # as np.savez names it: the member's file name without `.npy`
    member: str
    shape: tuple[int, ...]
    dtype: np.dtype
    fortran_order: bool
    data_bytes: int

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize


def npz_members(path: Path) -> dict[str, NpzMember]:
    """Every member's header, by array name; DatasetError names the first member that is no plain array."""
    check_file(path, WHAT)
    if not zipfile.is_zipfile(path):  # np.load would try a non-zip file as a pickle
        raise _not_npz(path)
    try:
        with zipfile.ZipFile(path) as archive:
            return {member.name: member for member in (_header(path, archive, info) for info in archive.infolist())}
    except DatasetError:
        raise
    except ZIP_ERRORS:
        raise _not_npz(path) from None


def read_member(path: Path, member: NpzMember) -> np.ndarray:
    """The array `member` describes, read without trusting its sizes."""
    memory = _memory_bytes()
    if memory is not None and member.nbytes > memory:
        raise DatasetError(f"{path.name}: array '{shown(member.name)}' of shape {member.shape} needs "
                           f"{_size(member.nbytes)}, more than this computer's memory ({_size(memory)})")
    data = bytearray()
    try:
        with zipfile.ZipFile(path) as archive, archive.open(member.member) as fh:
            _read_header(fh)
            while len(data) < member.nbytes:
                chunk = fh.read(min(CHUNK_BYTES, member.nbytes - len(data)))
                if not chunk:
                    break
                data += chunk
            fh.read(1)  # reaching the end makes zipfile compare the member's checksum
    except ZIP_ERRORS as exc:
        raise _damaged(path, member.name, exc) from None
    if len(data) < member.nbytes:
        raise _cut_short(path, member, len(data))
    flat = np.frombuffer(data, dtype=member.dtype, count=math.prod(member.shape))
    return flat.reshape(member.shape[::-1]).transpose() if member.fortran_order else flat.reshape(member.shape)


def member_rows(path: Path, member: NpzMember, rows_per_read: int) -> Iterator[np.ndarray]:
    """The rows of a C-ordered array, `rows_per_read` at a time, read as they are needed: a stream of
    the array that never holds more than one slice of it."""
    row_shape = member.shape[1:]
    row_bytes = math.prod(row_shape) * member.dtype.itemsize
    done = 0
    try:
        with zipfile.ZipFile(path) as archive, archive.open(member.member) as fh:
            _read_header(fh)
            while done < member.shape[0]:
                rows = min(rows_per_read, member.shape[0] - done)
                data = fh.read(rows * row_bytes)
                if len(data) < rows * row_bytes:
                    raise _cut_short(path, member, done * row_bytes + len(data))
                yield np.frombuffer(data, dtype=member.dtype).reshape((rows, *row_shape))
                done += rows
            fh.read(1)  # reaching the end makes zipfile compare the member's checksum
    except ZIP_ERRORS as exc:
        raise _damaged(path, member.name, exc) from None


def _header(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> NpzMember:
    name = info.filename.removesuffix(".npy")
    where = f"{path.name}: array '{shown(name)}'"
    if not info.filename.endswith(".npy") or info.is_dir():
        raise DatasetError(f"{path.name}: member '{shown(info.filename)}' is not a NumPy array "
                           "(np.savez writes only .npy arrays)")
    try:
        with archive.open(info) as fh:
            if fh.read(len(NPY_MAGIC)) != NPY_MAGIC:
                raise DatasetError(f"{where} is not a NumPy array: it does not start as a .npy file does")
            fh.seek(0)
            shape, fortran_order, dtype, offset = _read_header(fh)
    except DatasetError:
        raise
    except (ValueError, SyntaxError) as exc:  # what np.lib.format says of a header it cannot read (a descr
        # such as "," reaches ast.literal_eval inside NumPy, which raises SyntaxError)
        raise DatasetError(f"{where} has a damaged .npy header ({shown(str(exc), 80)})") from None
    except ZIP_ERRORS as exc:
        raise _damaged(path, name, exc) from None
    if dtype.hasobject:
        raise DatasetError(f"{where} holds Python objects, stored pickled, which netbuilder never loads "
                           "(loading them could run code); save plain arrays of numbers or text")
    if dtype.kind == "V" or dtype.itemsize == 0:
        raise DatasetError(f"{where} holds {dtype} values, neither numbers nor text; save plain arrays")
    if any(not 0 <= d <= MAX_DIMENSION for d in shape):
        raise DatasetError(f"{where} has a damaged .npy header (shape {shape})")
    member = NpzMember(name, info.filename, shape, dtype, fortran_order, max(info.file_size - offset, 0))
    if member.nbytes > member.data_bytes:
        raise _cut_short(path, member, member.data_bytes)
    return member


def _read_header(fh: IO[bytes]) -> tuple[tuple[int, ...], bool, np.dtype, int]:
    """Shape, Fortran order, dtype and where the data starts; ValueError for anything that is not a .npy header."""
    version = np.lib.format.read_magic(fh)
    read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    shape, fortran_order, dtype = read(fh)
    return tuple(shape), bool(fortran_order), dtype, fh.tell()


def _cut_short(path: Path, member: NpzMember, held: int) -> DatasetError:
    return DatasetError(f"{path.name}: array '{shown(member.name)}' is damaged: its header describes shape "
                        f"{member.shape} of {member.dtype} ({member.nbytes:,} bytes), but the file holds "
                        f"{held:,} bytes of it")


def _damaged(path: Path, name: str, exc: BaseException) -> DatasetError:
    return DatasetError(f"{path.name}: array '{shown(name)}' is damaged and cannot be read "
                        f"({shown(str(exc) or type(exc).__name__, 80)})")


def _not_npz(path: Path) -> DatasetError:
    return DatasetError(f"{path.name}: is not a NumPy .npz archive (np.savez writes one)")


def _memory_bytes() -> int | None:
    """This computer's physical memory, where the system says (Linux, macOS)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def _size(n: int) -> str:
    units = ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")
    power = min(int(math.log(max(n, 1), 1024)), len(units) - 1)
    return f"{n:,} bytes" if power == 0 else f"{n / 1024**power:,.1f} {units[power]}"
