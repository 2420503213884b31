"""Deployment packages: a CreateFunction zip unpacked into a code directory, and the CodeSize and
CodeSha256 a function reports.

An unpacked zip keeps its archive beside it (``<name>-<digest>/`` and ``<name>-<digest>.zip``),
so that CodeSize and CodeSha256 are AWS's (the zip's length and the base64 SHA-256 of its bytes)
after a restart too. A function defined on a directory has no zip: its size is the sum of its
files and its digest a SHA-256 over their paths and contents, which changes exactly when the
code does (what callers compare it for).

Everything here touches the file system: call it in a thread.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from eventsim.errors import InvalidParameterValueException

__all__ = ["MAX_UNZIPPED_SIZE", "code_facts", "remove_package", "snapshot_code", "unpack_zip"]

MAX_UNZIPPED_SIZE = 262_144_000
"""250 MB, AWS's limit for a function's unzipped code."""


def unpack_zip(root: Path, name: str, data: bytes) -> Path:
    """Unpack a function's zip under `root`; the code directory."""
    digest = hashlib.sha256(data).hexdigest()[:16]
    target = root / f"{name}-{digest}"
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise InvalidParameterValueException(
            "Could not unzip uploaded file. Please check your file, then try to upload again.",
            Type="User",
        ) from None
    if unzipped > MAX_UNZIPPED_SIZE:
        raise InvalidParameterValueException(
            f"Unzipped size must be smaller than {MAX_UNZIPPED_SIZE} bytes", Type="User"
        )
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f".{name}-{digest}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        with archive:
            archive.extractall(staging)  # zipfile drops ".." and absolute parts of names
    except (zipfile.BadZipFile, OSError, ValueError):
        shutil.rmtree(staging, ignore_errors=True)
        raise InvalidParameterValueException(
            "Could not unzip uploaded file. Please check your file, then try to upload again.",
            Type="User",
        ) from None
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    _archive(target).write_bytes(data)
    return target


def snapshot_code(root: Path, name: str, code_dir: str) -> Path:
    """Copy a function's code (and its zip, if it has one) to a new directory under `root`
    that belongs to a published version: later changes of ``$LATEST``'s code, or of the
    directory a function was defined on, leave the version as it was published."""
    source = Path(code_dir)
    root.mkdir(parents=True, exist_ok=True)
    target = Path(tempfile.mkdtemp(prefix=f"{name}-version-", dir=root))
    shutil.copytree(source, target, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    archive = _archive(source)
    if source.parent == root and archive.is_file():
        shutil.copyfile(archive, _archive(target))
    return target


def _archive(code_dir: Path) -> Path:
    return code_dir.parent / f"{code_dir.name}.zip"


def remove_package(root: Path, code_dir: str) -> None:
    """Remove an unpacked zip (and its archive) if `code_dir` is one under `root`."""
    path = Path(code_dir)
    if path.parent != root:
        return
    shutil.rmtree(path, ignore_errors=True)
    _archive(path).unlink(missing_ok=True)


def code_facts(code_dir: str, root: Path | None) -> tuple[int, str]:
    """CodeSize and CodeSha256 of a function's code (`root`: where zips are unpacked)."""
    path = Path(code_dir)
    archive = _archive(path)
    if path.parent == root and archive.is_file():
        data = archive.read_bytes()
        return len(data), base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")
    digest = hashlib.sha256()
    size = 0
    for directory, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for file in sorted(files):
            member = Path(directory, file)
            try:
                data = member.read_bytes()
            except OSError:
                continue
            digest.update(str(member.relative_to(path)).encode() + b"\0")
            digest.update(hashlib.sha256(data).digest())
            size += len(data)
    return size, base64.b64encode(digest.digest()).decode("ascii")
