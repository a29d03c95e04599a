"""Released pretrained weights in our models: the CIFAR-10 ResNets of an independent reproduction.

In the spirit of torchvision's ``WeightsEnum``, but small: one :class:`Weights` entry per released
file says where it comes from (URL, commit, source, licence), how to check it (SHA-256), what input
it expects, and what its authors report.

>>> from resnet_book.models import get_model, list_weights
>>> list_weights()                                          # doctest: +SKIP
['resnet20.akamaster', 'resnet32.akamaster', ..., 'resnet1202.akamaster']
>>> model = get_model("resnet56", weights="akamaster")      # our ResNet-56 with their trained weights
>>> from resnet_book.analysis import evaluate_released
>>> evaluate_released("resnet56", "test_lossless1k").accuracy   # doctest: +SKIP

**The weights.** Yerlan Idelbayev's ``akamaster/pytorch_resnet_cifar10`` (BSD-2-Clause) trained
option-A ResNet-20/32/44/56/110/1202 with the paper's recipe for 200 epochs on all 50,000
training images (best epoch chosen on the test set). Inputs: pixels scaled to [0, 1], then a
per-channel ``Normalize`` with ImageNet's mean/std (:attr:`Weights.mean`, :attr:`Weights.std`) --
not the paper's per-pixel mean, so evaluate them through :meth:`Weights.transform`, never through
``data.DeviceData``'s normalisation. They were trained on the original pixels: evaluate them on
``split="test_lossless1k"`` (``data.make_split``); on the JPEG-derived developer copy of the test
set they lose about 10 points (distribution shift).

**Where a file is found**, in order (every file is SHA-256-checked each time it is loaded, and
read with ``torch.load(..., weights_only=True)``, so a tampered pickle cannot run code):

1. ``$RESNET_BOOK_WEIGHTS/akamaster/<file>`` (or ``$RESNET_BOOK_WEIGHTS/<file>``); the Makefile
   points the variable at ``../shared/weights`` when that folder exists;
2. the user cache, ``$XDG_CACHE_HOME/resnet_book/weights/akamaster/<file>`` (default ``~/.cache``);
3. otherwise it is downloaded into the cache by ``torch.hub.download_url_to_file``, which
   checks the SHA-256 (the full digest where we know it, the published prefix otherwise) and
   keeps nothing when it does not match.

**Their layout vs ours.** Same modules, same order, different names: ``module.`` prefix
(``DataParallel``), ``linear`` for our ``fc``, no ``num_batches_tracked`` buffers. And one real
difference: where a stage widens, their option A puts the identity channels in the *middle* of the
wider stage (zero channels padded on both sides) while ours appends the zero channels. The
conversion permutes each stage's channels (:func:`option_a_permutations`, :func:`convert_state_dict`).
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from torch import nn

from .. import reference
from ..errors import ConfigError, DataError
from ..files import file_sha256
from .registry import builder

ENV_VAR = "RESNET_BOOK_WEIGHTS"

AKAMASTER_REPO = "akamaster/pytorch_resnet_cifar10"
AKAMASTER_COMMIT = "d5489e8995e81e91ce6b1d69dcc98ad579b0b153"  # the commit the shared copies were taken at
AKAMASTER_URL = f"https://github.com/{AKAMASTER_REPO}/raw/master/pretrained_models/" + "{file}"
# Their trainer's transforms.Normalize (ImageNet's per-channel statistics, on [0, 1] pixels):
AKAMASTER_MEAN = (0.485, 0.456, 0.406)
AKAMASTER_STD = (0.229, 0.224, 0.225)


class WeightsError(DataError):
    """A weights file is missing, corrupt, or not what the registry says (message says how to fix it)."""


class UnknownWeightsError(ConfigError):
    """No released weights of that name, or none for that model (message lists what exists)."""


@dataclass(frozen=True)
class Weights:
    """One released weights file and everything needed to use it honestly."""

    model: str  # our registry name, e.g. "resnet56"
    tag: str  # which release, e.g. "akamaster"
    file: str  # file name; its 8 hex digits are the start of its SHA-256 (torch.hub's convention)
    sha256: str  # the full SHA-256 where known, else the published prefix
    url: str
    reported_error: float  # test error (%) its authors report (reference.AKAMASTER_CIFAR10)
    best_prec1: float | None  # test accuracy (%) stored in the file, where we have read the file
    mean: tuple[float, float, float] = AKAMASTER_MEAN
    std: tuple[float, float, float] = AKAMASTER_STD
    preprocessing: str = ("ToTensor() (pixels / 255), then Normalize(mean=(0.485, 0.456, 0.406), "
                          "std=(0.229, 0.224, 0.225)) per channel -- not the paper's per-pixel mean")
    source: str = f"{AKAMASTER_REPO} (GitHub, Yerlan Idelbayev), commit {AKAMASTER_COMMIT[:7]}, pretrained_models/"
    licence: str = "BSD-2-Clause (LICENSE beside the files; must travel with any copy)"
    trained: str = "option A, 200 epochs, batch 128, lr 0.1 /10 at epochs 100 and 150, all 50k training images; best epoch chosen on the test set"

    @property
    def name(self) -> str:
        return f"{self.model}.{self.tag}"

    @property
    def full_hash(self) -> bool:
        """True when the full SHA-256 is known (else only the published prefix can be checked)."""
        return len(self.sha256) == 64

    @property
    def reported_accuracy(self) -> float:
        return 100.0 - self.reported_error

    def transform(self, x_uint8: torch.Tensor) -> torch.Tensor:
        """uint8 NCHW images -> the float input these weights expect (their per-channel Normalize)."""
        mean = torch.tensor(self.mean, device=x_uint8.device).view(1, 3, 1, 1)
        std = torch.tensor(self.std, device=x_uint8.device).view(1, 3, 1, 1)
        return (x_uint8.float().div_(255) - mean) / std


def _akamaster(depth: int, file: str, sha256: str, best_prec1: float | None) -> Weights:
    return Weights(model=f"resnet{depth}", tag="akamaster", file=file, sha256=sha256,
                   url=AKAMASTER_URL.format(file=file), reported_error=reference.AKAMASTER_CIFAR10["error"][depth],
                   best_prec1=best_prec1)


#: Every released file we know of. Full SHA-256 and best_prec1 of the four in ../shared/weights
#: (read from the files, see its README); 110 and 1202 are download-only: their published prefixes.
WEIGHTS: dict[str, Weights] = {w.name: w for w in (
    _akamaster(20, "resnet20-12fca82f.th", "12fca82f0bebc4135bf1f32f6e3710e61d5108578464b84fd6d7f5c1b04036c8", 91.78),
    _akamaster(32, "resnet32-d509ac18.th", "d509ac1820d7f25398913559d7e81a13229b1e7adc5648e3bfa5e22dc137f850", 92.78),
    _akamaster(44, "resnet44-014dd654.th", "014dd6541728a1c700b1642ab640e211dc6eb8ed507d70697458dc8f8a0ae2e4", 93.14),
    _akamaster(56, "resnet56-4bfd9763.th", "4bfd97631478d6b638d2764fd2baff3edb1d7d82252d54439343b6596b9b5367", 93.62),
    _akamaster(110, "resnet110-1d1ed7c2.th", "1d1ed7c2", None),
    _akamaster(1202, "resnet1202-f3b1deed.th", "f3b1deed", None),
)}


def list_weights(model: str | None = None) -> list[str]:
    """Names of the released weights (``"resnet56.akamaster"``, ...), optionally of one model."""
    return [n for n, w in WEIGHTS.items() if model is None or w.model == model]


def get_weights(model: str, weights: str | Weights = "akamaster") -> Weights:
    """The registry entry for ``model``'s released ``weights`` (a tag like ``"akamaster"`` or a full name)."""
    if isinstance(weights, Weights):
        return weights
    name = weights if "." in str(weights) else f"{model}.{weights}"
    if name in WEIGHTS and WEIGHTS[name].model == model:
        return WEIGHTS[name]
    released = sorted({w.model for w in WEIGHTS.values()}, key=lambda m: int(re.sub(r"\D", "", m) or 0))
    if not list_weights(model):
        raise UnknownWeightsError(f"no released weights for model {model!r}; models with released weights: "
                                  f"{', '.join(released)} (weights: {', '.join(sorted({w.tag for w in WEIGHTS.values()}))})")
    raise UnknownWeightsError(f"unknown weights {weights!r} for {model}; known: {', '.join(list_weights(model))}")


# --- files ----------------------------------------------------------------------------------------
def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/resnet_book/weights`` (default ``~/.cache/resnet_book/weights``), as data.py does."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "resnet_book" / "weights"


def cache_path(w: Weights) -> Path:
    """Where the user cache keeps (or would keep) ``w``'s file."""
    return default_cache_dir() / w.tag / w.file


def _env_candidates(w: Weights) -> list[Path]:
    folder = os.environ.get(ENV_VAR)
    if not folder:
        return []
    folder = Path(folder).expanduser()
    return [folder / w.tag / w.file, folder / w.file]


def locate(w: Weights) -> Path | None:
    """The local copy of ``w`` ($RESNET_BOOK_WEIGHTS first, then the cache), or None; not verified."""
    return next((p for p in _env_candidates(w) + [cache_path(w)] if p.is_file()), None)


def where(w: Weights) -> str:
    """'$RESNET_BOOK_WEIGHTS', 'cache' or 'not here' for ``w``'s file (for listings)."""
    p = locate(w)
    return "not here" if p is None else ("cache" if p == cache_path(w) else f"${ENV_VAR}")


def verify_file(w: Weights, path: Path) -> str:
    """Check ``path`` against ``w``'s SHA-256 (full or prefix); return the digest or raise WeightsError.

    A file in the user cache that fails is deleted (we put it there; a bad copy must not be kept);
    a file elsewhere (``$RESNET_BOOK_WEIGHTS``) is left alone and named.
    """
    digest = file_sha256(path)
    if digest.startswith(w.sha256):
        return digest
    in_cache = Path(path).resolve() == cache_path(w).resolve()
    if in_cache:
        Path(path).unlink(missing_ok=True)
    what = "the SHA-256" if w.full_hash else "the published SHA-256 prefix"
    raise WeightsError(
        f"{path}: hash mismatch, SHA-256 {digest[:16]}... is not {what} {w.sha256[:16]}... (file corrupt or "
        + ("truncated); it was removed from the cache, run again to download it afresh"
           if in_cache else f"truncated); replace it with a good copy of {w.file} from {w.url}")
    )


def _progress() -> bool:
    return not os.environ.get("RESNET_BOOK_QUIET")


def weights_file(w: Weights | str, download: bool = True, progress: bool | None = None) -> Path:
    """The verified local file of ``w``, downloading it into the user cache if it is nowhere else.

    The download is ``torch.hub.download_url_to_file(url, dst, hash_prefix=sha256)``: it writes a
    temporary file, checks the SHA-256 and only then moves it into place, so a corrupt or
    truncated download is never kept.
    """
    w = _entry(w)
    path = locate(w)
    if path is not None:
        verify_file(w, path)
        return path
    dst = cache_path(w)
    looked = ([f"${ENV_VAR}={os.environ[ENV_VAR]}"] if os.environ.get(ENV_VAR) else []) + [str(dst.parent)]
    fix = f"put {w.file} at {dst} (or in ${ENV_VAR}/{w.tag}/)"
    if not download:
        raise WeightsError(f"{w.file} is not here (looked in {' and '.join(looked)}); {fix}, or allow the download "
                           f"from {w.url}")
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        torch.hub.download_url_to_file(w.url, str(dst), hash_prefix=w.sha256,
                                       progress=_progress() if progress is None else progress)
    except RuntimeError as e:
        if "invalid hash value" in str(e):
            raise WeightsError(f"downloaded {w.url} but its hash does not match ({e}); the file was not kept") from None
        raise
    except Exception as e:  # no network, proxy, HTTP error, disk...
        raise WeightsError(f"{w.file} is not here (looked in {' and '.join(looked)}) and downloading {w.url} failed "
                           f"({type(e).__name__}: {' '.join(str(e).split())}); {fix}") from None
    return dst


def load_released(w: Weights | str, download: bool = True) -> tuple[dict[str, torch.Tensor], dict]:
    """Their state_dict (their key names) and the file's other entries (e.g. ``best_prec1``)."""
    w = _entry(w)
    path = weights_file(w, download=download)
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)  # never unpickle arbitrary objects
    except Exception as e:
        raise WeightsError(f"cannot read {path} with torch.load(weights_only=True): {type(e).__name__}: {e}") from None
    if not isinstance(obj, dict) or not isinstance(obj.get("state_dict"), dict):
        raise WeightsError(f"{path}: expected a dict with a 'state_dict' entry (their trainer's format), "
                           f"got {type(obj).__name__}{' with keys ' + ', '.join(map(str, obj)) if isinstance(obj, dict) else ''}")
    meta = {k: v for k, v in obj.items() if k != "state_dict"}
    if "best_prec1" in meta:
        meta["best_prec1"] = float(meta["best_prec1"])
    return obj["state_dict"], meta


def _entry(w: Weights | str) -> Weights:
    if isinstance(w, Weights):
        return w
    if w in WEIGHTS:
        return WEIGHTS[w]
    model, _, tag = w.partition(".")
    return get_weights(model, tag or "akamaster")


# --- their layout -> ours -------------------------------------------------------------------------
def option_a_permutations(widths: Sequence[int]) -> list[torch.Tensor]:
    """For each stage, ``perm`` with: our channel ``j`` of the stage = their channel ``perm[j]``.

    Their option-A shortcut into a stage of width ``C`` from one of width ``C_prev`` pads
    ``(C - C_prev) // 2`` zero channels on *both* sides (``F.pad(..., (0, 0, 0, 0, C//4, C//4))``
    for ``C = 2 C_prev``): channel ``c`` of the previous stage lands at ``c + pad``. Ours appends the
    zeros: channel ``c`` stays at ``c``. So within the stage, our first ``C_prev`` channels are
    their channels ``perm_prev[j] + pad``, and our appended channels are their zero-padded ones
    (both sides, in order). The first stage (same width as the stem) is the identity.
    """
    perms = [torch.arange(widths[0])]
    for prev, width in zip(widths, widths[1:]):
        if (width - prev) % 2:
            raise WeightsError(f"symmetric option-A padding needs an even width increase, got {prev}->{width}")
        pad = (width - prev) // 2
        zeros = torch.cat([torch.arange(pad), torch.arange(pad + prev, width)])
        perms.append(torch.cat([perms[-1] + pad, zeros]))
    return perms


_BLOCK_KEY = re.compile(r"layer(\d+)\.(\d+)\.(conv1|bn1|conv2|bn2)\.(.+)")


def convert_state_dict(theirs: dict[str, torch.Tensor], model: nn.Module) -> dict[str, torch.Tensor]:
    """Their CIFAR ResNet state_dict -> a state_dict for our ``model`` (``CifarResNet``, option A).

    Renames (``module.`` dropped, ``linear.*`` -> ``fc.*``, ``num_batches_tracked`` taken from
    ``model``) and permutes channels so that our model computes exactly their function.

    Why permuting is the same function: the residual stream of a stage is a stack of channels, and
    every operation on it treats channels either one at a time (BN, ReLU, the addition, average
    pooling) or as a weighted sum over all of them (the next conv's input side, the FC). Reorder
    the stream by a permutation ``P`` -- our channel ``j`` holds their channel ``P[j]`` -- and
    reorder each tensor's matching axis the same way (the output axis of every ``conv2``/``bn2``
    that writes into the stream, ``w[P]``; the input axis of every ``conv1`` and of ``fc`` that
    reads from it, ``w[:, P]``): each per-channel operation then acts on the same numbers in a new
    place, and each weighted sum adds the same products in a different order. The shortcut is the
    only operation that is not generic in the channels -- it decides *where* the old channels sit
    in the wider stage -- and :func:`option_a_permutations` chooses ``P`` so that their
    middle-placed identity channels are exactly our first ones. Inside a block (``conv1``'s output,
    ``bn1``, ``conv2``'s input) nothing changes. The result is equal up to float rounding (the
    sums are taken in another order); the tests check it against an independent implementation of
    their forward.
    """
    theirs = {k.removeprefix("module."): v for k, v in theirs.items()}
    theirs = {("fc." + k[len("linear."):] if k.startswith("linear.") else k): v for k, v in theirs.items()}
    ours = model.state_dict()
    stages = sorted({int(m.group(1)) for k in ours if (m := _BLOCK_KEY.fullmatch(k))})
    widths = [ours["bn1.weight"].numel()] + [ours[f"layer{s}.0.bn2.weight"].numel() for s in stages]
    # perms[0] is the stem; stage s uses perms[s] (the stem and stage 1 have the same width here).
    perms = [torch.arange(widths[0])] + option_a_permutations(widths[1:])
    if widths[1] != widths[0]:
        raise WeightsError(f"expected the first stage as wide as the stem, got {widths}")

    def permuted(key: str, t: torch.Tensor) -> torch.Tensor:
        if key.startswith(("conv1.", "bn1.")):
            return t if t.ndim == 0 else t[perms[0]]
        if key == "fc.weight":
            return t[:, perms[-1]]
        if key == "fc.bias":
            return t
        m = _BLOCK_KEY.fullmatch(key)
        if m is None:
            raise WeightsError(f"unexpected parameter {key!r} for an option-A CIFAR ResNet")
        s, i, mod = int(m.group(1)), int(m.group(2)), m.group(3)
        if mod == "conv1":  # reads the stream: of the previous stage in a stage's first block
            return t[:, perms[s - 1] if i == 0 else perms[s]]
        if mod in ("conv2", "bn2"):  # writes into the stream
            return t if t.ndim == 0 else t[perms[s]]
        return t  # bn1: inside the block

    out, missing = {}, []
    for key, ref in ours.items():
        if key.endswith("num_batches_tracked") and key not in theirs:
            out[key] = ref.clone()  # not saved by their (older) PyTorch; unused in eval mode
            continue
        if key not in theirs:
            missing.append(key)
            continue
        t = theirs[key]
        if tuple(t.shape) != tuple(ref.shape):
            raise WeightsError(f"{key}: their shape {tuple(t.shape)} does not fit our {tuple(ref.shape)}")
        out[key] = permuted(key, t).clone().to(ref.dtype)
    extra = sorted(set(theirs) - set(ours))
    if missing or extra:
        raise WeightsError("their state_dict does not fit this model: "
                           + (f"missing {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}; " if missing else "")
                           + (f"unexpected {', '.join(extra[:5])}{' ...' if len(extra) > 5 else ''}" if extra else ""))
    return out


# --- listing (CLI) ------------------------------------------------------------------------------------
def status_rows() -> list[list[str]]:
    """One row per released file: name, file, reported error, best_prec1, hash kind, where it is."""
    rows = []
    for w in WEIGHTS.values():
        p = locate(w)
        here = "not here (download-only)" if p is None and w.best_prec1 is None else ("not here" if p is None else f"{where(w)}: {p}")
        rows.append([w.name, w.file, f"{w.reported_error:.2f}", "-" if w.best_prec1 is None else f"{w.best_prec1:.2f}",
                     "full" if w.full_hash else f"prefix {w.sha256}", here])
    return rows


def verify_all(download: bool = False) -> list[tuple[Weights, str]]:
    """Verify every local file (hash, ``weights_only`` load, conversion into our model); optionally
    fetch missing ones. Returns (entry, a line) per file: "ok ...", "not here ..." or "BAD ..." --
    every file is checked, a bad one does not hide the others (:func:`bad_files` lists the bad)."""
    out = []
    for w in WEIGHTS.values():
        if locate(w) is None and not download:
            out.append((w, f"not here: put it at {cache_path(w)} or in ${ENV_VAR}/{w.tag}/ (or use --download)"))
            continue
        try:
            path = weights_file(w, download=download)
            theirs, meta = load_released(w, download=False)
            model = builder(w.model)()
            model.load_state_dict(convert_state_dict(theirs, model), strict=True)
            bp = meta.get("best_prec1")
            if w.best_prec1 is not None and bp is not None and abs(float(bp) - w.best_prec1) > 0.005:
                raise WeightsError(f"{path}: best_prec1 {float(bp):.2f} in the file, the registry says {w.best_prec1}")
        except DataError as e:
            out.append((w, f"BAD: {e}"))
            continue
        out.append((w, f"ok: {'SHA-256' if w.full_hash else 'SHA-256 prefix'} matches, loads into our {w.model}"
                       + (f", best_prec1 {float(bp):.2f}" if bp is not None else "") + f" ({path})"))
    return out


def bad_files(results: list[tuple[Weights, str]]) -> list[str]:
    """The names of the entries that :func:`verify_all` found bad."""
    return [w.name for w, line in results if line.startswith("BAD")]
