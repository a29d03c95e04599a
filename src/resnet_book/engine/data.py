"""CIFAR-10 for the course: a local cache format, splits, and augmentation as batched tensor ops.

Cache format (also the layout of the developers' shared copy): ``cifar10_train_{0..4}.npz`` and
``cifar10_test.npz``, each with ``images`` (uint8, N x 32 x 32 x 3, RGB) and ``labels``. A folder
may also hold ``cifar10_test_lossless1k.npz`` (the first 1,000 canonical test images, bit-exact),
read only by the ``test_lossless1k`` split.

Where the data comes from, in order:

1. the ``data_dir`` argument, or the ``RESNET_BOOK_DATA`` environment variable;
2. the user cache (``$XDG_CACHE_HOME/resnet_book/cifar10``, default ``~/.cache/...``), filled
   once by downloading with ``torchvision.datasets.CIFAR10``.

Training follows airbench's design: the whole split sits on the training device as uint8,
augmentation (pad + random crop + flip, paper Sec. 4.2) runs as batched tensor ops there, and
shuffling is ``torch.randperm`` -- no DataLoader, no PIL in the hot loop. Every random choice
comes from a generator seeded by (seed, epoch) or (seed, iteration), so a run resumed from a
checkpoint sees exactly the batches an uninterrupted run would have seen.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ..errors import ConfigError, DataError
from ..files import atomic_write, file_sha256

ENV_VAR = "RESNET_BOOK_DATA"
TRAIN_FILES = [f"cifar10_train_{i}.npz" for i in range(5)]
TEST_FILE = "cifar10_test.npz"
LOSSLESS1K_FILE = "cifar10_test_lossless1k.npz"  # optional; only the "test_lossless1k" split reads it
CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
PAD = 4  # paper Sec. 4.2: "4 pixels are padded on each side" before a random 32x32 crop


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "resnet_book" / "cifar10"


def _has_all_files(folder: Path) -> bool:
    return all((folder / f).is_file() for f in TRAIN_FILES + [TEST_FILE])


def resolve_data_dir(data_dir: str | os.PathLike | None = None, download: bool = True) -> Path:
    """The folder holding the cache-format files (downloading into the user cache if needed)."""
    if data_dir is None and os.environ.get(ENV_VAR):
        data_dir, origin = os.environ[ENV_VAR], f"${ENV_VAR}"
    else:
        origin = "the data_dir argument / --data"
    if data_dir is not None:
        folder = Path(data_dir).expanduser()
        if not _has_all_files(folder):
            missing = [f for f in TRAIN_FILES + [TEST_FILE] if not (folder / f).is_file()]
            raise DataError(
                f"CIFAR-10 not found in {folder} (from {origin}): missing {', '.join(missing)}. "
                f"Point {ENV_VAR} or --data at a folder with cifar10_train_0..4.npz and cifar10_test.npz, "
                f"or unset it to download into {default_cache_dir()}."
            )
        return folder
    folder = default_cache_dir()
    if _has_all_files(folder):
        return folder
    if not download:
        raise DataError(f"CIFAR-10 not found in {folder}; run `python -m resnet_book data` to download it.")
    return download_cifar10(folder)


def download_cifar10(folder: Path) -> Path:
    """Download CIFAR-10 with torchvision and write it once in the cache format."""
    from torchvision.datasets import CIFAR10

    raw = folder / "raw"
    try:
        train = CIFAR10(str(raw), train=True, download=True)
        test = CIFAR10(str(raw), train=False, download=True)
    except Exception as e:  # no network, proxy, disk...
        raise DataError(
            f"CIFAR-10 is not in {folder} and downloading it failed ({type(e).__name__}: {e}). "
            f"Either connect to the internet and retry, or set {ENV_VAR} to a folder with "
            f"cifar10_train_0..4.npz and cifar10_test.npz (the shared developer copy is ../shared/data/cifar10)."
        ) from None
    folder.mkdir(parents=True, exist_ok=True)
    x, y = np.asarray(train.data, dtype=np.uint8), np.asarray(train.targets, dtype=np.uint8)
    for i, name in enumerate(TRAIN_FILES):
        _savez_atomic(folder / name, x[i * 10_000:(i + 1) * 10_000], y[i * 10_000:(i + 1) * 10_000])
    _savez_atomic(folder / TEST_FILE, np.asarray(test.data, np.uint8), np.asarray(test.targets, np.uint8))
    return folder


def _savez_atomic(path: Path, images: np.ndarray, labels: np.ndarray) -> None:
    atomic_write(path, lambda f: np.savez_compressed(f, images=images, labels=labels))


def _load_file(path: Path) -> tuple[np.ndarray, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as f:
            images, labels = f["images"], f["labels"]
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as e:
        raise DataError(
            f"cannot read {path}: {type(e).__name__}: {e}. The file is truncated or corrupt; "
            f"delete it and re-create it (`python -m resnet_book data`), or point {ENV_VAR} at a good copy."
        ) from None
    if (images.dtype != np.uint8 or images.ndim != 4 or images.shape[1:] != (32, 32, 3) or labels.ndim != 1
            or len(labels) != len(images) or not np.issubdtype(labels.dtype, np.integer)):
        raise DataError(
            f"{path} is not in the cache format: expected images uint8 N x 32 x 32 x 3 and N integer labels "
            f"(one per image), got images {images.dtype} {images.shape} and labels {labels.dtype} {labels.shape}."
        )
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise DataError(f"{path}: labels must lie in 0..9, found {labels.min()}..{labels.max()}")
    return images, labels.astype(np.int64)


# SHA-256 of the JPEG-derived developer copy's test file (../shared/data/cifar10/README.md):
# its pixels are not the original CIFAR-10, so results on it must not be read as accuracy claims.
JPEG_COPY_TEST_SHA256 = "51b738f4f96bf38e77295b2730660cb23ba54fbcdacec0dca22eff776d379ae5"


def fingerprint(folder: Path) -> str:
    """Data fingerprint: SHA-256 over the six files' SHA-256s (in a fixed order).

    ``cifar10_test_lossless1k.npz`` is deliberately not part of it (adding it would change the id
    of every existing run): the ``test_lossless1k`` split checks that file's *content* against the
    pinned digests below, so its name alone says which pixels it evaluates on (see :func:`make_split`).
    """
    return hashlib.sha256("".join(file_sha256(folder / n) for n in TRAIN_FILES + [TEST_FILE]).encode()).hexdigest()


# The first 1,000 images of the original ``test_batch``, bit-exact and in canonical order (the
# content of LOSSLESS1K_FILE): SHA-256 of ``images.tobytes()`` (uint8, 1000 x 32 x 32 x 3, C order)
# and of ``labels`` as uint8. Content digests, not file digests: np.savez_compressed writes a
# timestamp into the zip, so the same arrays saved twice give different files.
LOSSLESS1K_IMAGES_SHA256 = "da362006b99671213d1a5d856cab2bedf64d40bad4501630ee60f4ceb2d3ec7f"
LOSSLESS1K_LABELS_SHA256 = "636a087e604331a0b9dafc94b6e9ade0c9cec72c4400d12473ccdb3e264474c1"


def _is_lossless1k(images: np.ndarray, labels: np.ndarray) -> bool:
    """True when these are exactly the first 1,000 canonical test images and labels (original pixels)."""
    if images.shape != (1000, 32, 32, 3) or len(labels) != 1000:
        return False
    return (hashlib.sha256(np.ascontiguousarray(images, dtype=np.uint8).tobytes()).hexdigest() == LOSSLESS1K_IMAGES_SHA256
            and hashlib.sha256(np.asarray(labels, dtype=np.uint8).tobytes()).hexdigest() == LOSSLESS1K_LABELS_SHA256)


def load_lossless1k(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """The 1,000 lossless canonical test images of ``folder/cifar10_test_lossless1k.npz``, content-checked."""
    path = Path(folder) / LOSSLESS1K_FILE
    if not path.is_file():
        raise DataError(
            f"split 'test_lossless1k' needs {LOSSLESS1K_FILE} (the first 1,000 original test images, bit-exact) "
            f"in {folder}, whose own test set is not the original CIFAR-10: put the file there (the developers' "
            f"copy is ../shared/data/cifar10/{LOSSLESS1K_FILE}), or download the original CIFAR-10 "
            f"(unset {ENV_VAR}; `python -m resnet_book data`), where the split uses the full lossless test set."
        )
    images, labels = _load_file(path)
    if not _is_lossless1k(images, labels):
        raise DataError(
            f"{path} is not the first 1,000 original CIFAR-10 test images in canonical order (its content "
            f"digest differs from the pinned one); replace it with the developers' copy."
        )
    return images, labels


def lossless1k_in_jpeg_copy(data: "Cifar10") -> np.ndarray:
    """Indices into the JPEG copy's test set of the 1,000 lossless images, in canonical order.

    The JPEG-derived test file is sorted by class, keeping each class's canonical relative order
    (its README: the k-th image of class c among the first 1,000 of ``test_batch`` is ``c*1000 + k``,
    confirmed for all 1,000). So ``data.x_test[idx]`` are the same photos as the lossless 1k, only
    JPEG-degraded: a paired comparison of the two pixel versions.
    """
    if not data.jpeg_copy:
        raise DataError(f"{data.folder} does not hold the JPEG-derived copy (recognised by its test file's SHA-256)")
    _, labels = load_lossless1k(data.folder)
    rank = np.zeros(len(labels), np.int64)
    seen = np.zeros(len(CLASSES), np.int64)
    for i, c in enumerate(labels):
        rank[i], seen[c] = seen[c], seen[c] + 1
    idx = labels * 1000 + rank
    if not (data.y_test[idx] == labels).all():
        raise DataError(f"{data.folder}: the test set is not sorted class by class as the JPEG copy's README says")
    return idx


@dataclass
class Cifar10:
    """CIFAR-10 in memory as numpy arrays (NHWC uint8 images, int64 labels)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    folder: Path
    fingerprint: str
    jpeg_copy: bool = False  # True for the JPEG-derived developer copy (not the original pixels)
    # True when the test set starts with the 1,000 lossless canonical test images, i.e. it holds the
    # original pixels in canonical order (what torchvision's download gives), see _is_lossless1k.
    lossless_test: bool = False

    def __repr__(self) -> str:
        return (f"Cifar10(train={len(self.y_train)}, test={len(self.y_test)}, folder={str(self.folder)!r}, "
                f"fingerprint={self.fingerprint[:12]}...)")


_CACHE: dict[Path, Cifar10] = {}


def load_cifar10(data_dir: str | os.PathLike | None = None, download: bool = True) -> Cifar10:
    """Load (and cache in this process) CIFAR-10 from the cache format; see the module docstring."""
    folder = resolve_data_dir(data_dir, download=download).resolve()
    if folder not in _CACHE:
        train = [_load_file(folder / name) for name in TRAIN_FILES]
        x_test, y_test = _load_file(folder / TEST_FILE)
        x_train = np.concatenate([t[0] for t in train])
        y_train = np.concatenate([t[1] for t in train])
        if len(y_train) != 50_000 or len(y_test) != 10_000:
            raise DataError(f"{folder}: expected 50,000 train and 10,000 test images, got {len(y_train)} and {len(y_test)}")
        jpeg = file_sha256(folder / TEST_FILE) == JPEG_COPY_TEST_SHA256
        lossless = not jpeg and _is_lossless1k(x_test[:1000], y_test[:1000])
        _CACHE[folder] = Cifar10(x_train, y_train, x_test, y_test, folder, fingerprint(folder), jpeg, lossless)
    return _CACHE[folder]


# --- splits ------------------------------------------------------------------------------------
def stratified_indices(labels: np.ndarray, n: int, seed: int) -> np.ndarray:
    """``n`` indices with (as nearly as possible) equal counts per class, chosen with ``seed``.

    Never take "the first N" images: the shared test file is sorted by class.
    """
    labels = np.asarray(labels)
    classes = np.unique(labels)
    if n > len(labels):
        raise ConfigError(f"asked for {n} images, only {len(labels)} available")
    rng = np.random.default_rng(seed)
    per_class = [rng.permutation(np.flatnonzero(labels == c)) for c in classes]
    base, extra = divmod(n, len(classes))
    order = rng.permutation(len(classes))  # which classes get the remainder
    take = {int(c): base + (1 if r < extra else 0) for r, c in zip(range(len(classes)), order)}
    picked = np.concatenate([idx[: take[i]] for i, idx in enumerate(per_class)])
    return np.sort(picked)


SPLITS = {
    "full": "train on all 50,000 training images, evaluate on the 10,000 test images",
    "val45k": "the paper's 45k/5k train/val split (Sec. 4.2): train on 45,000, evaluate on 5,000 held-out training images",
    "test_lossless1k": "train on all 50,000 training images, evaluate on original (lossless) test pixels: the full "
                       "10,000 where the folder holds the original CIFAR-10, else the 1,000 canonical test images "
                       "of cifar10_test_lossless1k.npz",
}
VAL_SEED = 20151210  # fixed: the 45k/5k split is the same for every run (arXiv v1 date)


@dataclass
class Split:
    """Arrays of one train/eval split (numpy, NHWC uint8)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_eval: np.ndarray
    y_eval: np.ndarray
    eval_name: str  # "test", "val" or "test_lossless1k" (the 1,000-image lossless subset)


def make_split(data: Cifar10, split: str = "full", train_subset: int | None = None,
               eval_subset: int | None = None, subset_seed: int = 0) -> Split:
    """Train/eval arrays for ``split`` (see ``SPLITS``), optionally stratified seeded subsets.

    ``test_lossless1k`` evaluates on original pixels. Where ``data`` holds the original CIFAR-10
    (``data.lossless_test``: its test set begins with the 1,000 pinned lossless images, as
    torchvision's download does) that is the whole test set, ``eval_name`` ``"test"``; elsewhere
    (the JPEG-derived copy) it is the 1,000 images of ``cifar10_test_lossless1k.npz``, content-checked
    against pinned digests, ``eval_name`` ``"test_lossless1k"``. Identity: a run id hashes the split
    name and the data fingerprint (the six cache files, hence also whether the test set is the
    original); the 1k file is pinned by content, so (split, fingerprint) determines the eval pixels.
    """
    if split == "full":
        xtr, ytr, xev, yev, name = data.x_train, data.y_train, data.x_test, data.y_test, "test"
    elif split == "test_lossless1k":
        xtr, ytr = data.x_train, data.y_train
        if data.lossless_test:
            xev, yev, name = data.x_test, data.y_test, "test"
        else:
            (xev, yev), name = load_lossless1k(data.folder), "test_lossless1k"
    elif split == "val45k":
        val = stratified_indices(data.y_train, 5_000, VAL_SEED)
        keep = np.setdiff1d(np.arange(len(data.y_train)), val)
        xtr, ytr, xev, yev, name = data.x_train[keep], data.y_train[keep], data.x_train[val], data.y_train[val], "val"
    else:
        raise ConfigError(f"unknown split {split!r}; known: {', '.join(SPLITS)}")
    if train_subset is not None and train_subset < len(ytr):
        idx = stratified_indices(ytr, train_subset, subset_seed)
        xtr, ytr = xtr[idx], ytr[idx]
    if eval_subset is not None and eval_subset < len(yev):
        idx = stratified_indices(yev, eval_subset, subset_seed + 1)
        xev, yev = xev[idx], yev[idx]
    return Split(xtr, ytr, xev, yev, name)


# --- on the device -------------------------------------------------------------------------------
NORMALIZATIONS = {
    "pixel": "subtract the per-pixel mean image of the training split (paper Sec. 4.2)",
    "channel": "subtract the per-channel mean and divide by the per-channel std (common modern choice, not the paper)",
}


class DeviceData:
    """One split on the training device: uint8 NCHW images, labels, and the input normalisation.

    ``x_train`` stays uint8 (4x smaller than float, the whole of CIFAR-10 is 150 MB) and is
    converted to float one batch at a time, after augmentation.
    """

    def __init__(self, split: Split, device: str | torch.device = "cpu", normalize: str = "pixel",
                 channels_last: bool = False) -> None:
        if normalize not in NORMALIZATIONS:
            raise ConfigError(f"unknown normalisation {normalize!r}; known: {', '.join(NORMALIZATIONS)}")
        self.device = torch.device(device)
        self.channels_last = channels_last
        to = lambda a: torch.from_numpy(np.ascontiguousarray(a)).to(self.device)  # noqa: E731
        self.x_train = to(split.x_train).permute(0, 3, 1, 2).contiguous()  # N, 3, 32, 32 uint8
        self.y_train = to(split.y_train)
        self.x_eval = to(split.x_eval).permute(0, 3, 1, 2).contiguous()
        self.y_eval = to(split.y_eval)
        self.eval_name = split.eval_name
        x = self.x_train.float().div_(255)
        if normalize == "pixel":
            self.mean, self.std = x.mean(0, keepdim=True), torch.ones(1, 3, 1, 1, device=self.device)
        else:
            self.mean = x.mean((0, 2, 3), keepdim=True)
            self.std = x.std((0, 2, 3), keepdim=True)
        self.normalize = normalize
        self._order_key: tuple[int, int] | None = None
        self._order: torch.Tensor | None = None

    @property
    def n_train(self) -> int:
        return len(self.y_train)

    def to_input(self, x_uint8: torch.Tensor) -> torch.Tensor:
        """uint8 NCHW -> normalised float (pixel values scaled to [0, 1] first)."""
        x = (x_uint8.float().div_(255) - self.mean) / self.std
        return x.contiguous(memory_format=torch.channels_last) if self.channels_last else x

    def epoch_order(self, seed: int, epoch: int) -> torch.Tensor:
        """The shuffled order of the training set for ``epoch`` (``torch.randperm``)."""
        if self._order_key != (seed, epoch):  # one randperm per epoch, not per batch
            g = torch.Generator(device=self.device).manual_seed(mix_seed(seed, 1, epoch))
            self._order = torch.randperm(self.n_train, generator=g, device=self.device)
            self._order_key = (seed, epoch)
        return self._order

    def batch(self, seed: int, iteration: int, batch_size: int, augment: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
        """Mini-batch number ``iteration`` (0-based): its images (augmented, normalised) and labels.

        Batches walk through one ``randperm`` per epoch; a last partial batch of an epoch is
        dropped (every batch has ``batch_size`` images, as in the paper's iteration counts).
        """
        per_epoch = self.n_train // batch_size
        if per_epoch == 0:
            raise ConfigError(f"batch size {batch_size} is larger than the training set ({self.n_train})")
        epoch, k = divmod(iteration, per_epoch)
        idx = self.epoch_order(seed, epoch)[k * batch_size:(k + 1) * batch_size]
        x = self.x_train[idx]
        if augment:
            g = torch.Generator(device=self.device).manual_seed(mix_seed(seed, 2, iteration))
            x = random_crop_flip(x, g)
        return self.to_input(x), self.y_train[idx]


def mix_seed(seed: int, stream: int, counter: int) -> int:
    """A 63-bit generator seed from (seed, stream, counter): independent streams, no state to save."""
    h = hashlib.blake2b(f"{seed}/{stream}/{counter}".encode(), digest_size=8).digest()
    return int.from_bytes(h, "little") & ((1 << 63) - 1)


def random_crop_flip(x: torch.Tensor, generator: torch.Generator, pad: int = PAD) -> torch.Tensor:
    """Paper Sec. 4.2 augmentation on a uint8 NCHW batch, as batched tensor ops.

    Zero-pad ``pad`` pixels on each side (like torchvision's ``RandomCrop(32, padding=4)``: black
    borders), take a random 32x32 crop per image, and flip each image horizontally with p = 0.5.
    """
    n, c, h, w = x.shape
    dev = x.device
    xp = torch.nn.functional.pad(x, (pad, pad, pad, pad))  # uint8 zero padding
    dy = torch.randint(0, 2 * pad + 1, (n,), generator=generator, device=dev)
    dx = torch.randint(0, 2 * pad + 1, (n,), generator=generator, device=dev)
    flip = torch.rand(n, generator=generator, device=dev) < 0.5
    rows = (dy[:, None] + torch.arange(h, device=dev)).view(n, 1, h, 1).expand(n, c, h, w + 2 * pad)
    out = xp.gather(2, rows)  # n, c, h, w+2p
    cols = dx[:, None] + torch.arange(w, device=dev)
    cols = torch.where(flip[:, None], cols.flip(1), cols)  # a flip is reading the columns backwards
    return out.gather(3, cols.view(n, 1, 1, w).expand(n, c, h, w))
