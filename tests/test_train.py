"""Training: the paper's schedule and warm-up, determinism, resume, bf16 autocast, NaN stop."""

from __future__ import annotations

import math

import pytest
import torch

from resnet_book.engine import data as D
from resnet_book.models import get_model
from resnet_book.engine.train import evaluate, History, LRSchedule, train, TrainConfig


def test_defaults_are_the_paper_recipe():
    cfg = TrainConfig()
    assert (cfg.batch_size, cfg.lr, cfg.momentum, cfg.weight_decay) == (128, 0.1, 0.9, 1e-4)
    assert (cfg.milestones, cfg.max_iters, cfg.normalize, cfg.augment) == ((32_000, 48_000), 64_000, "pixel", True)
    assert cfg.warmup_lr is None and cfg.warmup_until_error == 0.80


@pytest.mark.parametrize("it, lr", [(0, 0.1), (31_999, 0.1), (32_000, 0.01), (47_999, 0.01), (48_000, 0.001), (63_999, 0.001)])
def test_schedule_values(it, lr):
    assert math.isclose(LRSchedule(TrainConfig()).lr_at(it), lr, rel_tol=1e-12)


def test_warmup_switches_when_training_error_drops_below_80_percent():
    cfg = TrainConfig(warmup_lr=0.01, warmup_window=4)
    s = LRSchedule(cfg)
    errors = [0.9, 0.9, 0.85, 0.82, 0.80, 0.78, 0.75, 0.70]  # window means: .8675 .8425 .8125 .7875
    lrs = []
    for it, e in enumerate(errors):
        lrs.append(s.lr_at(it))
        s.observe(it, e)
    # the mean of iterations 3..6 is 0.7875 < 0.8 -> warm-up ends after iteration 6
    assert s.warmup_end == 7 and not s.warming
    assert lrs == [0.01] * 7 + [0.1]  # iteration 7 is the first at the full lr
    s.observe(8, 0.99)  # never goes back
    assert s.lr_at(9) == 0.1
    assert LRSchedule(TrainConfig()).lr_at(0) == 0.1  # no warm-up by default


def test_warmup_state_round_trips():
    cfg = TrainConfig(warmup_lr=0.01, warmup_window=3)
    a = LRSchedule(cfg)
    a.observe(0, 0.9)
    b = LRSchedule(cfg)
    b.load_state_dict(a.state_dict())
    for it, e in enumerate([0.7, 0.7]):
        a.observe(it + 1, e), b.observe(it + 1, e)
    assert a.state_dict() == b.state_dict() and a.warmup_end == 3


@pytest.mark.parametrize("bad, match", [
    (dict(batch_size=0), "batch_size"), (dict(milestones=(48_000, 32_000)), "milestones must increase"),
    (dict(log_every=0), "log_every"), (dict(checkpoint_every=15, log_every=10), "multiple of log_every"),
    (dict(lr=0), "lr must be"),
])
def test_bad_config_is_rejected(bad, match):
    with pytest.raises(ValueError, match=match):
        TrainConfig(**bad)


def test_replace_rejects_unknown_fields():
    with pytest.raises(ValueError, match="unknown TrainConfig field"):
        TrainConfig().replace(learning_rate=0.1)


@pytest.fixture(scope="module")
def tiny(cifar):
    return D.DeviceData(D.make_split(cifar, "full", train_subset=512, eval_subset=200), "cpu")


def _small_cfg(**kw):
    base = dict(batch_size=32, max_iters=24, milestones=(16, 20), log_every=4, eval_every=12, checkpoint_every=8)
    return TrainConfig(**{**base, **kw})


def test_loss_falls_on_a_tiny_subset(cifar):
    data = D.DeviceData(D.make_split(cifar, "full", train_subset=64, eval_subset=100), "cpu")
    torch.manual_seed(0)
    model = get_model("resnet20")
    h = train(model, data, _small_cfg(batch_size=32, max_iters=60, milestones=(), augment=False, log_every=5,
                                      eval_every=60, checkpoint_every=5, lr=0.05), progress=False)
    assert h.train_loss[-1] < 0.5 * h.train_loss[0], h.train_loss
    assert h.train_error[-1] < 0.3
    assert len(h.iters) == 12 and h.iters[-1] == 60 and h.eval_iters == [60]


def _run(data, cfg, **kw):
    torch.manual_seed(cfg.seed)
    model = get_model("resnet20")
    return model, train(model, data, cfg, progress=False, **kw)


def _strip(h: History) -> dict:
    d = h.to_dict()
    d.pop("wall_time"), d.pop("cpu_time"), d.pop("segments")  # when and by which process, not what
    return d


def test_same_seed_same_run_different_seed_different_run(tiny):
    cfg = _small_cfg(max_iters=8, milestones=(6,), log_every=4, checkpoint_every=4, eval_every=8)
    m1, h1 = _run(tiny, cfg)
    m2, h2 = _run(tiny, cfg)
    assert _strip(h1) == _strip(h2)
    assert all(torch.equal(a, b) for a, b in zip(m1.state_dict().values(), m2.state_dict().values()))
    _, h3 = _run(tiny, cfg.replace(seed=1))
    assert h3.train_loss != h1.train_loss


class _Killed(Exception):
    pass


class _DiesAt:
    """Wraps DeviceData; raises (a simulated SIGKILL) when asked for batch ``it``."""

    def __init__(self, data, it):
        self.data, self.it = data, it

    def __getattr__(self, name):
        return getattr(self.data, name)

    def batch(self, seed, iteration, *a, **k):
        if iteration == self.it:
            raise _Killed
        return self.data.batch(seed, iteration, *a, **k)


def test_kill_and_resume_equals_uninterrupted(tiny, tmp_path):
    cfg = _small_cfg(warmup_lr=0.01, warmup_window=2)  # the warm-up state must survive the resume too
    ref_model, ref = _run(tiny, cfg)

    ckpt = tmp_path / "run.ckpt"
    with pytest.raises(_Killed):
        _run(_DiesAt(tiny, 19), cfg, checkpoint=ckpt)  # dies after the checkpoints at 8 and 16
    assert ckpt.exists()
    torch.manual_seed(123)  # a different init: everything must come from the checkpoint
    model = get_model("resnet20")
    resumed = train(model, tiny, cfg, checkpoint=ckpt, progress=False, code={"git_commit": "later"})
    assert _strip(resumed) == _strip(ref)  # bit-for-bit on CPU: same curves, same evaluations
    # who trained which stretch: the killed process up to its last checkpoint, then the resumed one
    assert [(g["start"], g["end"]) for g in ref.segments] == [(0, cfg.max_iters)]
    assert [(g["start"], g["end"], g.get("git_commit")) for g in resumed.segments] == [(0, 16, None), (16, cfg.max_iters, "later")]
    for (name, a), b in zip(ref_model.state_dict().items(), model.state_dict().values()):
        assert torch.equal(a, b), name


def test_checkpoint_from_another_config_is_refused(tiny, tmp_path):
    ckpt = tmp_path / "run.ckpt"
    with pytest.raises(_Killed):
        _run(_DiesAt(tiny, 10), _small_cfg(), checkpoint=ckpt)
    with pytest.raises(ValueError, match="different config"):
        _run(tiny, _small_cfg(lr=0.05), checkpoint=ckpt)


def test_checkpoint_from_another_thread_count_is_refused(tiny, tmp_path):
    # a CPU run's numbers depend on its thread count (tests/test_runner.py): a resume at another count
    # would splice two computations into a run that no single setting produces
    ckpt = tmp_path / "run.ckpt"
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        with pytest.raises(_Killed):
            _run(_DiesAt(tiny, 10), _small_cfg(), checkpoint=ckpt)
        assert torch.load(ckpt, weights_only=True)["threads"] == 2
        torch.set_num_threads(1)
        with pytest.raises(ValueError, match=r"2 CPU thread\(s\), this process has 1"):
            _run(tiny, _small_cfg(), checkpoint=ckpt)
    finally:
        torch.set_num_threads(before)


def test_bf16_autocast_path_runs_on_cpu(tiny):
    cfg = _small_cfg(max_iters=4, milestones=(), log_every=2, checkpoint_every=2, eval_every=4, amp=True)
    model, h = _run(tiny, cfg)
    assert all(math.isfinite(x) for x in h.train_loss) and len(h.eval_error) == 1
    err, loss = evaluate(model, tiny, amp=True)
    assert 0 <= err <= 1 and math.isfinite(loss)


def test_a_diverging_run_stops_with_a_reason(tiny):
    cfg = _small_cfg(lr=1e6, max_iters=40, milestones=(), log_every=4, checkpoint_every=4, eval_every=40)
    _, h = _run(tiny, cfg)
    assert h.stopped is not None and ("non-finite training loss" in h.stopped or "diverged" in h.stopped)
    assert h.iterations_done < 40
