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
# 1. name the paper's three shortcut options and what each costs in parameters;
# 2. judge whether one run per option can rank options whose differences are small.
# ```
#
# The paper compares three kinds of shortcut on ImageNet with ResNet-34 {cite:p}`he2016deep`
# (Sec. 4.1, Table 3, read in {doc}`05_imagenet`). This page trains the CIFAR-10 analogue:
# ResNet-32 with option A (zero-padding where the channels double, the paper's CIFAR choice), B (1×1
# projections where the shape changes) or C (projections on every shortcut).

# %% tags=["remove-input"]
import matplotlib.pyplot as plt
from IPython.display import Markdown, display
from myst_nb import glue

from resnet_book import reference
from resnet_book.book import pages, quiz, stamp
from resnet_book.experiments import run_experiment
from resnet_book.experiments.report import summarize

# %% [markdown]
# ## Three shortcuts, one seed each
#
# ```{slide}
# - ResNet-32, options A / B / C: one recipe, one seed each
# - the paper compares them on ImageNet (Table 3)
# - can one run per option rank them?
# ```
#
# Same recipe, same data, same seed: only the shortcut differs.

# %% tags=["remove-input"]
quiz("04d_shortcuts", ["q1"])

# %%
records = pages.cpu_records("shortcuts")  # the committed cpu-scale runs: this page's evidence
quick = []
if pages.live_runs():  # the quick-scale runs: about 2.5 min on two threads (A reused from Fig. 6's page)
    quick = run_experiment("shortcuts", progress=False)
[(r["label"], r["final"]["params"]) for r in records]

# %% tags=["hide-input"] mystnb={"figure": {"caption": "ResNet-32 with shortcut options A, B and C at the cpu scale (the paper's recipe on all 50,000 training images, shortened; one seed each): training error (dashed) and test error (solid).", "name": "fig-04d-shortcuts"}}
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
paper = {f"resnet32-{o}": f"{t3[f'resnet34_{o}'][0]:.2f} / {t3[f'resnet34_{o}'][1]:.2f} (ImageNet, ResNet-34)" for o in "ABC"}
display(Markdown(
    pages.compare_table(labels, paper, records, quick)
    + f"\n\nPaper column: ResNet-34 on ImageNet, top-1 / top-5 error ({t3['source']}). This book's columns: "
      "ResNet-32 on CIFAR-10, training / test error, seed 0, the JPEG-derived copy of CIFAR-10. Parameters: "
    + ", ".join(f"{o} {rows[o]['params']:,}" for o in "ABC") + "."))
display(Markdown(pages.cpu_scale_note("shortcuts", records)))
for o in "ABC":
    glue(f"c4d_{o.lower()}", rows[o]["eval_error"], display=False)
glue("c4d_extra_c", 100 * (rows["C"]["params"] - rows["A"]["params"]) / rows["A"]["params"], display=False)

# %% [markdown]
# Option A ends at {glue:text}`c4d_a:.1f`% test error, B at {glue:text}`c4d_b:.1f`% and C at
# {glue:text}`c4d_c:.1f`%, with C carrying {glue:text}`c4d_extra_c:.1f`% more parameters than A. On
# ImageNet the paper calls B "slightly better" than A and C "marginally better" than B, and reports
# no spread over seeds. Whether gaps like these rank the options depends on how much one network
# varies from seed to seed, which one run per option does not measure. What a single run can show is
# the point that matters: whether the parameter-free option trains about as well as the projections.

# %% tags=["remove-input"]
display(Markdown(pages.paper_scale_note("shortcuts")))

# %% [markdown]
# ## Exercises
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
# **A** zero-padding (no parameters) · **B** projections where the shape changes · **C** projections
# everywhere. **Paper (ImageNet, ResNet-34):** C better than B better than A, by small margins; all
# far better than plain. **Cpu scale (CIFAR-10, ResNet-32, one seed):** A {glue:text}`c4d_a:.1f`%,
# B {glue:text}`c4d_b:.1f`%, C {glue:text}`c4d_c:.1f`% test error. **Lesson:** the
# {term}`shortcut connection · 快捷连接 / 跳跃连接` matters, the projection hardly.
# ({doc}`glossary <../book/glossary>`)
# ```
