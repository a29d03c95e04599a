"""Data: loading, clear errors, fingerprints, splits, augmentation as batched tensor ops."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import torch

from resnet_book.engine import data as D


def test_loads_the_standard_split(cifar):
    assert cifar.x_train.shape == (50_000, 32, 32, 3) and cifar.x_train.dtype == np.uint8
    assert cifar.x_test.shape == (10_000, 32, 32, 3)
    assert np.bincount(cifar.y_train).tolist() == [5_000] * 10
    assert len(cifar.fingerprint) == 64


def _copy_folder(src, dst):
    dst.mkdir()
    for name in D.TRAIN_FILES + [D.TEST_FILE]:
        (dst / name).symlink_to(src / name)
    return dst


def test_missing_folder_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv(D.ENV_VAR, str(tmp_path / "nowhere"))
    with pytest.raises(D.DataError, match=r"CIFAR-10 not found in .*nowhere \(from \$RESNET_BOOK_DATA\): missing cifar10_train_0.npz"):
        D.load_cifar10()


def test_missing_one_file_names_it(tmp_path, cifar):
    folder = _copy_folder(cifar.folder, tmp_path / "c")
    (folder / "cifar10_train_3.npz").unlink()
    with pytest.raises(D.DataError, match="missing cifar10_train_3.npz"):
        D.load_cifar10(folder)


def test_no_data_and_no_network_says_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.delenv(D.ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))

    def offline(*a, **k):
        raise OSError("network unreachable")

    import torchvision.datasets

    monkeypatch.setattr(torchvision.datasets, "CIFAR10", offline)
    with pytest.raises(D.DataError) as err:
        D.load_cifar10()
    msg = str(err.value)
    assert str(tmp_path / "resnet_book" / "cifar10") in msg and "RESNET_BOOK_DATA" in msg and "network unreachable" in msg


def test_truncated_file_is_named(tmp_path, cifar):
    folder = _copy_folder(cifar.folder, tmp_path / "c")
    bad = folder / "cifar10_test.npz"
    raw = bad.read_bytes()
    bad.unlink()
    bad.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(D.DataError, match=r"cannot read .*cifar10_test.npz.*truncated or corrupt"):
        D.load_cifar10(folder)


def test_wrong_array_shape_is_named(tmp_path, cifar):
    folder = _copy_folder(cifar.folder, tmp_path / "c")
    (folder / "cifar10_train_0.npz").unlink()
    np.savez(folder / "cifar10_train_0.npz", images=np.zeros((10, 28, 28), np.uint8), labels=np.zeros(10, np.uint8))
    with pytest.raises(D.DataError, match=r"cifar10_train_0.npz is not in the cache format"):
        D.load_cifar10(folder)


def test_fingerprint_changes_with_the_data(tmp_path, cifar):
    folder = tmp_path / "c"
    shutil.copytree(cifar.folder, folder, ignore=shutil.ignore_patterns("README*"))
    assert D.fingerprint(folder) == cifar.fingerprint
    with np.load(folder / "cifar10_test.npz") as f:
        images, labels = f["images"].copy(), f["labels"]
    images[0, 0, 0, 0] ^= 1
    np.savez_compressed(folder / "cifar10_test.npz", images=images, labels=labels)
    assert D.fingerprint(folder) != cifar.fingerprint


def test_stratified_subset_is_balanced_and_seeded(cifar):
    idx = D.stratified_indices(cifar.y_test, 2_000, seed=0)
    assert len(idx) == len(set(idx.tolist())) == 2_000
    assert np.bincount(cifar.y_test[idx]).tolist() == [200] * 10  # never "the first 2,000" (two classes)
    assert np.array_equal(idx, D.stratified_indices(cifar.y_test, 2_000, seed=0))
    assert not np.array_equal(idx, D.stratified_indices(cifar.y_test, 2_000, seed=1))
    odd = D.stratified_indices(cifar.y_test, 1_005, seed=3)
    assert sorted(np.bincount(cifar.y_test[odd]).tolist()) == [100] * 5 + [101] * 5


def test_val45k_split_is_deterministic_and_disjoint(cifar):
    a = D.make_split(cifar, "val45k")
    b = D.make_split(cifar, "val45k")
    assert len(a.y_train) == 45_000 and len(a.y_eval) == 5_000 and a.eval_name == "val"
    assert np.array_equal(a.y_eval, b.y_eval) and np.array_equal(a.x_eval, b.x_eval)
    assert np.bincount(a.y_eval).tolist() == [500] * 10
    # the 5k held-out images are exactly the complement of the 45k training images
    val = D.stratified_indices(cifar.y_train, 5_000, D.VAL_SEED)
    keep = np.setdiff1d(np.arange(50_000), val)
    assert np.array_equal(a.x_eval, cifar.x_train[val]) and np.array_equal(a.x_train, cifar.x_train[keep])
    assert len(np.intersect1d(val, keep)) == 0
    full = D.make_split(cifar, "full", train_subset=1_000, eval_subset=500)
    assert len(full.y_train) == 1_000 and np.bincount(full.y_eval).tolist() == [50] * 10
    with pytest.raises(ValueError, match="unknown split 'val'"):
        D.make_split(cifar, "val")


def _replay(n, seed, pad=4):
    g = torch.Generator().manual_seed(seed)
    dy = torch.randint(0, 2 * pad + 1, (n,), generator=g)
    dx = torch.randint(0, 2 * pad + 1, (n,), generator=g)
    flip = torch.rand(n, generator=g) < 0.5
    return dy, dx, flip


def test_crop_offsets_in_range_and_each_output_is_an_exact_crop():
    torch.manual_seed(0)
    x = torch.randint(0, 256, (64, 3, 32, 32), dtype=torch.uint8)
    out = D.random_crop_flip(x, torch.Generator().manual_seed(5))
    dy, dx, flip = _replay(64, 5)
    assert dy.min() >= 0 and dy.max() <= 8 and dx.min() >= 0 and dx.max() <= 8
    assert len(set(dy.tolist())) > 5 and 10 < flip.sum() < 54  # offsets and flips do vary
    padded = torch.nn.functional.pad(x, (4, 4, 4, 4))
    for i in range(64):
        crop = padded[i, :, dy[i]:dy[i] + 32, dx[i]:dx[i] + 32]
        assert torch.equal(out[i], crop.flip(-1) if flip[i] else crop)
    assert out.dtype == torch.uint8 and out.shape == x.shape


def test_flip_is_exact_without_padding():
    x = torch.randint(0, 256, (32, 3, 32, 32), dtype=torch.uint8)
    out = D.random_crop_flip(x, torch.Generator().manual_seed(1), pad=0)
    _, _, flip = _replay(32, 1, pad=0)
    assert torch.equal(out[flip], x[flip].flip(-1)) and torch.equal(out[~flip], x[~flip])


@pytest.fixture(scope="module")
def small(cifar):
    return D.DeviceData(D.make_split(cifar, "full", 1_000, 200), "cpu")


def test_same_seed_same_batches_and_epochs_are_permutations(small):
    x1, y1 = small.batch(seed=3, iteration=5, batch_size=100)
    x2, y2 = small.batch(seed=3, iteration=5, batch_size=100)
    assert torch.equal(x1, x2) and torch.equal(y1, y2)
    x3, _ = small.batch(seed=4, iteration=5, batch_size=100)
    assert not torch.equal(x1, x3)
    epoch = torch.cat([small.batch(0, i, 100, augment=False)[1] for i in range(10)])
    assert sorted(epoch.tolist()) == sorted(small.y_train.tolist())  # one pass = every image once
    assert not torch.equal(small.epoch_order(0, 0), small.epoch_order(0, 1))


def test_per_pixel_mean_is_subtracted(small, cifar):
    x, _ = small.batch(0, 0, 1_000, augment=False)
    assert x.shape == (1_000, 3, 32, 32)
    assert torch.allclose(x.mean(0), torch.zeros(3, 32, 32), atol=1e-5)  # the whole subset, no augmentation
    chan = D.DeviceData(D.make_split(cifar, "full", 1_000, 200), "cpu", normalize="channel")
    xc, _ = chan.batch(0, 0, 1_000, augment=False)
    assert torch.allclose(xc.mean((0, 2, 3)), torch.zeros(3), atol=1e-4)
    assert torch.allclose(xc.std((0, 2, 3)), torch.ones(3), atol=1e-2)
    with pytest.raises(ValueError, match="unknown normalisation"):
        D.DeviceData(D.make_split(cifar, "full", 100, 100), "cpu", normalize="zca")


# --- the lossless test split ----------------------------------------------------------------------
def test_lossless1k_split(cifar):
    # on the JPEG-derived developer copy, the 1,000 lossless images of the extra file; on the original
    # CIFAR-10 (downloaded), the whole test set, whose first 1,000 images are the same ones
    assert cifar.jpeg_copy != cifar.lossless_test
    s = D.make_split(cifar, "test_lossless1k")
    assert len(s.y_train) == 50_000
    if cifar.lossless_test:
        assert s.x_eval.shape == (10_000, 32, 32, 3)
        return
    assert s.eval_name == "test_lossless1k" and s.x_eval.shape == (1000, 32, 32, 3)
    assert s.y_eval[:10].tolist() == [3, 8, 8, 0, 6, 6, 1, 6, 3, 1]
    assert np.bincount(s.y_eval).tolist() == [103, 89, 100, 103, 90, 86, 112, 102, 106, 109]
    sub = D.make_split(cifar, "test_lossless1k", eval_subset=100)
    assert len(sub.y_eval) == 100 and np.bincount(sub.y_eval).tolist() == [10] * 10


def _folder_with(tmp_path, cifar, test_images, test_labels, lossless1k=True):
    folder = tmp_path / "c"
    folder.mkdir()
    for name in D.TRAIN_FILES:
        (folder / name).symlink_to(cifar.folder / name)
    np.savez(folder / D.TEST_FILE, images=test_images, labels=test_labels.astype(np.uint8))  # uncompressed: fast
    if lossless1k:
        (folder / D.LOSSLESS1K_FILE).symlink_to(cifar.folder / D.LOSSLESS1K_FILE)
    return folder


def _lossless1k(cifar):
    """The 1,000 lossless canonical test images: the shared copy's extra file, or the original's first 1,000."""
    if cifar.lossless_test:
        return cifar.x_test[:1000], cifar.y_test[:1000]
    return D.load_lossless1k(cifar.folder)


def test_an_original_test_set_is_recognised_and_used_whole(tmp_path, cifar):
    """A folder whose test set begins with the 1,000 lossless canonical images (as torchvision's
    download does) holds original pixels: test_lossless1k then evaluates on its whole test set."""
    x1k, y1k = _lossless1k(cifar)
    x = np.concatenate([x1k, cifar.x_test[:9000]])
    y = np.concatenate([y1k, cifar.y_test[:9000]])
    folder = _folder_with(tmp_path, cifar, x, y, lossless1k=False)  # the 1k file is not needed there
    data = D.load_cifar10(folder)
    assert data.lossless_test and not data.jpeg_copy and data.fingerprint != cifar.fingerprint
    s = D.make_split(data, "test_lossless1k")
    assert s.eval_name == "test" and len(s.y_eval) == 10_000 and (s.x_eval[:1000] == x1k).all()
    # one changed pixel in the first 1,000: not the original test set any more
    x[5, 0, 0, 0] ^= 1
    (tmp_path / "o").mkdir()
    assert not D.load_cifar10(_folder_with(tmp_path / "o", cifar, x, y)).lossless_test


def test_lossless1k_missing_or_altered_is_one_clear_error(tmp_path, cifar):
    x_other = cifar.x_test[::-1].copy()  # a test set that is not the original (any machine's copy)
    folder = _folder_with(tmp_path, cifar, x_other, cifar.y_test[::-1].copy(), lossless1k=False)
    with pytest.raises(D.DataError, match=r"split 'test_lossless1k' needs cifar10_test_lossless1k.npz .* put the file there"):
        D.make_split(D.load_cifar10(folder), "test_lossless1k")
    x1k, y1k = _lossless1k(cifar)
    x1k = x1k.copy()
    x1k[0, 0, 0, 0] ^= 1
    np.savez_compressed(folder / D.LOSSLESS1K_FILE, images=x1k, labels=y1k.astype(np.uint8))
    with pytest.raises(D.DataError, match="is not the first 1,000 original CIFAR-10 test images"):
        D.make_split(D.load_cifar10(folder), "test_lossless1k")


def test_the_jpeg_copy_of_the_lossless_images_is_the_same_photos(cifar):
    if not cifar.jpeg_copy:
        pytest.skip("a property of the JPEG-derived developer copy (this machine has the original CIFAR-10)")
    idx = D.lossless1k_in_jpeg_copy(cifar)
    x1k, y1k = D.load_lossless1k(cifar.folder)
    assert (cifar.y_test[idx] == y1k).all() and len(set(idx.tolist())) == 1000
    mae = np.abs(cifar.x_test[idx].astype(int) - x1k.astype(int)).mean()
    shifted = np.abs(cifar.x_test[idx + 1].astype(int) - x1k.astype(int)).mean()  # neighbours: other photos
    assert 5.0 < mae < 6.5 and shifted > 4 * mae  # the README's 5.8
