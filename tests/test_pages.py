"""Experiment pages: paper-scale records are shown when present, the regeneration command otherwise."""

from __future__ import annotations

import pytest

from resnet_book.cli import parse_overrides
from resnet_book.experiments.report import estimate_gpu_hours
from resnet_book.experiments import run_experiment
from resnet_book import reference
from resnet_book.book import pages

TINY = "max_iters=12,log_every=3,eval_every=6,checkpoint_every=3,train_subset=256,eval_subset=100,batch_size=32,milestones=8"


def test_without_records_the_page_shows_the_command_and_an_estimate(tmp_path):
    assert pages.paper_records("table6", out=tmp_path / "no-such-folder") == []
    note = pages.paper_scale_note("table6", [])
    assert "python -m resnet_book run table6 --scale paper --seeds 0" in note
    hours, basis = estimate_gpu_hours("table6")
    assert f"about {hours:.1f} h" in note and "not measured" in basis and hours > 0


@pytest.fixture(scope="module")
def paper_like(tmp_path_factory):
    # Records labelled "paper" scale (tiny sizes via overrides): what a GPU run would commit.
    out = tmp_path_factory.mktemp("results")
    run_experiment("fig1", "paper", [0], device="cpu", out=out, progress=False,
                      overrides=dict(parse_overrides(TINY)))
    return out


def test_with_records_the_page_shows_them_with_provenance(paper_like):
    recs = pages.paper_records("fig1", out=paper_like)
    assert {r["scale"] for r in recs} == {"paper"} and len(recs) == 2
    note = pages.paper_scale_note("fig1", recs)
    assert "Paper-scale runs" in note and "| plain20 | 269,722 |" in note and "data fingerprint" in note
    assert "--scale paper" not in note  # no regeneration command when the records are there


def test_table6_rows_cover_every_depth_with_sources(paper_like):
    table = pages.table6_scales([], [], [])
    for depth, row in reference.TABLE6["resnet"].items():
        assert f"| {pages.label(f'resnet{depth}')} | " in table and f"{row['error']:.2f}" in table
    assert table.count("not run yet") == len(reference.TABLE6["resnet"])


def test_corrupt_paper_record_is_reported_not_shown(tmp_path, capsys):
    (tmp_path / "table6").mkdir()
    (tmp_path / "table6" / "paper-resnet20-s0-0123456789.json").write_text("{not json")
    assert pages.paper_records("table6", out=tmp_path) == []
    assert "corrupt" in capsys.readouterr().out


# --- the cpu scale on the pages -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cpu_like(tmp_path_factory):
    # Records labelled "cpu" scale (tiny sizes via overrides): what the committed cpu-scale records look like.
    out = tmp_path_factory.mktemp("results")
    run_experiment("fig1", "cpu", [0], device="cpu", out=out, progress=False, runs=["plain20"],
                   overrides=dict(parse_overrides(TINY)))
    return out


def test_cpu_scale_note_names_missing_runs_the_command_and_the_time(cpu_like):
    recs = pages.cpu_records("fig1", out=cpu_like)
    assert [r["scale"] for r in recs] == ["cpu"]
    note = pages.cpu_scale_note("fig1", recs)
    assert "1 of 2 runs committed" in note and "not trained yet: plain-56" in note
    assert "`python -m resnet_book run fig1 --scale cpu --jobs 2`" in note and "of training in all" in note
    assert "no records yet" in pages.cpu_scale_note("fig1", [])


def test_compare_table_puts_paper_cpu_and_quick_side_by_side(cpu_like):
    recs = pages.cpu_records("fig1", out=cpu_like)
    table = pages.compare_table(["plain20", "plain56"], {"plain20": "≈9.5"}, recs, [])
    lines = table.splitlines()
    assert lines[0].startswith("| network | paper") and "cpu scale" in lines[0] and "quick scale" in lines[0]
    assert lines[2].startswith("| plain-20 | ≈9.5 | ") and "not trained yet" in lines[3]


def test_order_words_say_where_a_run_ends_in_both_languages_or_dash_when_missing():
    assert pages.order_words(20.0, 10.0) == ("above", "高于")
    assert pages.order_words(10.0, 20.0) == ("below", "低于")
    assert pages.order_words(10.0, 10.0) == ("level with", "持平于")
    assert pages.order_words(None, 10.0) == pages.order_words(10.0, None) == ("-", "-")


def test_plot_fig1_draws_training_left_and_test_right_for_the_runs_present(cpu_like):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    recs = pages.cpu_records("fig1", out=cpu_like)
    fig, axes = plt.subplots(1, 2)
    pages.plot_fig1(axes, recs, chance=False)
    assert [l.get_label() for l in axes[0].get_lines()] == ["plain-20 train"]
    assert [l.get_label() for l in axes[1].get_lines()] == ["plain-20 test"]
    assert axes[0].get_lines()[0].get_linestyle() == "--" and axes[1].get_lines()[0].get_linestyle() == "-"
    fig, axes = plt.subplots(1, 2)
    pages.plot_fig1(axes, [])  # nothing committed yet: empty panels with the chance line, no legend
    assert axes[0].get_legend() is None and len(axes[0].get_lines()) == 1
    plt.close("all")


# --- Fig. 6's claims and Table 6 at every scale (pages 04a, 04b): none, some or all records -------------
def _fake(label: str, train: float, test: float) -> dict:
    return {"label": label, "model": label, "seed": 0, "status": "complete",
            "final": {"train_error": train / 100, "eval_error": test / 100, "eval_name": "test", "params": 1,
                      "iterations": 1}}


def test_fig6_claims_read_with_none_some_or_all_records():
    assert pages.fig6_claims_table([], []).count("not trained yet") == 2 * len(pages.FIG6_CLAIMS)
    some = [_fake("plain20", 10, 12), _fake("plain56", 20, 22), _fake("resnet56", 25, 9)]
    claims = pages.fig6_claims(some)
    assert claims["plain_degrades"] == ("yes", "plain-20 10.0 vs plain-56 20.0")
    assert claims["resnet_below_plain"] == ("no", "at 0 of 1 depths")  # an honest "no", never hidden
    assert claims["resnet_gains"] is None  # ResNet-20 missing
    full = some + [_fake("resnet20", 8, 10), _fake("plain32", 12, 14), _fake("resnet32", 9, 11)]
    claims = pages.fig6_claims(full)
    assert claims["resnet_below_plain"] == ("partly", "at 2 of 3 depths")
    assert claims["resnet_gains"] == ("yes", "ResNet-56 9.0 vs ResNet-20 10.0")
    table = pages.fig6_claims_table(some, full).splitlines()
    assert table[0].startswith("| claim of Fig. 6 | paper | this book, cpu scale | this build, quick scale |")
    assert "not trained yet" in table[4] and "yes (ResNet-56 9.0 vs ResNet-20 10.0)" in table[4]


def test_table6_scales_names_missing_cpu_runs_and_paper_only_rows():
    table = pages.table6_scales([_fake("resnet20", 30, 40)], [_fake("resnet56", 5, 9)], [])
    rows = {line.split(" | ")[0].lstrip("| "): line for line in table.splitlines()[2:]}
    assert set(rows) == {pages.label(f"resnet{d}") for d in reference.TABLE6["resnet"]}
    assert "| 5.0 / 9.0 |" in rows["ResNet-56"] and "not trained yet" in rows["ResNet-110"]
    assert "| 30.0 / 40.0 |" in rows["ResNet-20"] and rows["ResNet-1202"].count("paper scale only") == 2
    assert f"{reference.TABLE6['resnet'][110]['error']:.2f} (mean" in rows["ResNet-110"]


def test_pct_or_dash_rounds_to_one_decimal_and_dashes_a_run_not_trained():
    assert pages.pct_or_dash({"plain20": 18.6666}, "plain20") == "18.7"
    assert pages.pct_or_dash({"plain20": 18.6666}, "plain56") == "-"


def test_warmup_plot_draws_both_runs_and_marks_where_the_warmup_ended():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def rec(errors, lrs, end):
        iters = [10 * (i + 1) for i in range(len(errors))]
        return {"history": {"iters": iters, "train_error": errors, "lr": lrs, "eval_iters": iters[-1:],
                            "eval_error": errors[-1:], "warmup_end": end}}

    warm = rec([0.9, 0.85, 0.7, 0.5], [0.01, 0.01, 0.1, 0.1], 20)
    cold = rec([0.9, 0.9, 0.88, 0.6], [0.1] * 4, None)
    assert pages.first_below(warm, 0.8) == 30 and pages.first_below(cold, 0.8) == 40
    assert pages.first_below(cold, 0.5) is None
    fig, axes = plt.subplots(2, 1)
    pages.plot_warmup(axes, warm, cold)
    assert [ln.get_label() for ln in axes[0].lines[:2]] == ["warm-up", "no warm-up"]
    assert len(axes[1].get_legend().get_texts()) == 4  # training and test error of each run
    assert [ln.get_xdata()[0] for ln in axes[0].lines[2:]] == [20]  # the dotted line at the warm-up's end
    plt.close(fig)
