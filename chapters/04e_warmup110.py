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
# 1. read a learning-rate trace and a training curve together, and find where a warm-up ended;
# 2. say what the paper's warm-up is for, using its footnote, and what a shortened run can tell
#    about it.
# ```
#
# Every CIFAR-10 ResNet of the paper starts at learning rate 0.1 except ResNet-110 (and perhaps
# ResNet-1202, "trained as described above") {cite:p}`he2016deep`. This page trains ResNet-110 with
# and without the paper's warm-up.

# %% tags=["remove-input"]
import matplotlib.pyplot as plt
from IPython.display import Markdown, display
from myst_nb import glue

from resnet_book import reference
from resnet_book.book import pages, quiz, stamp
from resnet_book.experiments import run_experiment
from resnet_book.tables import markdown_table

# %% [markdown]
# ## The rule
#
# ```{slide}
# - ResNet-110 alone gets a learning-rate warm-up (Sec. 4.2)
# - the warm-up run's learning rate, iteration by iteration
# - predict its shape before the figure
# ```
#
# The figure below draws the learning rate that the warm-up run actually used. Predict its shape.

# %% tags=["remove-input"]
quiz("04e_warmup110", ["q1"])

# %% [markdown]
# The paper's rule (Sec. 4.2):
#
# > In this case, we find that the initial learning rate of 0.1 is slightly too large to start
# > converging. So we use 0.01 to warm up the training until the training error is below 80%
# > (about 400 iterations), and then go back to 0.1 and continue training.
#
# This book's engine applies it to the mean training error of the last 20 mini-batches. The runs
# below are the committed cpu-scale pair.

# %%
records = pages.cpu_records("warmup110")  # the committed cpu-scale runs: this page's evidence
quick = []
if pages.live_runs():  # the quick-scale pair: about 1.5 min on two threads (the warm-up run reused from Table 6's page)
    quick = run_experiment("warmup110", progress=False)
by = {r["label"]: r for r in records}
[(r["label"], r["config"]["lr"], r["config"]["warmup_lr"], r["history"]["warmup_end"]) for r in records]

# %% tags=["hide-input"] mystnb={"figure": {"caption": "ResNet-110 with (blue) and without (red) the warm-up at the cpu scale (the paper's batch 128 and lr 0.1 on all 50,000 training images, a shortened schedule; one seed each). Top: the learning rate actually used (log scale). Bottom: training error (dashed) and test error (solid, with dots); the dotted line marks 80%.", "name": "fig-04e-warmup"}}
fig, axes = plt.subplots(2, 1, figsize=(7.5, 5), sharex=True, gridspec_kw={"height_ratios": [1, 2]})
pages.plot_warmup(axes, by["resnet110-warmup"], by["resnet110-no-warmup"])
fig.tight_layout()
stamp(fig, records)
plt.show()

# %% [markdown]
# ## What the warm-up changes
#
# ```{slide}
# - ResNet-110 at lr 0.1 from the first iteration
# - a later start, or a worse end?
# - the cpu-scale pair: its start and its end
# ```
#
# The paper also trained ResNet-110 at lr 0.1 from the first iteration.

# %% tags=["remove-input"]
quiz("04e_warmup110", ["q2"])

# %% [markdown]
# The paper's footnote to the rule:
#
# > With an initial learning rate of 0.1, it starts converging (<90% error) after several epochs,
# > but still reaches similar accuracy.

# %% tags=["remove-input"]
t6 = reference.TABLE6["resnet"][110]
paper = {"resnet110-warmup": f"{t6['error']:.2f}", "resnet110-no-warmup": "similar (footnote)"}


def table_rows(runs: list[dict], scale: str) -> list[list[str]]:
    rows = []
    for r in sorted(runs, key=lambda r: r["label"], reverse=True):  # warm-up first
        end, below = r["history"]["warmup_end"], pages.first_below(r, 0.8)
        rows.append([pages.label(r["label"]), scale, f"{end:,}" if end else "–", f"{below:,}" if below else "–",
                     f"{100 * r['final']['train_error']:.1f} / {100 * r['final']['eval_error']:.1f}",
                     paper[r["label"]]])
    return rows


display(Markdown(markdown_table(
    ["run", "scale", "warm-up ended at iteration", "first logged window below 80% training error",
     "final training / test error (%)", "paper: test error (%)"],
    table_rows(records, f"cpu ({records[0]['config']['max_iters']:,} iterations)")
    + (table_rows(quick, f"quick ({quick[0]['config']['max_iters']:,} iterations)") if quick else []),
    align="llrrrr")
    + "\n\nThe warm-up ends on a running mean of 20 mini-batches; the curves are logged in longer windows. "
      "Paper: Table 6 and the footnote of Sec. 4.2; this book's runs: seed 0, the JPEG-derived copy of CIFAR-10."))
display(Markdown(pages.paper_scale_note("warmup110")))
glue("c4e_paper_iters", reference.CIFAR_RECIPE["max_iters"], display=False)
glue("c4e_cpu_iters", records[0]["config"]["max_iters"], display=False)
glue("c4e_end", by["resnet110-warmup"]["history"]["warmup_end"] or 0, display=False)
glue("c4e_warm_te", 100 * by["resnet110-warmup"]["final"]["eval_error"], display=False)
glue("c4e_cold_te", 100 * by["resnet110-no-warmup"]["final"]["eval_error"], display=False)

# %% [markdown]
# The footnote's claim has two parts: a slower start, and a similar accuracy at the end of the
# paper's {glue:text}`c4e_paper_iters:,` iterations. The cpu-scale runs stop at
# {glue:text}`c4e_cpu_iters:,`, so the start is a large part of them: compare the table's columns
# with each part of the claim.

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-04e-2
#
# Modern recipes use a *linear* warm-up over a fixed number of iterations
# {cite:p}`goyal2017accurate` instead of the paper's rule (lr 0.01 until the training error is below
# 80%, Sec. 4.2). Name one advantage of each rule.
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
# until the training error < 80% (about 400 iterations), then 0.1. **Claim:** a slower start without
# it, "similar accuracy" at the end. **Cpu scale (one seed):** the warm-up ended at iteration
# {glue:text}`c4e_end:,`; final test error {glue:text}`c4e_warm_te:.1f`% with it,
# {glue:text}`c4e_cold_te:.1f`% without. See {term}`He initialisation · He 初始化` and
# {term}`batch normalization · 批归一化`, the other two ingredients that make the first
# iterations work ({doc}`glossary <../book/glossary>`).
# ```
