"""A bounded fuzz test of the command line (Hypothesis): whatever `--set` values and seeds a user
types, `run` ends with exit 0 and a record, or exit 2 and one line -- never a traceback, never a
record that says "complete" for a run whose loss diverged."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resnet_book.cli import main

FIELDS = {
    "max_iters": st.one_of(st.integers(-2, 6), st.sampled_from(["1.5", "abc", "", "1e3", "-0"])),
    "batch_size": st.one_of(st.integers(-1, 20), st.sampled_from(["8.0", "x", "1e9"])),
    "lr": st.one_of(st.floats(-1, 1e7).map(repr), st.sampled_from(["0", "-0.1", "nan", "inf", "1e6"])),
    "lr_decay": st.sampled_from(["0.1", "0", "-0.1", "1", "2", "inf"]),
    "warmup_lr": st.sampled_from(["none", "0.01", "-0.01", "0", "1e9"]),
    "momentum": st.sampled_from(["0.9", "1", "-0.5", "0"]),
    "train_subset": st.sampled_from(["none", "64", "0", "-5", "10.5", "99999999"]),
    "eval_subset": st.sampled_from(["none", "20", "0", "-3", "30"]),
    "milestones": st.sampled_from(["", "2", "2:3", "3:2", "9", "-1", "a:b"]),
    "log_every": st.sampled_from(["1", "2", "0", "3"]),
    "checkpoint_every": st.sampled_from(["2", "4", "3", "0"]),
    "eval_every": st.sampled_from(["2", "4", "0"]),
    "amp": st.sampled_from(["auto", "true", "false", "maybe"]),
    "augment": st.sampled_from(["true", "false", "2"]),
    "split": st.sampled_from(["full", "val45k", "nope"]),
    "seed": st.sampled_from(["1", "x"]),
    "bogus_field": st.just("1"),
}
SEEDS = st.sampled_from(["0", "1", "0,1", "-1", "x", "0,,0", "99999999999999999999999", "2"])
BASE = {"max_iters": "4", "batch_size": "16", "train_subset": "64", "eval_subset": "20", "log_every": "2",
        "checkpoint_every": "2", "eval_every": "4", "milestones": "2"}


@pytest.fixture(scope="module")
def out(tmp_path_factory, synthetic_cifar):
    import os

    before = os.environ.get("RESNET_BOOK_DATA")
    os.environ["RESNET_BOOK_DATA"] = str(synthetic_cifar)
    yield tmp_path_factory.mktemp("fuzz")
    if before is None:
        os.environ.pop("RESNET_BOOK_DATA")
    else:
        os.environ["RESNET_BOOK_DATA"] = before


START = time.perf_counter()


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.dictionaries(st.sampled_from(sorted(FIELDS)), st.none(), max_size=4).flatmap(
    lambda keys: st.fixed_dictionaries({k: FIELDS[k] for k in keys})), seeds=SEEDS)
def test_run_is_exit_0_with_a_record_or_exit_2_with_one_line(out, capsys, changes, seeds):
    sets = ",".join(f"{k}={v}" for k, v in {**BASE, **changes}.items())
    folder = out / str(abs(hash((sets, seeds))))
    code = main(["run", "fig1", "--scale", "quick", "--runs", "plain20", "--quiet", "--out", str(folder),
                 "--set", sets, "--seeds", seeds])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "Traceback" not in captured.out
    if code == 2:
        assert len(captured.err.strip().splitlines()) == 1 and ": error: " in captured.err, captured.err
        return
    assert code == 0, (code, captured.err)
    recs = [json.loads(p.read_text()) for p in (folder / "fig1").glob("*.json")]
    assert recs and all(r["status"] in ("complete", "stopped") for r in recs)
    for r in recs:
        losses = r["history"]["train_loss"]
        if r["status"] == "complete":  # complete means trained: every logged loss finite and sane
            assert all(x == x and abs(x) < 1e3 for x in losses), losses


def test_the_fuzz_test_is_bounded():
    assert time.perf_counter() - START < 300  # a few hundred cases in minutes at most (≤ 30 s on an idle machine)
