"""Results with provenance: one JSON record per run, where records live, their schema, and the code
that made them (git commit, package hash).

A record lives at ``<out>/<experiment>/<run-id>.json`` and holds the run's config, scale, seed,
device, torch version, git commit, data fingerprint, curves, final metrics and wall time.
Every write is atomic (:func:`resnet_book.files.atomic_write`): a killed process never leaves a
half-written record.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import subprocess
from pathlib import Path

import torch

from ..errors import RecordError
from ..files import REPO_ROOT

SCHEMA_VERSION = 2  # 2: run ids cover the dtype and device type; provenance says dtype and threads
ENV_VAR = "RESNET_BOOK_RESULTS"


def results_root(out: str | os.PathLike | None = None) -> Path:
    """Where records go: ``out``, else ``$RESNET_BOOK_RESULTS``, else the repository's ``results/``."""
    if out is not None:
        return Path(out)
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    if REPO_ROOT is not None:
        return REPO_ROOT / "results"
    return Path.cwd() / "results"


def git_commit() -> str:
    """HEAD of the repository the package is in ("+dirty" if tracked files changed), or "unknown"."""
    try:
        if REPO_ROOT is None:
            return "unknown"
        run = lambda *a: subprocess.run(["git", *a], cwd=REPO_ROOT, capture_output=True, text=True, timeout=10)  # noqa: E731
        head = run("rev-parse", "HEAD")
        if head.returncode:
            return "unknown"
        dirty = run("status", "--porcelain", "--untracked-files=no").stdout.strip()
        return head.stdout.strip() + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def package_hash() -> str:
    """SHA-256 (first 16 hex digits) of the package's source files: which code produced a record."""
    h = hashlib.sha256()
    pkg = Path(__file__).resolve().parents[1]
    for f in sorted(pkg.rglob("*.py")):
        h.update(str(f.relative_to(pkg)).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    return f"cpu ({platform.processor() or platform.machine()}, {torch.get_num_threads()} threads)"


# --- schema ----------------------------------------------------------------------------------------
_REQUIRED = {
    "schema": int, "run_id": str, "experiment": str, "model": str, "model_kwargs": dict, "label": str,
    "scale": str, "seed": int, "config": dict, "provenance": dict, "history": dict, "final": dict,
    "status": str,
}
_PROVENANCE = {"device": str, "dtype": str, "threads": int, "torch": str, "git_commit": str, "data_fingerprint": str,
               "created": str}
_FINAL = {"train_error": (int, float), "eval_error": (int, float), "eval_name": str, "params": int,
          "iterations": int, "wall_time": (int, float)}
_CURVES = [("iters", "train_loss", "train_error", "lr"), ("eval_iters", "eval_loss", "eval_error")]
# ImageNet records (``"dataset": "imagenet"``) also say how the run was spread over processes.
_DISTRIBUTED = {"world_size": int, "global_batch": int, "per_device_batch": int, "device_kind": str}


def validate_record(rec, where: str = "record") -> dict:
    """Check a record's structure; raise :class:`RecordError` naming the first problem."""
    if not isinstance(rec, dict):
        raise RecordError(f"{where}: expected a JSON object, got {type(rec).__name__}")
    groups = [("", _REQUIRED), ("provenance.", _PROVENANCE), ("final.", _FINAL)]
    if isinstance(rec.get("provenance"), dict) and rec.get("dataset") == "imagenet":
        groups.append(("provenance.", _DISTRIBUTED))
    for group, spec in groups:
        obj = rec if not group else rec.get(group[:-1], {})
        for key, typ in spec.items():
            if key not in obj:
                raise RecordError(f"{where}: missing field {group}{key}")
            if not isinstance(obj[key], typ) or isinstance(obj[key], bool):
                raise RecordError(f"{where}: field {group}{key} has type {type(obj[key]).__name__}")
    if rec["schema"] != SCHEMA_VERSION:
        raise RecordError(f"{where}: schema version {rec['schema']}, this code reads {SCHEMA_VERSION}")
    if rec["status"] not in ("complete", "stopped"):
        raise RecordError(f"{where}: status must be 'complete' or 'stopped', got {rec['status']!r}")
    hist = rec["history"]
    for curve in _CURVES:
        for key in curve:
            if not isinstance(hist.get(key), list):
                raise RecordError(f"{where}: history.{key} must be a list")
        if len({len(hist[k]) for k in curve}) != 1:
            raise RecordError(f"{where}: history curves {curve} have different lengths")
    if rec["status"] == "complete" and not math.isfinite(rec["final"]["eval_error"]):
        raise RecordError(f"{where}: a complete run needs a finite final.eval_error")
    return rec


def load_record(path: str | os.PathLike) -> dict:
    """Read and validate one record; a corrupt file is a :class:`RecordError` naming it."""
    path = Path(path)
    try:
        rec = json.loads(path.read_text())
    except FileNotFoundError:
        raise RecordError(f"no results record at {path}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise RecordError(f"results record {path} is corrupt ({e}); delete it and re-run to regenerate it") from None
    return validate_record(rec, str(path))


def load_records(experiment: str, out: str | os.PathLike | None = None, scale: str | None = None) -> list[dict]:
    """All records of ``experiment`` (optionally of one scale), sorted by run id.

    Records of an older schema are left out: their run ids predate the current identity, so no
    run looks them up (they are stale local caches, e.g. quick runs of an older version).
    """
    folder = results_root(out) / experiment
    recs = []
    for p in sorted(folder.glob("*.json")):
        try:
            schema = json.loads(p.read_text()).get("schema")
        except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
            schema = SCHEMA_VERSION  # let load_record name the problem
        if isinstance(schema, int) and schema < SCHEMA_VERSION:
            continue
        recs.append(load_record(p))
    return [r for r in recs if scale is None or r["scale"] == scale]


def commits_of(record: dict) -> list[str]:
    """Every git commit whose code trained or finished this run, in order: the commit of each
    process that trained a stretch (``history.segments``: more than one after a resume), then the
    one that wrote the record (``provenance.git_commit``)."""
    seen = [seg["git_commit"] for seg in record.get("history", {}).get("segments", []) if seg.get("git_commit")]
    seen.append(record["provenance"]["git_commit"])
    return list(dict.fromkeys(seen))
