# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
#   resnet_book:
#     experiments: [shortcuts]
# ---

# %% [markdown]
# # Shortcut options A, B and C on CIFAR-10
#
# ```{admonition} Learning goals
# :class: tip
#
# After this page you can
#
# 1. name the paper's three shortcut options (A: zero-padding, B: projections where the shape
#    changes, C: projections everywhere) and what each costs in parameters;
# 2. read the paper's Table 3 for what it says (the shortcut matters, the projection hardly) and
#    the size of each step;
# 3. judge whether one run per option can rank options whose differences are this small, at the
#    quick scale and at the cpu scale.
# ```
#
# The paper compares its three shortcut options on ImageNet, with ResNet-34 (Table 3)
# {cite:p}`he2016deep` (Sec. 4.1):
#
# > B is slightly better than A. We argue that this is because the zero-padded dimensions in A
# > indeed have no residual learning. C is marginally better than B, and we attribute this to the
# > extra parameters introduced by many (thirteen) projection shortcuts.
#
# ImageNet is out of reach of a CPU, so this page runs the CIFAR analogue: ResNet-32 with option A
# (zero-padding, the paper's CIFAR choice), B (projections where the shape changes) and C
# (projections on every shortcut), same recipe, same data, same seed. Chapter 3 showed what each
# option costs; here is what each one trains to.

# %% tags=["remove-input"]
import matplotlib.pyplot as plt
from IPython.display import Markdown, display
from myst_nb import glue

from resnet_book import reference
from resnet_book.book import pages
from resnet_book.book import quiz, stamp
from resnet_book.experiments.report import summarize
from resnet_book.experiments import run_experiment

# %% [markdown]
# Option A is the default, so `resnet32-A` is the same run as the Fig. 6 page's ResNet-32 and is
# reused; B and C train now. Before the curves, a prediction:

# %% tags=["remove-input"]
quiz("04d_shortcuts", ["q1"])

# %%
records = run_experiment("shortcuts", progress=False)
[(r["label"], r["final"]["params"]) for r in records]

# %% tags=["hide-input"] mystnb={"figure": {"caption": "ResNet-32 with shortcut options A, B and C at the quick scale: training error (dashed) and test error (solid). One seed each.", "name": "fig-04d-shortcuts"}}
fig, ax = plt.subplots(figsize=(6.4, 3.6))
for rec, c in zip(records, ("C0", "C1", "C2")):
    pages.plot_curves(ax, rec, c, name=f"option {rec['label'][-1]}")
ax.set(xlabel="iteration", ylabel="error (%)", title="ResNet-32, options A / B / C")
ax.grid(alpha=0.3)
ax.legend(fontsize=7, ncol=3)
fig.tight_layout()
stamp(fig, records)
plt.show()

# %% tags=["remove-input"]
rows = {r["label"][-1]: r for r in summarize(records)}
t3 = reference.TABLE3
labels = [f"resnet32-{o}" for o in "ABC"]
cpu = pages.cpu_records("shortcuts")
paper = {f"resnet32-{o}": f"{t3[f'resnet34_{o}'][0]:.2f} / {t3[f'resnet34_{o}'][1]:.2f} (ImageNet, ResNet-34)" for o in "ABC"}
display(Markdown(
    pages.compare_table(labels, paper, cpu, records)
    + f"\n\nPaper column: ResNet-34 on ImageNet, top-1 / top-5 error ({t3['source']}); its plain-34 has "
      f"{t3['plain34'][0]:.2f} / {t3['plain34'][1]:.2f}. This book's columns: ResNet-32 on CIFAR-10, training / test "
      f"error, seed 0, trained on the JPEG-derived copy of CIFAR-10. Parameters (ResNet-32): "
      + ", ".join(f"{o} {rows[o]['params']:,}" for o in "ABC") + "."))
display(Markdown(pages.cpu_scale_note("shortcuts", cpu)))
spread = max(r["eval_error"] for r in rows.values()) - min(r["eval_error"] for r in rows.values())
glue("c4d_spread", spread, display=False)
glue("c4d_extra_c", 100 * (rows["C"]["params"] - rows["A"]["params"]) / rows["A"]["params"], display=False)
glue("c4d_best", Markdown(min(rows, key=lambda o: rows[o]["eval_error"])), display=False)
a_gap = rows["A"]["eval_error"] - min(rows["B"]["eval_error"], rows["C"]["eval_error"])
glue("c4d_a_verdict", Markdown(
    f"here option A's test error is {abs(a_gap):.1f} points " + ("below" if a_gap < 0 else "above")
    + " the better of B and C"), display=False)
glue("c4d_a_verdict_zh", Markdown(
    "这里选项 A 的测试误差比 B、C 中较好的那个" + ("低" if a_gap < 0 else "高")
    + f" {abs(a_gap):.1f} 个百分点"), display=False)
glue("c4d_gain_plain", t3["plain34"][0] - t3["resnet34_A"][0], display=False)
glue("c4d_gain_c", t3["resnet34_A"][0] - t3["resnet34_C"][0], display=False)
cpu_rows = {r["label"][-1]: r for r in summarize(cpu)}
if len(cpu_rows) == 3:
    cpu_spread = max(r["eval_error"] for r in cpu_rows.values()) - min(r["eval_error"] for r in cpu_rows.values())
    cpu_text = (f"At the cpu scale (all 50k images, {cpu[0]['config']['max_iters']:,} iterations) the three options end "
                f"within {cpu_spread:.1f} points of test error of each other (option "
                f"{min(cpu_rows, key=lambda o: cpu_rows[o]['eval_error'])} lowest), still one seed each.")
elif cpu_rows:
    cpu_text = (f"At the cpu scale only option{'s' if len(cpu_rows) > 1 else ''} {' and '.join(sorted(cpu_rows))} "
                f"{'are' if len(cpu_rows) > 1 else 'is'} trained yet, so the longer runs cannot compare the three "
                "options today.")
else:
    cpu_text = "The cpu-scale runs, which would show the options after a much longer training, are not trained yet."
glue("c4d_cpu", Markdown(cpu_text), display=False)
cpu_best = min(cpu_rows, key=lambda o: cpu_rows[o]["eval_error"]) if len(cpu_rows) == 3 else None
glue("c4d_cpu_card", Markdown(f"within {cpu_spread:.1f} points of test error, {cpu_best} lowest" if cpu_best
                              else "not all three options trained yet"), display=False)
glue("c4d_cpu_card_zh", Markdown(f"测试误差相差不超过 {cpu_spread:.1f} 个百分点，{cpu_best} 最低" if cpu_best
                                 else "三个选项尚未全部训练"), display=False)
if len(cpu_rows) == 3:
    cpu_text_zh = (f"在 cpu 规模下（全部 5 万张图像，{cpu[0]['config']['max_iters']:,} 次迭代），三个选项最终的测试误差"
                   f"彼此相差不超过 {cpu_spread:.1f} 个百分点（选项 "
                   f"{min(cpu_rows, key=lambda o: cpu_rows[o]['eval_error'])} 最低），仍然各只有一个种子。")
elif cpu_rows:
    cpu_text_zh = (f"在 cpu 规模下目前只训练了选项 {' 和 '.join(sorted(cpu_rows))}，"
                   "所以更长的运行今天还无法比较这三个选项。")
else:
    cpu_text_zh = "cpu 规模的运行尚未训练；它们将展示这些选项在长得多的训练之后的表现。"
glue("c4d_cpu_zh", Markdown(cpu_text_zh), display=False)

# %% [markdown]
# ## Reading the result
#
# First, the paper's own numbers: where does the big step lie?

# %% tags=["remove-input"]
quiz("04d_shortcuts", ["q2"])

# %% [markdown]
# In the paper, going from plain-34 to ResNet-34 with option A lowers the top-1 error by
# {glue:text}`c4d_gain_plain:.1f` points; going from A to C lowers it by only
# {glue:text}`c4d_gain_c:.1f` more. Did you pick the first step? That asymmetry is the paper's
# point: the shortcut matters, the projection hardly.
#
# At the quick scale the three options end within {glue:text}`c4d_spread:.1f` points of test error
# of each other (option {glue:md}`c4d_best` lowest), with option C carrying
# {glue:text}`c4d_extra_c:.1f`% more parameters. Compare that with your prediction before the
# figure. One seed of a few hundred iterations cannot rank options by differences of this size:
# seed-to-seed differences of a single network at this scale are of the same order (try
# {ref}`ex-04d-1`). One mechanism could favour A and B over C in a short run: with C, *every*
# shortcut is a freshly initialised 1×1 convolution, so no block starts with a clean identity path;
# but one seed cannot separate that from noise. What the run can show is the statement that
# matters, whether the parameter-free option trains about as well as the ones with projections:
# {glue:md}`c4d_a_verdict`.
# {glue:md}`c4d_cpu`

# %% tags=["remove-input"]
display(Markdown(pages.paper_scale_note("shortcuts")))

# %% tags=["remove-input"]
quiz("04_experiments", ["q7"])

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-04d-1
#
# Run seeds 1 and 2 of the three options (`run_experiment("shortcuts", seeds=[0, 1, 2])`, about 5
# CPU-minutes) and look at `summarize(records)`: mean and standard deviation over seeds. Are the
# differences between options larger than the standard deviations?
# ```
#
# ````{solution} ex-04d-1
# :class: dropdown
#
# ```python
# recs = run_experiment("shortcuts", seeds=[0, 1, 2], progress=True)
# [(r["label"], round(r["eval_error"], 1), round(r["eval_error_std"], 1)) for r in summarize(recs)]
# ```
#
# Typically not at this scale: the option means differ by less than their spreads. Ranking A/B/C
# honestly needs the paper's budget and several seeds; the paper itself reports one run per option
# and calls the differences "small".
# ````
#
# ```{exercise}
# :label: ex-04d-2
#
# The paper explains A's small deficit by "the zero-padded dimensions in A indeed have no residual
# learning". Take the first block of stage 2 of an option-A ResNet-32 and check, with a hook on its
# `shortcut` tap, which output channels of the shortcut are identically zero. What do those
# channels of the block's output consist of?
# ```
#
# ````{solution} ex-04d-2
# :class: dropdown
#
# ```python
# import torch
# from resnet_book.models import get_model
# m, seen = get_model("resnet32").eval(), {}
# m.layer2[0].shortcut.register_forward_hook(lambda mod, i, o: seen.__setitem__("s", o))
# with torch.no_grad():
#     m(torch.randn(4, 3, 32, 32))
# (seen["s"].abs().amax(dim=(0, 2, 3)) == 0).nonzero().flatten()   # channels 16..31
# ```
#
# Channels 16–31 of the shortcut are zeros, so those channels of the block's output are
# $\operatorname{ReLU}(\mathcal{F}(x))$ alone: a plain layer, with no identity to fall back on.
# ````
#
# ```{admonition} 🧠 Knowledge card: shortcut options
# :class: tip
#
# **A** zero-pad (0 parameters) · **B** {term}`projection shortcut · 投影捷径` at shape changes ·
# **C** projections everywhere. **Paper (ImageNet, ResNet-34):** A < B < C by small margins; all
# far better than plain. **Quick scale (CIFAR, ResNet-32):** within {glue:text}`c4d_spread:.1f`
# points, below what one seed resolves. **Cpu scale:** {glue:md}`c4d_cpu_card`. **Lesson:** the {term}`shortcut connection · 快捷连接 / 跳跃连接`
# matters, the projection does not. ({doc}`glossary <../book/glossary>`)
# ```
