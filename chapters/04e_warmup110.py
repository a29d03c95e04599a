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
#     experiments: [warmup110]
# ---

# %% [markdown]
# # ResNet-110 and the learning-rate warm-up
#
# ```{admonition} Learning goals
# :class: tip
#
# After this page you can
#
# 1. state the paper's warm-up rule for ResNet-110 (lr 0.01 until the training error is below 80%,
#    then 0.1) and how it differs from a linear warm-up;
# 2. read a learning-rate trace and a training curve together, and find where the warm-up ended;
# 3. say what the warm-up changes (the start of training) and what it does not (the final
#    accuracy, by the paper's footnote), and what a short run can and cannot tell about it.
# ```
#
# Every CIFAR ResNet of the paper starts at learning rate 0.1, except one {cite:p}`he2016deep`
# (Sec. 4.2):
#
# > In this case, we find that the initial learning rate of 0.1 is slightly too large to start
# > converging. So we use 0.01 to warm up the training until the training error is below 80%
# > (about 400 iterations), and then go back to 0.1 and continue training.
#
# and, in a footnote: "With an initial learning rate of 0.1, it starts converging (<90% error)
# after several epochs, but still reaches similar accuracy." So the warm-up is about the *start*
# of training. This page trains ResNet-110 with and without it and looks at that start.
#
# In the engine the warm-up is part of the learning-rate schedule: the lr stays at `warmup_lr` until
# the mean training error of the last 20 mini-batches drops below 80%, then the normal schedule
# takes over. At the quick scale (batch 32) both learning rates follow the linear scaling rule, so
# the warm-up is still a tenth of the base lr.
#
# ```{literalinclude} ../src/resnet_book/engine/train.py
# :pyobject: LRSchedule
# ```

# %% tags=["remove-input"]
import matplotlib.pyplot as plt
from IPython.display import Markdown, display
from myst_nb import glue

from resnet_book.book import pages
from resnet_book.book import quiz, stamp
from resnet_book import reference
from resnet_book.experiments import run_experiment

# %% [markdown]
# The warm-up run is the Table 6 page's ResNet-110 (reused); the run without warm-up trains now.
# Before the figure, a prediction:

# %% tags=["remove-input"]
quiz("04e_warmup110", ["q1"])

# %%
records = run_experiment("warmup110", progress=False)
by = {r["label"]: r for r in records}
[(r["label"], r["config"]["lr"], r["config"]["warmup_lr"], r["history"]["warmup_end"]) for r in records]


# %% tags=["remove-input"]
first_below = pages.first_below
warm, cold = by["resnet110-warmup"], by["resnet110-no-warmup"]
glue("c4e_warm_end", warm["history"]["warmup_end"] or -1, display=False)
glue("c4e_iters", warm["config"]["max_iters"], display=False)
fw, fc = first_below(warm, 0.8), first_below(cold, 0.8)
glue("c4e_first", Markdown(
    f"With the warm-up, the training error first drops below 80% at iteration {fw}; without it, "
    + (f"at iteration {fc}." if fc is not None else "never within this run.")
    if fw is not None else "Neither run gets its training error below 80% within this short budget."), display=False)
glue("c4e_first_zh", Markdown(
    f"带预热时，训练误差在第 {fw} 次迭代首次降到 80% 以下；不带预热时，"
    + (f"则在第 {fc} 次迭代。" if fc is not None else "在本次运行中始终没有降到 80% 以下。")
    if fw is not None else "在这么短的预算内，两次运行的训练误差都没有降到 80% 以下。"), display=False)
glue("c4e_warm_tr", 100 * warm["final"]["train_error"], display=False)
glue("c4e_cold_tr", 100 * cold["final"]["train_error"], display=False)
glue("c4e_warm_te", 100 * warm["final"]["eval_error"], display=False)
glue("c4e_cold_te", 100 * cold["final"]["eval_error"], display=False)
glue("c4e_end_text", Markdown(
    f"ended at iteration {warm['history']['warmup_end']}" if warm["history"]["warmup_end"] else
    "never ended (the training error stayed above 80%)"), display=False)
glue("c4e_end_text_zh", Markdown(
    f"在第 {warm['history']['warmup_end']} 次迭代结束" if warm["history"]["warmup_end"] else
    "始终没有结束（训练误差一直高于 80%）"), display=False)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "ResNet-110 with (blue) and without (red) the warm-up at the quick scale. Top: the learning rate actually used (log scale); the warm-up run trains at a tenth of the lr until its training error drops below 80%. Bottom: training error (dashed, windows of 10 iterations) and test error (solid, with dots).", "name": "fig-04e-warmup"}}
fig, axes = plt.subplots(2, 1, figsize=(7.5, 5), sharex=True, gridspec_kw={"height_ratios": [1, 2]})
pages.plot_warmup(axes, warm, cold)
fig.tight_layout()
stamp(fig, records)
plt.show()

# %% tags=["remove-input"]
cpu = pages.cpu_records("warmup110")
t6 = reference.TABLE6["resnet"][110]
paper = {"resnet110-warmup": f"{t6['error']:.2f} (mean {t6['mean']:.2f} ± {t6['std']:.2f})",
         "resnet110-no-warmup": "similar accuracy (footnote)"}
display(Markdown(
    pages.compare_table(["resnet110-warmup", "resnet110-no-warmup"], paper, cpu, records)
    + "\n\nPaper: Table 6 and the footnote of Sec. 4.2. This book's columns: seed 0, trained on the "
      "JPEG-derived copy of CIFAR-10."))
display(Markdown(pages.cpu_scale_note("warmup110", cpu)))
cby = {r["label"]: r for r in cpu}
if {"resnet110-warmup", "resnet110-no-warmup"} <= set(cby):
    cw, cc = cby["resnet110-warmup"], cby["resnet110-no-warmup"]
    end, fcc = cw["history"]["warmup_end"], first_below(cc, 0.8)
    # the footnote's "similar accuracy" at the end: within a point of test error (one seed each)
    gap = 100 * (cc["final"]["eval_error"] - cw["final"]["eval_error"])
    similar = abs(gap) <= 1.0
    cpu_text = (f"At the cpu scale ({cw['config']['max_iters']:,} iterations on all 50k images) the warm-up "
                + (f"ended at iteration {end}" if end else "never ended")
                + "; without it the training error "
                + (f"first dropped below 80% at iteration {fcc}" if fcc is not None else "never dropped below 80%")
                + f". The final test errors: {100 * cw['final']['eval_error']:.1f}% with the warm-up, "
                  f"{100 * cc['final']['eval_error']:.1f}% without"
                + (", similar, as the footnote says." if similar else
                   f": a gap of {abs(gap):.1f} points that this shortened schedule has not closed. The footnote's "
                   "\"similar accuracy\" is about the end of the paper's full schedule, which these runs do not "
                   "reach, so they do not show it."))
else:
    cpu_text = ("The cpu-scale pair, which would show the same start inside a much longer run, is not complete yet "
                "(see the note above).")
glue("c4e_cpu", Markdown(cpu_text), display=False)
if {"resnet110-warmup", "resnet110-no-warmup"} <= set(cby):
    cpu_text_zh = (f"在 cpu 规模下（在全部 5 万张图像上迭代 {cw['config']['max_iters']:,} 次），预热"
                   + (f"在第 {end} 次迭代结束" if end else "始终没有结束")
                   + "；不带预热时，训练误差"
                   + (f"在第 {fcc} 次迭代首次降到 80% 以下" if fcc is not None else "始终没有降到 80% 以下")
                   + f"。最终测试误差：带预热 {100 * cw['final']['eval_error']:.1f}%，"
                     f"不带预热 {100 * cc['final']['eval_error']:.1f}%"
                   + ("，相近，与脚注所说一致。" if similar else
                      f"：相差 {abs(gap):.1f} 个百分点，这个缩短的学习率计划没有把差距拉平。脚注所说的“相近的准确率”"
                      "指的是论文完整学习率计划的终点，这些运行达不到那里，因此没有显示出这一点。"))
else:
    cpu_text_zh = "cpu 规模的这一对运行尚未完成（见上方说明）；完成后，它们将在长得多的运行中展示同样的开端。"
glue("c4e_cpu_zh", Markdown(cpu_text_zh), display=False)
glue("c4e_cpu_card", Markdown(
    f"the warm-up {'ended at iteration ' + str(end) if end else 'never ended'}; final test error "
    f"{100 * cw['final']['eval_error']:.1f}% with it, {100 * cc['final']['eval_error']:.1f}% without"
    + ("" if similar else " (not yet similar at this shortened length)")
    if {"resnet110-warmup", "resnet110-no-warmup"} <= set(cby) else "the pair is not trained yet"), display=False)
glue("c4e_cpu_card_zh", Markdown(
    f"预热{'在第 ' + str(end) + ' 次迭代结束' if end else '始终没有结束'}；最终测试误差带预热 "
    f"{100 * cw['final']['eval_error']:.1f}%，不带预热 {100 * cc['final']['eval_error']:.1f}%"
    + ("" if similar else "（在这个缩短的长度下尚不相近）")
    if {"resnet110-warmup", "resnet110-no-warmup"} <= set(cby) else "这一对运行尚未训练"), display=False)

# %% [markdown]
# The same two runs at the cpu scale, where the start is a small part of a much longer run (the
# committed records; the curves are drawn from them):

# %% tags=["hide-input"] mystnb={"figure": {"caption": "ResNet-110 with (blue) and without (red) the warm-up at the cpu scale (all 50,000 training images, the paper's batch 128 and lr 0.1, a compressed schedule; one seed, the JPEG-derived copy of CIFAR-10). Top: the learning rate actually used; bottom: training error (dashed) and test error (solid, with dots) on all 10,000 test images.", "name": "fig-04e-warmup-cpu"}}
cpu_pair = [cby[k] for k in ("resnet110-warmup", "resnet110-no-warmup") if k in cby]
fig, axes = plt.subplots(2, 1, figsize=(7.5, 5), sharex=True, gridspec_kw={"height_ratios": [1, 2]})
if len(cpu_pair) == 2:
    pages.plot_warmup(axes, *cpu_pair)
else:  # not trained yet: say so inside the figure rather than leave it out
    for ax in axes:
        ax.text(0.5, 0.5, "cpu-scale pair not trained yet", ha="center", va="center", transform=ax.transAxes)
fig.tight_layout()
stamp(fig, cpu_pair)
plt.show()

# %% [markdown]
# ## Reading the figure
#
# What does the paper itself say the warm-up is for?

# %% tags=["remove-input"]
quiz("04e_warmup110", ["q2"])

# %% [markdown]
# The warm-up {glue:md}`c4e_end_text` of {glue:text}`c4e_iters` quick-scale iterations: compare
# with the lr trace you predicted.
# {glue:md}`c4e_first` At the end of the run the warm-up run has {glue:text}`c4e_warm_tr:.1f`%
# training error and {glue:text}`c4e_warm_te:.1f`% test error, the run without it
# {glue:text}`c4e_cold_tr:.1f`% and {glue:text}`c4e_cold_te:.1f`%.
#
# Two honest caveats. First, the paper does not claim that the warm-up changes the final result
# (its footnote says the opposite); what it changes is whether the first few hundred iterations
# make progress, and a run this short is *all* start, so it exaggerates whatever happens there, in
# either direction. Second, the quick scale trains at batch 32 with a quarter of the lr: the same lr
# per image, but four times as many updates, each noisier. Whether 0.1 is "slightly too large" for
# ResNet-110 depends on that balance, so the quick-scale outcome is a hint, not a replication.
# Did you answer that the warm-up changes the start, not the end? That is the footnote's claim,
# and it is the reason a longer run is worth having: {glue:md}`c4e_cpu`

# %% tags=["remove-input"]
display(Markdown(pages.paper_scale_note("warmup110")))

# %% tags=["remove-input"]
quiz("04_experiments", ["q8"])

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-04e-1
#
# Push the problem: train ResNet-110 without warm-up at twice the quick scale's lr
# (`run_experiment("warmup110", runs=["resnet110-no-warmup"], overrides={"lr": 0.05})`) and with
# warm-up at the same lr. Does the warm-up matter more when the lr is too large?
# ```
#
# ````{solution} ex-04e-1
# :class: dropdown
#
# ```python
# recs = run_experiment("warmup110", overrides={"lr": 0.05}, progress=True)
# [(r["label"], r["history"]["warmup_end"], round(100 * r["final"]["train_error"], 1)) for r in recs]
# ```
#
# (`overrides` changes the base lr; the warm-up lr of the warm-up run stays the scaled 0.01.)
# The larger the lr relative to what the initial network tolerates, the longer the run without
# warm-up stays near chance and the more a warm-up helps, which is the paper's reason for it.
# ````
#
# ```{exercise}
# :label: ex-04e-2
#
# Modern recipes use a *linear* warm-up over a fixed number of iterations
# {cite:p}`goyal2017accurate` instead of the paper's "0.01 until the error is below 80%". Name one
# advantage of each rule.
# ```
#
# ```{solution} ex-04e-2
# :class: dropdown
#
# The paper's rule adapts to the run: it ends when the network has started to learn, whatever the
# seed or depth, and needs no extra hyper-parameter for its length. A fixed linear warm-up is
# predictable (the schedule is known in advance, which matters for distributed training and for
# comparing runs), avoids the jump from 0.01 to 0.1, and does not depend on a noisy training-error
# estimate.
# ```
#
# ```{admonition} 🧠 Knowledge card: warm-up
# :class: tip
#
# **Why:** at 110 layers, lr 0.1 is "slightly too large to start converging". **Rule:** lr 0.01
# until the training error < 80% (about 400 iterations), then 0.1. **Effect:** on the start, not
# the end ("still reaches similar accuracy"). **Quick scale:** the warm-up
# {glue:md}`c4e_end_text`. **Cpu scale:** {glue:md}`c4e_cpu_card`. See {term}`He initialisation · He 初始化` and
# {term}`batch normalization · 批归一化`, the other two ingredients that make the first
# iterations work ({doc}`glossary <../book/glossary>`).
# ```
