"""ImageNet for the paper's Sec. 3.4 recipe: a user's ImageFolder, the paper's augmentation, 10-crop testing.

Data: a folder in torchvision's ``ImageFolder`` layout, ``DIR/train/<wnid>/*.JPEG`` and
``DIR/val/<wnid>/*.JPEG`` (class index = position of the folder name in sorted order, as
torchvision's; the flat ILSVRC2012 ``val/`` must first be sorted into one folder per class).
The folder is listed here without importing torchvision (its import costs every torchrun process
several seconds); ``tests/test_imagenet.py`` checks that the listing equals ``ImageFolder``'s.

Input pipeline (paper Sec. 3.4): "The image is resized with its shorter side randomly sampled in
[256, 480] for scale augmentation. A 224x224 crop is randomly sampled from an image or its
horizontal flip, with the per-pixel mean subtracted. The standard color augmentation in [21] is
used." Testing: "we adopt the standard 10-crop testing"; the single centre 224 crop of the image
resized to 256 is reported beside it (and plotted during training, like Fig. 4's bold curves).

Decoding, resizing, cropping and flipping run in DataLoader worker processes (PIL), which hand
over uint8 crops in pinned memory; the normalisation runs on the training device, where the
per-image colour noise of Krizhevsky et al. is a single RGB offset per image. Every random choice
of a sample is drawn from a generator seeded by (seed, epoch, image index): independent of the
number of processes, workers and restarts, so a resumed run and an N-process run see exactly the
images an uninterrupted one-process run would have seen.
"""

from __future__ import annotations

import hashlib
import os
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from ..errors import ConfigError, DataError
from ..models.utils import eval_mode
from ..files import atomic_write
from .checkpoints import load_checkpoint_file, save_checkpoint
from .data import mix_seed, stratified_indices
from .train import TrainConfig

ENV_VAR = "RESNET_BOOK_IMAGENET"
#: The file endings torchvision's ImageFolder accepts (``torchvision.datasets.folder.IMG_EXTENSIONS``).
IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")
IMAGENET_CLASSES = 1_000

# Krizhevsky et al. (2012), Sec. 4.1: "we perform PCA on the set of RGB pixel values throughout the
# ImageNet training set. To each training image, we add multiples of the found principal
# components, with magnitudes proportional to the corresponding eigenvalues times a random variable
# drawn from a Gaussian with mean zero and standard deviation 0.1." The eigenvalues and (column)
# eigenvectors of ImageNet's RGB covariance, for pixels scaled to [0, 1], as published with
# Facebook's re-implementation of this paper (fb.resnet.torch, datasets/imagenet.lua) and reused by
# most PyTorch ports of it. Used for any folder (on a small one they are just the noise's shape).
PCA_EIGVAL = (0.2175, 0.0188, 0.0045)
PCA_EIGVEC = ((-0.5675, 0.7192, 0.4009),
              (-0.5808, -0.0045, -0.8140),
              (-0.5836, -0.6948, 0.4203))

# "The learning rate starts from 0.1 and is divided by 10 when the error plateaus, and the models
# are trained for up to 60 x 10^4 iterations" (Sec. 3.4). A plateau is a judgement made while
# watching a run; a re-run needs it as numbers fixed in advance, the same for every network so
# that Tables 2 and 3 compare networks, not schedules. We divide at 150k, 300k and 450k iterations
# -- 30, 60 and 90 epochs of the 1.28M training images at batch 256 -- and stop at the paper's 600k
# (120 epochs). Steps every 30 epochs are the schedule of Facebook's re-implementation of this
# paper (fb.resnet.torch, Gross & Wilber 2016) and of PyTorch's reference ImageNet recipe, both of
# which come within about a point of the paper's errors; here stretched to the paper's 600k.
IMAGENET_MILESTONES = (150_000, 300_000, 450_000)


@dataclass
class ImageNetConfig(TrainConfig):
    """The paper's ImageNet recipe (Sec. 3.4): a :class:`~resnet_book.engine.train.TrainConfig` with
    ImageNet's defaults and input fields. Schedules count iterations of the GLOBAL batch."""

    batch_size: int = 256  # GLOBAL mini-batch, shared equally by the torchrun processes
    lr: float = 0.1  # at batch 256; experiments.run_config scales it linearly for other batches
    max_iters: int = 600_000  # "trained for up to 60 x 10^4 iterations"
    milestones: tuple[int, ...] = IMAGENET_MILESTONES  # lr /10 at each (see IMAGENET_MILESTONES)
    log_every: int = 100
    eval_every: int = 5_000  # ~one epoch; centre-crop val error, the bold curves of Fig. 4
    checkpoint_every: int = 1_000  # ~5-15 minutes of an 8-GPU node
    # Input (Sec. 3.4). Sizes in pixels.
    crop: int = 224  # random crop for training; the size of every test crop
    scale_min: int = 256  # shorter side resized to a random size in [scale_min, scale_max]
    scale_max: int = 480
    test_size: int = 256  # shorter side before the 10 test crops / the centre crop
    color_std: float = 0.1  # std of Krizhevsky's PCA colour noise (0 = off)
    ten_crop: bool = True  # the final evaluation adds 10-crop testing (the paper's Tables 2-3)
    mean_images: int = 10_000  # training images (stratified, seeded) averaged for the per-pixel mean
    num_classes: int | None = IMAGENET_CLASSES  # the folder must have this many classes (None: any)
    workers: int = 8  # DataLoader worker processes per training process (how, not what: not in run ids)
    # An image that cannot be decoded stops the run before training (naming it); True trains without
    # the unreadable images instead, and says how many (the data fingerprint covers what is used).
    skip_bad_images: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        problems = []
        if self.crop < 1 or not self.crop <= self.scale_min <= self.scale_max:
            problems.append(f"need 1 <= crop <= scale_min <= scale_max (got {self.crop}, {self.scale_min}, {self.scale_max})")
        if self.test_size < self.crop:
            problems.append(f"test_size ({self.test_size}) must be >= crop ({self.crop})")
        if self.split != "full":
            problems.append(f"ImageNet trains on train/ and evaluates on val/: split must be 'full' (got {self.split!r})")
        if self.normalize not in ("pixel", "channel"):
            problems.append(f"normalize must be 'pixel' or 'channel' (got {self.normalize!r})")
        if self.color_std < 0 or self.mean_images < 1 or self.workers < 0:
            problems.append("color_std and workers must be >= 0 and mean_images >= 1")
        if self.num_classes is not None and self.num_classes < 1:
            problems.append(f"num_classes must be >= 1 or None (got {self.num_classes})")
        if problems:
            raise ConfigError("invalid ImageNetConfig: " + "; ".join(problems))


def linear_scaling(cfg: ImageNetConfig, overrides: dict, base_batch: int, base_lr: float) -> ImageNetConfig:
    """The recipe at another global batch B (Goyal et al. 2017, "linear scaling rule"): lr x B/256,
    and the schedule (``max_iters``, ``milestones``) x 256/B so that a run sees the same epochs.
    Fields the user set (``overrides``) stay as set. The scaled values are the run's config."""
    k = cfg.batch_size / base_batch
    changes = {}
    if "lr" not in overrides:
        changes["lr"] = base_lr * k
    if "max_iters" not in overrides:
        changes["max_iters"] = max(1, round(cfg.max_iters / k))
    if "milestones" not in overrides:
        changes["milestones"] = tuple(max(1, round(m / k)) for m in cfg.milestones)
    return cfg.replace(**changes) if k != 1 else cfg


def scaling_note(cfg: ImageNetConfig, base_batch: int, base_lr: float) -> str:
    """How the run's lr relates to the paper's (recorded in each record's provenance)."""
    if cfg.batch_size == base_batch:
        return f"the paper's batch {base_batch} and lr {base_lr:g}"
    return (f"global batch {cfg.batch_size}: lr {base_lr:g} x {cfg.batch_size}/{base_batch} = {base_lr * cfg.batch_size / base_batch:g} "
            f"and iterations x {base_batch}/{cfg.batch_size} (linear scaling rule, Goyal et al. 2017); config.lr = {cfg.lr:g}")


# --- the folder ----------------------------------------------------------------------------------
def _classes(folder: Path) -> list[str]:
    return sorted(e.name for e in os.scandir(folder) if e.is_dir())


def _images(folder: Path, classes: list[str]) -> tuple[list[tuple[str, int]], list[str]]:
    """(path, class index) pairs in ImageFolder's order, and the classes without any image."""
    samples, empty = [], []
    for i, c in enumerate(classes):
        n = len(samples)
        for root, _, names in sorted(os.walk(folder / c, followlinks=True)):
            samples += [(os.path.join(root, f), i) for f in sorted(names) if f.lower().endswith(IMG_EXTENSIONS)]
        if len(samples) == n:
            empty.append(c)
    return samples, empty


def _few(names: list[str], n: int = 3) -> str:
    return ", ".join(names[:n]) + (f" and {len(names) - n} more" if len(names) > n else "")


@dataclass
class ImageFolder:
    """An ImageNet-style folder, listed: sorted class names and (path, class index) pairs of train/ and val/."""

    root: Path
    classes: list[str]
    train: list[tuple[str, int]]
    val: list[tuple[str, int]]
    skipped: int = 0  # unreadable images left out (check_images with skip)

    def fingerprint(self) -> str:
        """SHA-256 of every image's relative path and size (a re-encoded or resized copy differs)."""
        h = hashlib.sha256()
        for split, samples in (("train", self.train), ("val", self.val)):
            for path, label in samples:
                h.update(f"{split}\t{os.path.relpath(path, self.root)}\t{label}\t{os.path.getsize(path)}\n".encode())
        return h.hexdigest()


def find_imagefolder(data_dir: str | os.PathLike | None = None, num_classes: int | None = None) -> ImageFolder:
    """List ``data_dir`` (default ``$RESNET_BOOK_IMAGENET``) and check its layout; raise a
    :class:`~resnet_book.errors.DataError` saying what is wrong and how to fix it."""
    layout = "DIR/train/<class>/<image>.JPEG and DIR/val/<class>/<image>.JPEG (torchvision's ImageFolder layout)"
    if data_dir is None:
        data_dir = os.environ.get(ENV_VAR)
        if not data_dir:
            raise DataError(f"the ImageNet experiments need a data folder: pass --data DIR or set ${ENV_VAR}, with {layout}")
    root = Path(data_dir).expanduser()
    if not root.is_dir():
        raise DataError(f"no data folder at {root}; expected {layout}")
    if not (root / "train").is_dir():
        raise DataError(f"{root} is not in ImageFolder layout: it has no train/ folder; expected {layout}")
    if not (root / "val").is_dir():
        raise DataError(f"{root} has train/ but no val/ folder; expected {layout}")
    classes = _classes(root / "train")
    if not classes:
        raise DataError(f"{root / 'train'} has no class folders; expected {layout}")
    val_classes = _classes(root / "val")
    if not val_classes:
        raise DataError(f"{root / 'val'} has no class folders (the flat ILSVRC2012 val/ must first be sorted into "
                        f"one folder per class, e.g. with the widely used valprep.sh); expected {layout}")
    if val_classes != classes:
        only_train, only_val = sorted(set(classes) - set(val_classes)), sorted(set(val_classes) - set(classes))
        raise DataError(f"{root}: train/ and val/ must have the same class folders; "
                        + "; ".join(s for s in (f"only in train/: {_few(only_train)}" if only_train else "",
                                                f"only in val/: {_few(only_val)}" if only_val else "") if s))
    if num_classes is not None and len(classes) != num_classes:
        raise DataError(f"{root / 'train'} has {len(classes):,} class folders; this scale needs {num_classes:,} "
                        f"(the ImageNet classes). For another folder use --scale imagenet-small")
    train, empty = _images(root / "train", classes)
    val, empty_val = _images(root / "val", classes)
    if empty or empty_val:
        where = "train" if empty else "val"
        raise DataError(f"{root / where}: no images ({', '.join(IMG_EXTENSIONS)}) in class folder(s) {_few(empty or empty_val)}")
    return ImageFolder(root, classes, train, val)


def load_rgb(path: str) -> Image.Image:
    """Decode an image as RGB, as torchvision's ImageFolder loader does; an unreadable file is a
    :class:`~resnet_book.errors.DataError` naming it."""
    try:
        with open(path, "rb") as f:
            return Image.open(f).convert("RGB")
    except (OSError, SyntaxError, ValueError) as e:  # PIL: UnidentifiedImageError, truncated data, ...
        raise DataError(f"cannot decode image {path}: {type(e).__name__}: {e}") from None


def _bad(path_and_decode: tuple[str, bool]) -> str | None:
    """Why ``path`` cannot be read (None if it can): its header, and with ``decode`` every pixel."""
    path, decode = path_and_decode
    try:
        with open(path, "rb") as f:
            img = Image.open(f)
            if decode:
                img.convert("RGB")
            else:
                img.verify()
    except Exception as e:  # noqa: BLE001 - any failure to read is a bad image
        return f"{type(e).__name__}: {' '.join(str(e).split())}"
    return None


def check_images(folder: "ImageFolder", cache_dir: Path, workers: int = 0, skip: bool = False) -> ImageFolder:
    """Check every image of ``folder`` before any training: each train/ image opens (its header), each
    val/ image decodes (it is read at every evaluation: a bad one would crash every resume at the
    same place). The verdict is cached in ``cache_dir`` per folder fingerprint.

    Bad images raise one :class:`DataError` naming the first (and how many), or with ``skip`` are
    left out: the folder comes back without them, its fingerprint then covers what is used."""
    path = Path(cache_dir) / f"{folder.fingerprint()[:16]}-checked.txt"
    if path.exists():
        bad = [line.split("\t", 1) for line in path.read_text().splitlines() if line]
    else:
        jobs = [(p, False) for p, _ in folder.train] + [(p, True) for p, _ in folder.val]
        if workers > 0:
            import multiprocessing as mp

            with mp.get_context("spawn").Pool(workers) as pool:
                why = pool.map(_bad, jobs, chunksize=256)
        else:
            why = [_bad(j) for j in jobs]
        bad = [[p, w] for (p, _), w in zip(jobs, why) if w]
        atomic_write(path, lambda f: f.write("".join(f"{p}\t{w}\n" for p, w in bad).encode()))
    if not bad:
        return folder
    if not skip:
        raise DataError(f"{len(bad)} image(s) of {folder.root} cannot be read, the first: {bad[0][0]} ({bad[0][1]}); "
                        "repair or remove them, or train without them: --set skip_bad_images=true")
    gone = {p for p, _ in bad}
    return ImageFolder(folder.root, folder.classes, [s for s in folder.train if s[0] not in gone],
                       [s for s in folder.val if s[0] not in gone], skipped=len(gone))


# --- transforms (PIL, in the DataLoader workers) ---------------------------------------------------
def resize_shorter(img: Image.Image, size: int) -> Image.Image:
    """Shorter side to ``size``, aspect kept (torchvision's ``Resize(size)`` on PIL: bilinear, antialiased)."""
    w, h = img.size
    short, long = (w, h) if w <= h else (h, w)
    if short == size:
        return img
    new_long = int(size * long / short)
    return img.resize((size, new_long) if w <= h else (new_long, size), Image.BILINEAR)


def _crop(img: Image.Image, top: int, left: int, size: int) -> Image.Image:
    return img.crop((left, top, left + size, top + size))


def center_crop(img: Image.Image, size: int) -> Image.Image:
    w, h = img.size
    return _crop(img, int(round((h - size) / 2.0)), int(round((w - size) / 2.0)), size)


def ten_crop(img: Image.Image, size: int) -> list[Image.Image]:
    """The 4 corner crops and the centre crop, then the same of the mirrored image (torchvision's
    ``TenCrop`` order: the centre crop is number 4)."""
    out = []
    for im in (img, img.transpose(Image.FLIP_LEFT_RIGHT)):
        w, h = im.size
        out += [_crop(im, 0, 0, size), _crop(im, 0, w - size, size), _crop(im, h - size, 0, size),
                _crop(im, h - size, w - size, size), center_crop(im, size)]
    return out


def _hwc(img: Image.Image) -> np.ndarray:
    return np.asarray(img, dtype=np.uint8).copy()  # H, W, 3 uint8 (NHWC batches = channels_last NCHW)


class TrainTransform:
    """Sec. 3.4 training augmentation of one image, all random choices from ``rng``.

    Returns the uint8 crop (H, W, 3) and the RGB offset of the colour augmentation (float32, 3),
    which the device adds after scaling to [0, 1] (a per-image constant, so it commutes with the
    crop, the flip and the mean subtraction).
    """

    def __init__(self, cfg: ImageNetConfig) -> None:
        self.smin, self.smax, self.crop, self.std = cfg.scale_min, cfg.scale_max, cfg.crop, cfg.color_std
        self.pcs = np.array(PCA_EIGVEC, dtype=np.float64) * np.array(PCA_EIGVAL)  # column j: eigvec_j x eigval_j

    def __call__(self, img: Image.Image, rng: random.Random) -> tuple[np.ndarray, np.ndarray]:
        img = resize_shorter(img, rng.randint(self.smin, self.smax))  # scale augmentation
        w, h = img.size
        img = _crop(img, rng.randint(0, h - self.crop), rng.randint(0, w - self.crop), self.crop)
        if rng.random() < 0.5:
            img = img.transpose(Image.FLIP_LEFT_RIGHT)
        alpha = np.array([rng.gauss(0.0, self.std) for _ in range(3)]) if self.std > 0 else np.zeros(3)
        return _hwc(img), (self.pcs @ alpha).astype(np.float32)


class CenterTransform:
    """Shorter side to ``test_size``, the centre ``crop`` (or the 10 crops): uint8 (H, W, 3) or (10, H, W, 3)."""

    def __init__(self, cfg: ImageNetConfig, ten: bool = False) -> None:
        self.size, self.crop, self.ten = cfg.test_size, cfg.crop, ten

    def __call__(self, img: Image.Image, rng: random.Random | None = None):
        img = resize_shorter(img, self.size)
        if self.ten:
            return np.stack([_hwc(c) for c in ten_crop(img, self.crop)]), np.zeros(3, np.float32)
        return _hwc(center_crop(img, self.crop)), np.zeros(3, np.float32)


class Images(torch.utils.data.Dataset):
    """``samples`` through ``transform``. A key is an index, or ``(epoch, index)`` for training: the
    sample's random choices come from a generator seeded by (seed, epoch, index)."""

    def __init__(self, samples: list[tuple[str, int]], transform, seed: int = 0) -> None:
        # numpy arrays, not a list of tuples: forked workers reading a list touch its refcounts and
        # copy its pages one by one (1.28M paths x workers x processes)
        self.paths = np.array([os.fsencode(p) for p, _ in samples])
        self.labels = np.array([y for _, y in samples], dtype=np.int64)
        self.transform, self.seed = transform, seed

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, key):
        epoch, i = key if isinstance(key, tuple) else (-1, key)
        rng = random.Random(mix_seed(self.seed, f"imagenet-epoch-{epoch}", i))
        x, offset = self.transform(load_rgb(os.fsdecode(self.paths[i])), rng)
        return x, int(self.labels[i]), offset


class EpochBatches(torch.utils.data.Sampler):
    """This process's mini-batches of one epoch, as ``(epoch, index)`` keys.

    The order is ``torch.utils.data.DistributedSampler``'s (one ``randperm`` per epoch seeded by
    seed + epoch, dealt round-robin to the processes, the remainder dropped), so the processes'
    shares of global batch k are exactly batch k of a one-process run. ``skip`` starts an epoch
    part-way (a resumed run).
    """

    def __init__(self, sampler: torch.utils.data.DistributedSampler, batch_size: int) -> None:
        self.sampler, self.batch_size, self.epoch, self.skip = sampler, batch_size, 0, 0

    def __len__(self) -> int:
        return len(self.sampler) // self.batch_size - self.skip

    def __iter__(self):
        self.sampler.set_epoch(self.epoch)
        idx = list(self.sampler)
        b = self.batch_size
        for k in range(self.skip, len(idx) // b):
            yield [(self.epoch, i) for i in idx[k * b:(k + 1) * b]]


# --- statistics of the training images (the per-pixel mean) ---------------------------------------
def _subset(samples: list[tuple[str, int]], n: int | None, seed: int) -> list[tuple[str, int]]:
    if n is None or n >= len(samples):
        return samples
    return [samples[i] for i in stratified_indices(np.array([y for _, y in samples]), n, seed)]


def pixel_stats(folder: ImageFolder, cfg: ImageNetConfig, cache_dir: Path, fingerprint: str) -> dict:
    """The per-pixel mean image (3, crop, crop) of ``cfg.mean_images`` training images (stratified,
    seeded) and their per-channel std, in [0, 1] units; cached in ``cache_dir``.

    Each image is resized to ``test_size`` and centre-cropped, as AlexNet's mean of 256x256 images.
    (Caffe subtracted that mean cropped at the crop's position; with scale augmentation a crop has
    no fixed position in a 256 image, so every crop gets the centre mean.)
    """
    train = _subset(folder.train, cfg.train_subset, cfg.subset_seed)
    picked = _subset(train, cfg.mean_images, cfg.subset_seed + 2)
    path = Path(cache_dir) / f"{fingerprint[:16]}-{cfg.test_size}-{cfg.crop}-n{len(picked)}-s{cfg.subset_seed}-t{cfg.train_subset}.pt"
    if path.exists():
        return load_checkpoint_file(path)
    loader = torch.utils.data.DataLoader(Images(picked, CenterTransform(cfg)), batch_size=64, num_workers=cfg.workers)
    total = torch.zeros(cfg.crop, cfg.crop, 3, dtype=torch.float64)
    sq = torch.zeros(3, dtype=torch.float64)
    for x, _, _ in loader:
        x = x.double() / 255
        total += x.sum(0)
        sq += (x * x).sum((0, 1, 2))
    n = len(picked)
    mean = total / n
    var = sq / (n * cfg.crop * cfg.crop) - mean.mean((0, 1)) ** 2
    stats = {"mean": mean.permute(2, 0, 1).float().contiguous(), "std": var.clamp_min(1e-12).sqrt().float(), "images": n}
    save_checkpoint(path, stats)
    return stats


# --- on the device ---------------------------------------------------------------------------------
class ImageNetData:
    """The folder on its way to one training process: what :func:`resnet_book.engine.train.train` asks of a
    data source (``device``, ``eval_name``, ``batch``, ``evaluate``).

    ``world`` (a :class:`resnet_book.engine.distributed.World`) says which share of each global batch and
    of the val images is this process's; ``stats`` comes from :func:`pixel_stats`.
    """

    eval_name = "val, centre crop"

    def __init__(self, folder: ImageFolder, cfg: ImageNetConfig, device: torch.device, world, stats: dict) -> None:
        self.cfg, self.device, self.world = cfg, torch.device(device), world
        cuda = self.device.type == "cuda"
        self.per_process = cfg.batch_size // world.size
        train = _subset(folder.train, cfg.train_subset, cfg.subset_seed)
        self.val = _subset(folder.val, cfg.eval_subset, cfg.subset_seed + 1)
        transform = TrainTransform(cfg) if cfg.augment else CenterTransform(cfg)
        self.train_set = Images(train, transform, cfg.seed)
        sampler = torch.utils.data.DistributedSampler(self.train_set, num_replicas=world.size, rank=world.rank,
                                                      shuffle=True, seed=cfg.seed, drop_last=True)
        self.steps_per_epoch = len(sampler) // self.per_process
        if self.steps_per_epoch == 0:
            raise ConfigError(f"the training images ({len(train):,}) are fewer than one global batch ({cfg.batch_size})")
        self.batches = EpochBatches(sampler, self.per_process)
        self._loader_kw = dict(num_workers=cfg.workers, pin_memory=cuda)
        # Persistent workers: decoding processes live for the whole run, not one epoch.
        self.loader = torch.utils.data.DataLoader(self.train_set, batch_sampler=self.batches,
                                                  persistent_workers=cfg.workers > 0, **self._loader_kw)
        self._it = None
        self._next: int | None = None
        self.mean = stats["mean"].to(self.device)
        self.std = stats["std"].view(3, 1, 1).to(self.device) if cfg.normalize == "channel" else None
        if self.std is not None:
            self.mean = self.mean.mean((1, 2), keepdim=True)
        self.final_metrics: dict = {}

    def to_input(self, x: torch.Tensor, offset: torch.Tensor | None = None) -> torch.Tensor:
        """uint8 NHWC crops -> float NCHW on the device: [0, 1], + colour offset, - mean (/ std)."""
        x = x.to(self.device, non_blocking=True).permute(0, 3, 1, 2)  # an NCHW view of NHWC memory
        x = x.float().div_(255)
        if offset is not None:
            x = x + offset.to(self.device, non_blocking=True).view(-1, 3, 1, 1)
        x = x - self.mean
        if self.std is not None:
            x = x / self.std
        return x.contiguous(memory_format=torch.channels_last if self.cfg.channels_last else torch.contiguous_format)

    def batch(self, seed: int, iteration: int, batch_size: int, augment: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
        """This process's share of global mini-batch ``iteration`` (0-based), on the device."""
        if (seed, batch_size, augment) != (self.cfg.seed, self.cfg.batch_size, self.cfg.augment):
            raise ConfigError("ImageNetData serves the seed, batch size and augmentation of its config only")
        epoch, k = divmod(iteration, self.steps_per_epoch)
        if self._it is None or iteration != self._next:  # a new epoch, or a resumed run part-way into one
            self.batches.epoch, self.batches.skip = epoch, k
            self._it = iter(self.loader)
        x, y, offset = next(_batches(self._it))
        self._next = iteration + 1
        if k == self.steps_per_epoch - 1:
            self._it = None
        return self.to_input(x, offset if self.cfg.augment and self.cfg.color_std > 0 else None), \
            y.to(self.device, non_blocking=True)

    @torch.no_grad()
    def evaluate(self, model: torch.nn.Module, amp: bool = False, final: bool = False) -> tuple[float, float]:
        """(centre-crop top-1 error, loss) on val/; with ``final`` (the end of a run) also 10-crop
        testing in the same pass, stored in ``final_metrics``. Each process scores every
        ``world.size``-th image; the sums are added over the processes."""
        ten = final and self.cfg.ten_crop
        world = self.world
        world.sync_buffers(model)  # every process scores with rank 0's BN statistics (the saved ones)
        mine = self.val[world.rank::world.size]
        loader = torch.utils.data.DataLoader(Images(mine, CenterTransform(self.cfg, ten)), batch_size=self.per_process,
                                             **self._loader_kw)
        sums = torch.zeros(7, dtype=torch.float64, device=self.device)
        with eval_mode(model):
            for x, y, _ in _batches(loader):
                y = y.to(self.device)
                crops = x.shape[1] if ten else 1
                with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=amp):
                    out = model(self.to_input(x.flatten(0, 1) if ten else x))
                logits = out.float().view(len(y), crops, -1)
                sums += crop_scores(logits, y)
        n, c1, c5, closs, t1, t5, tloss = (world.all_sum(sums) if world.size > 1 else sums).tolist()
        n = max(n, 1)
        self.final_metrics = {"center_crop_error": c1 / n, "center_crop_top5_error": c5 / n, "center_crop_loss": closs / n}
        if ten:
            self.final_metrics.update(ten_crop_error=t1 / n, ten_crop_top5_error=t5 / n, ten_crop_loss=tloss / n)
        return c1 / n, closs / n

    def close(self) -> None:
        """Stop the worker processes."""
        it, self._it = getattr(self.loader, "_iterator", None), None
        if it is not None and hasattr(it, "_shutdown_workers"):
            it._shutdown_workers()
        self.loader = None


def _batches(loader):
    """The batches of ``loader`` (or of an iterator over it); a :class:`DataError` raised in a
    DataLoader worker comes back as its own one line (the DataLoader wraps it in the worker's
    traceback)."""
    it = iter(loader)
    while True:
        try:
            batch = next(it)
        except StopIteration:
            return
        except DataError as e:
            lines = str(e).splitlines()
            raise DataError(next((ln.split("DataError: ", 1)[1] for ln in lines if "DataError: " in ln), lines[-1])) from None
        yield batch


def crop_scores(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Sums over a batch of (n, centre top-1 wrong, top-5 wrong, loss, 10-crop top-1 wrong, top-5 wrong, loss).

    ``logits``: (n, crops, classes) with crops = 1 (the centre crop) or 10 (TenCrop order, centre =
    number 4). 10-crop testing averages the softmax over the crops, as Krizhevsky et al.'s
    "averaging the predictions made by the network's softmax layer on the ten patches".
    """
    k = min(5, logits.shape[-1])
    center = logits[:, 4 if logits.shape[1] == 10 else 0]

    def wrong(scores):
        top = scores.topk(k, dim=1).indices
        return (top[:, 0] != y).sum(), (top != y[:, None]).all(1).sum()

    c1, c5 = wrong(center)
    closs = torch.nn.functional.cross_entropy(center, y, reduction="sum")
    if logits.shape[1] == 10:
        probs = logits.softmax(-1).mean(1)
        t1, t5 = wrong(probs)
        tloss = torch.nn.functional.nll_loss(probs.clamp_min(1e-12).log(), y, reduction="sum")
    else:
        t1 = t5 = tloss = torch.zeros((), device=logits.device)
    n = torch.tensor(len(y), device=logits.device)
    return torch.stack([v.to(torch.float64) for v in (n, c1, c5, closs, t1, t5, tloss)])


# --- a tiny folder for trying the commands (and the tests) -------------------------------------------
def write_tiny_imagefolder(root: str | os.PathLike, classes: int = 10, train_per_class: int = 16,
                           val_per_class: int = 4, size: int = 64, seed: int = 0) -> Path:
    """Write a small ImageFolder of JPEGs to ``root``: ``classes`` folders ``n0000000`` ... with a
    class-dependent colour and stripe pattern plus noise (learnable, not ImageNet)."""
    root = Path(root)
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size]
    for c in range(classes):
        colour = rng.uniform(40, 215, 3)
        freq, angle = 2 + c % 5, np.pi * c / classes
        stripes = 40 * np.sin(2 * np.pi * freq * (xx * np.cos(angle) + yy * np.sin(angle)) / size)
        for split, n in (("train", train_per_class), ("val", val_per_class)):
            folder = root / split / f"n{c:07d}"
            folder.mkdir(parents=True, exist_ok=True)
            for i in range(n):
                img = colour + stripes[..., None] + rng.normal(0, 25, (size, size, 3))
                Image.fromarray(img.clip(0, 255).astype(np.uint8)).save(folder / f"{split}_{c}_{i}.JPEG", quality=90)
    return root


if __name__ == "__main__":  # python -m resnet_book.engine.imagenet tiny DIR
    import argparse

    p = argparse.ArgumentParser(prog="python -m resnet_book.engine.imagenet", description="ImageNet helpers")
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("tiny", help="write a tiny ImageFolder (10 classes x 16 + 4 JPEGs of 64x64) to try the commands")
    t.add_argument("folder")
    args = p.parse_args()
    print(f"wrote {write_tiny_imagefolder(args.folder)} (train/ and val/, 10 classes)")
