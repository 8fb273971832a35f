"""Documents to predict, as a user has them: a text file with one document per line, or a folder of `.txt` files.

`netbuilder predict` of a model trained on a text folder reads these. A line
file's blank lines are skipped (a document is never empty); in a folder every
`.txt` file is one document, sub-folders included, in sorted order (so the
training folder's class sub-folders can be predicted as they are). Whatever
cannot be read is a `DatasetError` naming the file (and the line).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from netbuilder.training.datasets.spec import DatasetError
from netbuilder.training.datasets.text_file import read_text
from netbuilder.training.datasets.text_folder import TEXT_SUFFIXES, read_folder_document, text_files


@dataclass(frozen=True)
class Documents:
    """The documents in order; `names` says where each came from (`file.txt:3`, `folder/class/0001.txt`)."""

    names: list[str]
    texts: list[str]


def documents_to_predict(path: Path) -> Documents:
    """The documents of a line file or a folder of `.txt` files."""
    if path.is_dir():
        files = list(text_files(path, TEXT_SUFFIXES))
        if not files:
            raise DatasetError(f"{path}: holds no text files (.txt) to predict")
        texts = [read_folder_document(file, path).strip() for file in files]
        return Documents([str(file) for file in files], texts)
    numbered = [(n, line.strip()) for n, line in enumerate(read_text(path, "a text file").splitlines(), 1)]
    kept = [(n, line) for n, line in numbered if line]
    if not kept:
        raise DatasetError(f"{path.name}: holds no documents; write one document per line")
    return Documents([f"{path.name}:{n}" for n, _ in kept], [line for _, line in kept])
