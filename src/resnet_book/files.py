"""Files that survive a kill: atomic writes, the temporary files of killed writers, checksums, and
where the repository is.

An atomic write goes to a temporary file in the target's folder (``.<name>.<pid>.<random>.tmp``)
and is renamed into place, so a reader sees the old file or the new one, never half of one. The
result gets the permissions of an ordinary new file (``0666`` minus the umask), so that a shared
results folder or cache stays readable to colleagues. A writer killed mid-write leaves its
temporary file behind; the next write into that folder removes those whose process is gone.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable

from .errors import StorageError


def _repo_root() -> Path | None:
    root = Path(__file__).resolve().parents[2]  # src/resnet_book/files.py -> the checkout (src layout)
    return root if (root / "pyproject.toml").exists() else None


#: The repository's root when the package runs from a checkout (an editable install), else None.
REPO_ROOT: Path | None = _repo_root()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Remove the temporary files that killed writers left in ``folder``; return them."""
    gone = []
    for tmp in Path(folder).glob(".*.tmp"):
        parts = tmp.name.rsplit(".", 3)  # ".<name>", "<pid>", "<random>", "tmp"
        if len(parts) == 4 and parts[1].isdigit() and int(parts[1]) != os.getpid() and not _alive(int(parts[1])):
            tmp.unlink(missing_ok=True)
            gone.append(tmp)
    return gone


def atomic_write(path: str | os.PathLike, write: Callable[[BinaryIO], None]) -> None:
    """Write ``path`` through ``write(file)`` atomically (see the module docstring).

    A full disk, a read-only folder or a path through a file raise :class:`StorageError` (one
    line); the file that was there before is left as it was."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(path.parent)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise StorageError(f"cannot write {path}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException as e:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(e, OSError) and not isinstance(e, StorageError):
            raise StorageError(f"cannot write {path}: {e.strerror or e}") from None
        raise


def write_json_atomic(path: str | os.PathLike, obj) -> None:
    """Write ``obj`` as JSON to ``path`` atomically."""
    data = json.dumps(obj, indent=1, sort_keys=False, allow_nan=True).encode()
    atomic_write(Path(path), lambda f: f.write(data))


def file_sha256(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def now_iso() -> str:
    """This moment in UTC, to the second (ISO 8601): when a record, or a stretch of a run, was written."""
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def writable_folder(path: str | os.PathLike) -> Path:
    """``path`` as a folder this process can write into (made if missing), checked before any long
    work starts; otherwise :class:`StorageError` (a file in the way, a read-only file system...)."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as e:
        raise StorageError(f"cannot write into {path}: {e.strerror or e}") from None
    return path
