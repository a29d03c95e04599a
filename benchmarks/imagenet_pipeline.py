"""CPU time per image of the ImageNet input pipeline: PIL decoding + the paper's Sec. 3.4 augmentation.

    .venv/bin/python benchmarks/imagenet_pipeline.py

One synthetic photo-like 500x375 JPEG (quality 90, about the size of an average ImageNet image),
decoded and augmented 5 x 40 times per variant in this process; CPU time (``process_time``), so a
busy machine inflates it less than wall time. Divide a GPU's images per second by 1000 / (ms per
image) to get the CPU cores its DataLoader workers need.
"""

from __future__ import annotations

import io
import random
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from resnet_book.engine import imagenet as inet


def photo(path: Path) -> int:
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:375, 0:500]
    img = np.stack([128 + 60 * np.sin(xx / 37.0 + c) * np.cos(yy / 23.0 - c) for c in range(3)], -1)
    img = img + rng.normal(0, 12, img.shape)  # texture: JPEG size and decoding cost of a photo
    buf = io.BytesIO()
    Image.fromarray(img.clip(0, 255).astype(np.uint8)).save(buf, "JPEG", quality=90)
    path.write_bytes(buf.getvalue())
    return len(buf.getvalue())


def main() -> None:
    path = Path(tempfile.mkdtemp()) / "photo.JPEG"
    print(f"a 500x375 JPEG of {photo(path):,} bytes")
    cfg = inet.ImageNetConfig()
    train, centre, ten = inet.TrainTransform(cfg), inet.CenterTransform(cfg), inet.CenterTransform(cfg, ten=True)
    variants = {
        "decode only": lambda i: inet.load_rgb(str(path)),
        "train (decode, scale aug., crop, flip, colour)": lambda i: train(inet.load_rgb(str(path)), random.Random(i)),
        "eval, centre crop": lambda i: centre(inet.load_rgb(str(path))),
        "eval, 10 crops": lambda i: ten(inet.load_rgb(str(path))),
    }
    for name, f in variants.items():
        f(0)
        rounds = []
        for _ in range(5):
            c = time.process_time()
            for i in range(40):
                f(i)
            rounds.append((time.process_time() - c) / 40 * 1000)
        print(f"{name}: median {statistics.median(rounds):.1f} ms CPU per image ({', '.join(f'{r:.1f}' for r in rounds)})")


if __name__ == "__main__":
    main()
