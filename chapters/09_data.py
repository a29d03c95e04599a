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
# ---

# %% [markdown]
# # Appendix B. The data this book trains on
#
# ```{admonition} Learning goals
# :class: tip
#
# After this appendix you can
#
# 1. say how this book's copy of CIFAR-10 differs from the original, and what its runs can be
#    compared with the paper on;
# 2. explain with distribution shift why the same photos, JPEG-compressed, give another error;
# 3. read a trained ResNet's top-3 predictions, confusion matrix and per-class errors.
# ```
#
# The paper trains and tests on CIFAR-10 {cite:p}`he2016deep` (Sec. 4.2). This appendix says which
# copy of it this book reads, what that does to the numbers on the pages, and what fully trained
# ResNets released by an independent reproduction do with both copies.

# %% tags=["remove-input"]
import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import Markdown, display
from myst_nb import glue

from resnet_book import analysis, reference
from resnet_book.analysis import evaluate_released
from resnet_book.book import glue_text, pages, quiz, stamp
from resnet_book.book.figures import plot_confusion_matrix, plot_topk_grid
from resnet_book.engine.data import CLASSES, load_cifar10, load_lossless1k, lossless1k_in_jpeg_copy
from resnet_book.engine.device import native_bf16
from resnet_book.models.weights import WEIGHTS
from resnet_book.tables import markdown_table

# %% [markdown]
# ## Two copies of CIFAR-10
#
# This book's committed runs were trained on a developer copy of CIFAR-10 whose labels and split
# are exact but whose pixels went through JPEG compression.

# %% tags=["remove-input"]
quiz("09_data", ["q1"])

# %%
data = load_cifar10()
data, data.jpeg_copy

# %% tags=["remove-input"]
glue_text("b_data_kind", "the developer copy of CIFAR-10 whose pixels went through JPEG" if data.jpeg_copy
          else "the original CIFAR-10 pixels (downloaded with torchvision)")

# %% [markdown]
# This build used {glue:md}`b_data_kind`. Every record names the data it was trained on by a
# fingerprint of its files, and the provenance line under each figure repeats it. Beside the copy,
# the shared data folder holds the first 1,000 test images with their original pixels
# (`cifar10_test_lossless1k.npz`, checked against a pinned digest), so the same photos can be
# compared in both versions:

# %% tags=["hide-input"] mystnb={"figure": {"caption": "The same six test photos with their original pixels (top), in the JPEG-derived copy (middle), and the difference between the two, amplified four times around grey (bottom). Where this book reads the original CIFAR-10, only the top row is shown.", "name": "fig-09-jpeg"}}
lossless_x, lossless_y = load_lossless1k(data.folder) if data.jpeg_copy else (data.x_test[:1000], data.y_test[:1000])
show = [int(np.flatnonzero(lossless_y == c)[0]) for c in range(6)]
rows = [("original pixels", lossless_x[show])]
if data.jpeg_copy:
    jpeg_x = data.x_test[lossless1k_in_jpeg_copy(data)]
    diff = np.clip(128 + 4 * (jpeg_x[show].astype(int) - lossless_x[show].astype(int)), 0, 255).astype(np.uint8)
    rows += [("JPEG-derived copy", jpeg_x[show]), ("difference ×4", diff)]
fig, axes = plt.subplots(len(rows), len(show), figsize=(1.3 * len(show), 1.45 * len(rows)), squeeze=False)
for r, (name, imgs) in enumerate(rows):
    for c, img in enumerate(imgs):
        axes[r, c].imshow(img)
        axes[r, c].set(xticks=[], yticks=[])
        if r == 0:
            axes[r, c].set_title(CLASSES[int(lossless_y[show[c]])], fontsize=8)
    axes[r, 0].set_ylabel(name, fontsize=7)
fig.tight_layout()
stamp(fig, text=f"CIFAR-10 test images (data {data.fingerprint[:12]}; original pixels: cifar10_test_lossless1k.npz).")
plt.show()

# %% [markdown]
# ## Distribution shift
#
# An independent PyTorch reproduction released its trained ResNet-20, 32, 44 and 56, trained on the
# original pixels. A prediction first:

# %% tags=["remove-input"]
quiz("09_data", ["q2"])

# %% tags=["remove-input"]
w56 = WEIGHTS["resnet56.akamaster"]
glue("b_w_source", Markdown(w56.source), display=False)
glue("b_w_licence", Markdown(w56.licence), display=False)
glue_text("b_w_trained", w56.trained)

# %% [markdown]
# The weights come from {glue:md}`b_w_source`, licence {glue:md}`b_w_licence`; they were trained
# with {glue:md}`b_w_trained`. `get_model(name, weights="akamaster")` loads them into this book's
# own ResNets: their option A pads the new zero channels on both sides of a widened stage where
# ours appends them, so each stage's channels are permuted on loading, which computes exactly the
# same function (`resnet_book.models.weights.convert_state_dict` says why). Each net is evaluated on
# the same 1,000 test photos twice, with their original pixels and with the JPEG copy's:

# %%
NETS = ["resnet20", "resnet32", "resnet44", "resnet56"]
SPLITS = ["test_lossless1k", "test_jpeg1k"] if data.jpeg_copy else ["test_lossless1k"]
subset = None if data.jpeg_copy else 1_000  # with the original CIFAR-10: 1,000 of its 10,000 test images
dtype = torch.bfloat16 if native_bf16(torch.device("cpu")) else torch.float32
evals = {(n, s): evaluate_released(n, s, eval_subset=subset, dtype=dtype) for n in NETS for s in SPLITS}
evals["resnet56", "test_lossless1k"].describe()

# %% tags=["remove-input"]
paper6 = reference.TABLE6["resnet"]
head = ["network", "paper, Table 6", "their reported", "here: original pixels"]
rows = [[pages.label(n), f"{paper6[int(n[6:])]['error']:.2f}", f"{WEIGHTS[n + '.akamaster'].reported_error:.2f}",
         f"{evals[n, SPLITS[0]].error:.1f}"] for n in NETS]
if data.jpeg_copy:
    head += ["here: JPEG copy", "JPEG − original (points)", "photos whose class changes"]
    for row, n in zip(rows, NETS):
        a, b = evals[n, SPLITS[0]], evals[n, SPLITS[1]]
        row += [f"{b.error:.1f}", f"{b.error - a.error:+.1f}", f"{int((a.predictions != b.predictions).sum())}"]
display(Markdown(markdown_table(head, rows, align="l" + "r" * (len(head) - 1))
                 + f"\n\nTest error in %. *Their reported*: the reproduction's README, on all 10k test images, best "
                   f"epoch chosen on the test set. *Here*: evaluated now on this CPU ({evals[NETS[0], SPLITS[0]].dtype}) "
                   f"on {evals[NETS[0], SPLITS[0]].n:,} test images."))
lossless = evals["resnet56", "test_lossless1k"]
glue("b_w56_lossless", lossless.error, display=False)
glue("b_w_n", lossless.n, display=False)

# %% [markdown]
# Same photos, same labels, same weights: only the pixels differ. This is **distribution shift**:
# the nets were trained on the original pixels, and the JPEG copy (blockier edges, smeared colours)
# is an input distribution they never saw. A network learns the statistics of its training inputs,
# including details a person would not notice, and those are what JPEG changes.
#
# ### How precise are 1,000 images?

# %% tags=["remove-input"]
quiz("09_data", ["q4"])
p = lossless.error / 100
glue("b_w_margin", float(100 * 1.96 * np.sqrt(p * (1 - p) / lossless.n)), display=False)

# %% [markdown]
# For the released ResNet-56 on the original pixels ({glue:text}`b_w56_lossless:.1f`% on
# {glue:text}`b_w_n:,` photos) the interval is about ±{glue:text}`b_w_margin:.1f` points.
#
# ## What it means for this book's runs
#
# The shift above hits nets trained on one copy and tested on the other.

# %% tags=["remove-input"]
quiz("09_data", ["q5"])

# %% [markdown]
# This book's runs are trained *and* tested on the JPEG copy, so they do not suffer this shift; but
# their level is the copy's, not the original CIFAR-10's, and the pages compare them with the paper
# by trends and orderings. A test set measures a network only on the distribution it was drawn
# from.
#
# ## The released nets' mistakes
#
# A trained ResNet is a classifier you can question. Before you look at its answers:

# %% tags=["remove-input"]
quiz("09_data", ["q3"])

# %% [markdown]
# The first twelve of the test photos (no selection), each with the released ResNet-56's three most
# probable classes and their probabilities, on the original pixels:

# %%
classes, probs = lossless.top_k(3, index=slice(0, 12))
[CLASSES[c] for c in classes[0]], probs[0].round(3)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "The released ResNet-56 on the first twelve of the original-pixel test photos: the true class above each image, its three most probable classes with their softmax probabilities below (green: the top-1 class is right; red: it is wrong).", "name": "fig-09-topk"}}
fig = plt.figure(figsize=(12, 6.2))
plot_topk_grid(lossless.images[:12], lossless.labels[:12], classes, probs, ncols=6, fig=fig)
stamp(fig, text=f"Released weights: {w56.source}, {w56.licence.split(' (')[0]}; evaluated here ({lossless.dtype}) on "
                f"{lossless.n:,} original-pixel CIFAR-10 test images.")
plt.show()

# %% tags=["hide-input"] mystnb={"figure": {"caption": "The confusion matrix of the released ResNet-56 on the original-pixel test photos: rows are the true classes, columns the predicted ones; colour is the fraction of each true class, numbers are counts (the diagonal holds the correct answers).", "name": "fig-09-confusion"}}
cm = lossless.confusion()
fig, ax = plt.subplots(figsize=(6.2, 5.4))
im = plot_confusion_matrix(ax, cm)
fig.colorbar(im, ax=ax, fraction=0.046, label="fraction of the true class")
fig.tight_layout()
stamp(fig, text=f"Released ResNet-56 ({w56.source}); {lossless.n:,} original-pixel CIFAR-10 test images.")
plt.show()

# %% tags=["remove-input"]
top = analysis.most_confused(cm, CLASSES, n=3)
for i, (true, pred, n) in enumerate(top, 1):
    glue_text(f"b_conf{i}_true", true)
    glue_text(f"b_conf{i}_pred", pred)
    glue(f"b_conf{i}_n", n, display=False)
glue("b_conf1_of", int(cm[CLASSES.index(top[0][0])].sum()), display=False)
glue("b_conf_errors", int(cm.sum() - np.trace(cm)), display=False)
glue("b_conf_top3", sum(n for _, _, n in top), display=False)
display(Markdown(markdown_table(["class"] + [pages.label(n) for n in NETS], [
    [c] + [f"{100 - evals[n, SPLITS[0]].per_class_accuracy()[c]:.1f}" for n in NETS] for c in CLASSES],
    align="l" + "r" * len(NETS)) + "\n\nError (%) of each true class, original pixels."))

# %% [markdown]
# Its most frequent mistake is a {glue:md}`b_conf1_true` taken for a {glue:md}`b_conf1_pred`
# ({glue:text}`b_conf1_n` of the {glue:text}`b_conf1_of` {glue:md}`b_conf1_true` images), then
# {glue:md}`b_conf2_true` for {glue:md}`b_conf2_pred` ({glue:text}`b_conf2_n`) and
# {glue:md}`b_conf3_true` for {glue:md}`b_conf3_pred` ({glue:text}`b_conf3_n`): these three cells
# hold {glue:text}`b_conf_top3` of its {glue:text}`b_conf_errors` mistakes. The table gives each
# class's error for the four released nets.
#
# ## Exercises
#
# ```{exercise}
# :label: ex-09-1
#
# Evaluate the released ResNet-20 on all 10,000 test images of the JPEG-derived copy
# (`split="full"`) and compare with its error on the JPEG copy of the 1,000 photos. How far apart
# are they, and is that within the uncertainty of 1,000 images?
# ```
#
# ````{solution} ex-09-1
# :class: dropdown
#
# ```python
# from resnet_book.analysis import evaluate_released
# full = evaluate_released("resnet20", "full")          # 10,000 JPEG-derived test images
# small = evaluate_released("resnet20", "test_jpeg1k")  # the JPEG copy of the 1,000
# full.error, small.error
# ```
#
# Both are on the shifted distribution, so both are far above the reported error. With an error
# rate $p$, 1,000 images measure it to about $\pm 1.96\sqrt{p(1-p)/1000}$ (about ±2.5 points at
# $p = 0.2$); the two numbers should agree within that, and the 10,000 give a margin about three
# times smaller.
# ````
#
# ```{exercise}
# :label: ex-09-2
#
# Which classes gain most from depth? Compare the per-class errors of the released ResNet-20 and
# ResNet-56 in the table above, and check whether the differences exceed the uncertainty of about
# 100 images per class.
# ```
#
# ```{solution} ex-09-2
# :class: dropdown
#
# With about 100 photos per class, a per-class error of 10% is uncertain by about
# $\pm 1.96\sqrt{0.1 \cdot 0.9/100} \approx \pm 6$ points: most per-class differences between the two
# nets are within it. Only the large ones (several points in the hardest classes, such as cat and
# dog) can be read as an effect, and even those need the 10,000 images to be sure.
# ```
#
# ````{exercise}
# :label: ex-09-3
#
# Use the released ResNet-56 on a 32×32 image of your own: load it, apply its input normalisation,
# and print its three most probable classes.
# ````
#
# ````{solution} ex-09-3
# :class: dropdown
#
# ```python
# import numpy as np, torch
# from PIL import Image
# from resnet_book.analysis import predict, top_k
# from resnet_book.models import get_model
# model = get_model("resnet56", weights="akamaster")
# img = np.asarray(Image.open("my_image.png").convert("RGB").resize((32, 32)), dtype=np.uint8)
# x = model.released_weights.transform(torch.from_numpy(img).permute(2, 0, 1)[None])
# classes, probs = top_k(torch.softmax(predict(model, x), 1).numpy(), 3)
# ```
#
# `analysis.evaluate_released` does the same for a whole split.
# ````
#
# ## Knowledge card
#
# ```{admonition} 🧠 Knowledge card: the data
# :class: tip
#
# | | |
# |---|---|
# | **This book's copy** | CIFAR-10's labels and split, pixels through JPEG; runs trained and tested on it compare by trends with the paper. |
# | **Distribution shift** | nets trained on original pixels err more on the JPEG copy of the same photos. |
# | **1,000 images** | measure an error rate to about ±2 points; 10,000 to about ±0.5. |
# | **A trained net's mistakes** | concentrated in a few pairs of similar classes; see its {term}`top-1 error · top-1 错误率` per class. |
# ```
