"""The exam bank (book/exam_bank.md): its structure (questions, points, marking schemes) and its hand
counts, recomputed from this package's models. Whether the student editions leave it out is tested on
the staging (tools/tests/) and on the built sites (tests/browser/test_exam_bank.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch
import yaml

from resnet_book import reference
from resnet_book.analysis import count_flops, count_params
from resnet_book.models import ZeroPadShortcut, get_model

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "book" / "exam_bank.md"
TEXT = PAGE.read_text(encoding="utf-8").replace("{,}", ",")  # numbers in maths are written 1{,}234
HEADING = re.compile(r"^### ([DCXR])(\d+)\. (.+) \((\d+) points\)$", re.M)
KINDS = {"D": "Derivations", "C": "Hand counts", "X": "Design questions", "R": "Reading figures and tables"}


def _questions() -> list[tuple[str, str, int, str]]:
    """(id, title, points, body up to the next heading) of every question."""
    found = list(HEADING.finditer(TEXT))
    ends = [m.start() for m in found[1:]] + [len(TEXT)]
    return [(f"{m.group(1)}{m.group(2)}", m.group(3), int(m.group(4)), TEXT[m.end():end]) for m, end in zip(found, ends)]


def _n(x: int) -> str:
    return f"{x:,}"


def test_the_bank_is_in_the_teachers_part_of_the_toc():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    teachers = next(p for p in toc["parts"] if p["caption"] == "For teachers")
    assert "book/exam_bank" in [c["file"] for c in teachers["chapters"]]


def test_at_least_30_questions_each_with_a_model_answer_and_a_marking_scheme_that_adds_up():
    qs = _questions()
    assert len(qs) >= 30
    assert len({q[0] for q in qs}) == len(qs), "duplicate question ids"
    for qid, title, points, body in qs:
        # the answer is in a dropdown: the question can be shown alone
        assert body.count(":::{dropdown} Model answer and marking scheme") == 1, qid
        question, answer = body.split(":::{dropdown} Model answer and marking scheme")
        assert len(question.split()) >= 15, f"{qid}: the question is too short"
        m = re.search(r"\*\*Marking \((\d+) points\)\.\*\*\n((?:- .*\n(?:  .*\n)*)+)", answer)
        assert m and int(m.group(1)) == points, f"{qid}: marking scheme missing or not {points} points"
        items = re.findall(r"^- (\d+):", m.group(2), re.M)
        assert items and sum(map(int, items)) == points, f"{qid}: the items add up to {sum(map(int, items))}, not {points}"


def test_the_summary_table_matches_the_questions():
    qs = _questions()
    for letter, kind in KINDS.items():
        mine = [q for q in qs if q[0].startswith(letter)]
        row = re.search(rf"^\| \d\. {kind} \| {letter}1–{letter}(\d+) \| (\d+) \|$", TEXT, re.M)
        assert row, f"no summary row for {kind}"
        assert int(row.group(1)) == len(mine) and int(row.group(2)) == sum(q[2] for q in mine), kind
    words = {30: "Thirty", 31: "Thirty-one", 32: "Thirty-two", 33: "Thirty-three", 34: "Thirty-four", 35: "Thirty-five"}
    assert TEXT.split("## ")[0].count(f"{words.get(len(qs), len(qs))} open questions") == 1  # the intro's count


def test_every_kind_the_brief_asks_for_is_there():
    qs = {q[0]: q[1] + q[3] for q in _questions()}
    kinds = {k: [q for q in qs if q.startswith(k)] for k in KINDS}
    assert all(len(v) >= 5 for v in kinds.values()), {k: len(v) for k, v in kinds.items()}
    reading = " ".join(qs[q].split("\n", 1)[0] for q in kinds["R"])
    for item in ["Fig. 1", "Fig. 4", "Fig. 6", "Fig. 7", "Table 2", "Table 3", "Table 4", "Table 6"]:
        assert item in reading, item


# --- the hand counts, recomputed ------------------------------------------------------------------

def _params(name: str, **kw) -> int:
    with torch.device("meta"):
        return count_params(get_model(name, **kw))


def test_resnet50_counts():
    torch.set_num_threads(1)
    r50 = get_model("resnet50")
    p = count_params(r50)
    bn = sum(q.numel() for m in r50.modules() if isinstance(m, torch.nn.BatchNorm2d) for q in m.parameters())
    assert p == reference.IMAGENET_PARAMS[50] == 25_557_032
    assert _n(p) in TEXT and _n(p - bn) in TEXT and _n(bn) in TEXT
    macs = count_flops(r50, (3, 224, 224))
    macs_a = count_flops(get_model("resnet50", shortcut="A"), (3, 224, 224))
    assert _n(macs) in TEXT and _n(macs_a) in TEXT and _n(macs - macs_a) in TEXT
    assert f"{macs / 1e9:.2f}×10⁹" in TEXT and f"{reference.TABLE1['flops'][50] / 1e9:.1f}×10⁹" in TEXT
    assert f"{100 * (macs / reference.TABLE1['flops'][50] - 1):.1f}% above" in TEXT
    assert _n(p - _params("resnet50", shortcut="A")) in TEXT  # the four projections


def test_resnet34_options_and_macs():
    a, b, c = (_params("resnet34", shortcut=s) for s in "ABC")
    assert _n(a) in TEXT and _n(b) in TEXT and _n(c) in TEXT
    assert _n(b - a) in TEXT and _n(c - b) in TEXT
    assert b == reference.IMAGENET_PARAMS[34]
    torch.set_num_threads(1)
    macs_a = count_flops(get_model("resnet34", shortcut="A"), (3, 224, 224))
    macs_b = count_flops(get_model("resnet34"), (3, 224, 224))
    assert _n(macs_a) in TEXT and _n(macs_b - macs_a) in TEXT
    assert f"{round(macs_a / 1e8) / 10}×10⁹" in TEXT  # 3.6


def test_cifar_counts():
    for depth in (20, 110, 1202):
        p = _params(f"resnet{depth}")
        assert p == reference.CIFAR_PARAMS_OPTION_A[depth] and _n(p) in TEXT, depth
        assert _n(reference.cifar_macs(depth)) in TEXT, depth
        assert f"{reference.TABLE6['resnet'][depth]['params_m']}M" in TEXT, depth
    step = (reference.CIFAR_PARAMS_OPTION_A[32] - reference.CIFAR_PARAMS_OPTION_A[20]) // 2  # n = 3 -> 5
    assert _n(step) in TEXT  # what one increment of n adds
    assert _n(_params("resnet20", shortcut="B") - _params("resnet20")) in TEXT  # option B on CIFAR
    torch.set_num_threads(1)
    assert count_flops(get_model("resnet20")) == reference.cifar_macs(20)


def test_preact_resnet1001_count():
    m = get_model("preact_resnet1001")
    bn = sum(q.numel() for mod in m.modules() if isinstance(mod, torch.nn.BatchNorm2d) for q in mod.parameters())
    p = count_params(m)
    assert _n(p) in TEXT and _n(p - bn) in TEXT
    assert f"{reference.IDENTITY_MAPPINGS['params_m']['preact_resnet1001']}M" in TEXT


def test_bottleneck_and_basic_block_on_56x56():
    from resnet_book.models import BasicBlock, Bottleneck

    torch.set_num_threads(1)

    def weights_and_macs(block):
        convs = [m for m in block.modules() if isinstance(m, torch.nn.Conv2d)]
        w = sum(m.weight.numel() for m in convs)
        return w, w * 56 * 56

    basic, bottle = weights_and_macs(BasicBlock(64, 64)), weights_and_macs(Bottleneck(256, 64))
    for w, macs in (basic, bottle):
        assert _n(w) in TEXT and _n(macs) in TEXT
    assert _n(bottle[0] + 256 * 256) in TEXT and _n((bottle[0] + 256 * 256) * 56 * 56) in TEXT


def test_option_a_shortcut_passes_the_gradient_to_a_quarter_of_its_input():
    x = torch.randn(1, 16, 32, 32, requires_grad=True)
    ZeroPadShortcut(16, 32, 2)(x).sum().backward()
    n = int((x.grad != 0).sum())
    assert n == x.numel() // 4 and _n(n) in TEXT and _n(x.numel()) in TEXT


def test_paper_numbers_quoted_match_the_reference_data():
    t3, t4 = reference.TABLE3, reference.TABLE4
    for key in ("plain34", "resnet34_A", "resnet34_B", "resnet34_C", "resnet50", "resnet101", "resnet152"):
        assert f"{t3[key][0]:.2f}" in TEXT, key
    for key in ("resnet34_B", "resnet152"):
        assert f"{t4[key][0]:.2f} / {t4[key][1]:.2f}" in TEXT, key
    t2 = reference.TABLE2
    assert f"{t2['resnet18']:.2f} − {t2['resnet34']:.2f} = {t2['resnet18'] - t2['resnet34']:.2f}" in TEXT
    assert f"{t2['plain34']:.2f} − {t2['resnet34']:.2f} = {t2['plain34'] - t2['resnet34']:.2f}" in TEXT
    for depth, row in reference.TABLE6["resnet"].items():
        assert f"{row['error']:.2f}%" in TEXT, depth
    im = reference.IDENTITY_MAPPINGS["table1_resnet110_shortcuts"]
    for key in ("original", "1x1 conv shortcut", "exclusive gating (init -6)", "shortcut-only gating (init -6)",
                "shortcut-only gating (init 0)"):
        assert f"{im[key]:.2f}%" in TEXT, key
    t3im = reference.IDENTITY_MAPPINGS["table3"]["CIFAR-10 ResNet-1001"]
    assert f"{t3im[0]:.2f}%" in TEXT and f"{t3im[1]:.2f}%" in TEXT
    assert f"{reference.VARIANTS['ResNet-1202 + stochastic depth']['cifar10']:.2f}%" in TEXT
    assert f"{0.5 ** 54:.1e}".replace("e-17", " \\times 10^{-17}") in TEXT


def test_the_cpu_scale_depth_order_the_page_cites():
    """X4 cites this course's cpu-scale runs: ResNet-56 behind ResNet-20 after 6,000 iterations."""
    from resnet_book.experiments.records import load_records

    recs = {r["model"]: r for r in load_records("table6", scale="cpu") if r["seed"] == 0}
    if not {"resnet20", "resnet56"} <= set(recs):
        pytest.skip("no cpu-scale records of ResNet-20 and ResNet-56 in results/table6")
    r20, r56 = recs["resnet20"], recs["resnet56"]
    assert r20["config"]["max_iters"] == r56["config"]["max_iters"] == 6000 and "6,000 iterations" in TEXT
    assert r56["final"]["train_error"] > r20["final"]["train_error"]
    assert r56["final"]["eval_error"] > r20["final"]["eval_error"]
    assert "ResNet-56 ends with a higher training and test error than ResNet-20" in TEXT.replace("\n", " ")
