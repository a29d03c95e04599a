"""The paper's central CIFAR-10 effect holds at the quick scale (trains 9 real networks: ~10 min).

He et al. 2015, Fig. 1 / Fig. 6: the deeper plain net has HIGHER training error (degradation),
and the residual net of the same depth has LOWER training error than the plain one.
Checked for seeds 0, 1, 2 on fresh runs (a temporary results folder: nothing is reused).
"""

from __future__ import annotations

import pytest

from resnet_book import experiments as ex

SEEDS = (0, 1, 2)


@pytest.mark.slow
def test_degradation_and_the_residual_fix_at_quick_scale(tmp_path):
    records = ex.run_experiment("fig6", "quick", SEEDS, device="cpu", out=tmp_path, progress=False,
                                runs=["plain20", "plain56", "resnet56"])
    err = {(r["label"], r["seed"]): 100 * r["final"]["train_error"] for r in records}
    assert len(err) == 9 and all(r["status"] == "complete" for r in records)
    lines = []
    for s in SEEDS:
        p20, p56, r56 = err["plain20", s], err["plain56", s], err["resnet56", s]
        lines.append(f"seed {s}: plain-20 {p20:.1f}%, plain-56 {p56:.1f}%, ResNet-56 {r56:.1f}% "
                     f"(degradation +{p56 - p20:.1f} pp, residual fix -{p56 - r56:.1f} pp)")
    print("\n".join(lines))
    for s, line in zip(SEEDS, lines):
        assert err["plain56", s] > err["plain20", s], "no degradation: " + line
        assert err["resnet56", s] < err["plain56", s], "ResNet-56 not better than plain-56: " + line
