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

# %% [raw]
# # ASSIGNMENT CONFIG
# name: b_degradation
# init_cell: true
# check_all_cell: true
# show_question_points: true
# export_cell:
#   pdf: false
#   run_tests: false
#   instructions: "The zip file holds your notebook and degradation_record.json, the records of your run: your answers are graded against them."
# student_files:
#   - degradation_record.json
# generate:
#   pdf: false
#   show_stdout: false
#   show_hidden: false
# tests:
#   ok_format: false
# autograder_files:
#   - autograder_support.py

# %% [markdown]
# # Assignment B: measuring degradation
#
# **Paper:** He, Zhang, Ren, Sun (2015), *Deep Residual Learning for Image Recognition*,
# arXiv:1512.03385. **Read first:** Sec. 1 (the degradation problem and Fig. 1), Sec. 4.2 (the
# CIFAR-10 recipe and the plain nets of Fig. 6, left).
#
# The paper's starting point is an experiment you can repeat on a laptop: train a 20-layer and a
# 56-layer *plain* network (no shortcuts) with the same recipe, and compare them. In this
# assignment you run it at a small budget, read the numbers off your own run, and decide what they
# show.
#
# **How this notebook is graded.** Each question lists its points. The check cells
# (`grader.check("q1")`) run a few *public* tests; more tests (hidden) run when your notebook is
# graded. Every test is worth points, so partial work earns partial credit, and passing the public
# tests does not guarantee full marks. Your answers are graded against **your own run**: there is
# no single right number, but your numbers must be the ones your run produced, and your
# conclusions must follow from them.
#
# - Keep the names the questions ask for.
# - The run's records are saved to `degradation_record.json` beside this notebook. Once that file
#   exists, the notebook reads it instead of training again (delete it to train again).
# - Before you submit: *Kernel → Restart & Run All*, then run the export cell at the end and submit
#   the zip file it writes (it holds the notebook **and** `degradation_record.json`).

# %%
import json
from pathlib import Path

import matplotlib.pyplot as plt

# Everything this notebook takes from the course package, in one place: its training engine.
from resnet_book.experiments import run_experiment

RECORD_FILE = Path("degradation_record.json")  # your run's records (submitted with the notebook)
RUNS_DIR = Path("degradation_runs")  # where the engine keeps its own files (records, final weights)

# %% [markdown]
# ## The claim (Sec. 1, Fig. 1)
#
# > When deeper networks are able to start converging, a degradation problem has been exposed: with
# > the network depth increasing, accuracy gets saturated (which might be unsurprising) and then
# > degrades rapidly.
#
# > Unexpectedly, such degradation is not caused by overfitting, and adding more layers to a
# > suitably deep model leads to higher training error, as reported in [11, 42] and thoroughly
# > verified by our experiments.
#
# The evidence is Fig. 1, whose caption reads:
#
# > Training error (left) and test error (right) on CIFAR-10 with 20-layer and 56-layer “plain”
# > networks. The deeper network has higher training error, and thus test error.
#
# ## The run
#
# The course package trains the paper's networks with the paper's recipe (Sec. 4.2: SGD with
# momentum 0.9, weight decay 0.0001, He initialisation, BN, the learning rate divided by 10 twice,
# pad-and-crop and flip augmentation). `run_experiment(name, scale=..., out=..., progress=...)`
# trains every network of the experiment `name` (or reuses a finished run) and returns a list of
# *records*, one dict per network. The experiment `"fig1"` is the paper's Fig. 1: plain-20 and
# plain-56.
#
# The paper trains for 64,000 iterations of 128 images on a GPU. The `"quick"` scale keeps the
# recipe and changes only sizes, to fit a few minutes of a laptop CPU: 300 iterations of 32 images
# (learning rate 0.025, the paper's rate per image) divided by 10 at iterations 150 and 225, on a
# fixed 10,000-image subset of the training set (all classes equally), with the test error measured
# on 2,000 test images.
#
# A record holds, among other things:
#
# - `record["label"]`: `"plain20"` or `"plain56"`; `record["config"]`: the recipe it was trained with;
# - `record["history"]["iters"]`: the iteration at the end of each *log window* of 10 iterations, and
#   `record["history"]["train_error"]`: the fraction of the training images misclassified in that
#   window (while training, with augmentation);
# - `record["history"]["eval_iters"]` and `record["history"]["eval_error"]`: when the test error was
#   measured, and its value (a fraction).

# %% [raw]
# # BEGIN QUESTION
# name: q1
# points: 4

# %% [markdown]
# **Question 1.** Write `train_pair()`: it trains plain-20 and plain-56 with `run_experiment`, on
# the experiment `"fig1"` at the `"quick"` scale, with `out=RUNS_DIR` and `progress=False`, and
# returns the list of records. The cell after it calls `train_pair()` only when
# `degradation_record.json` does not exist yet, and then saves the records there. Expect a few
# minutes.

# %% [raw]
# # BEGIN SOLUTION

# %%
def train_pair():
    # BEGIN SOLUTION
    return run_experiment("fig1", scale="quick", out=RUNS_DIR, progress=False)
    # END SOLUTION


# %% [raw]
# # END SOLUTION

# %%
if RECORD_FILE.exists():
    records = json.loads(RECORD_FILE.read_text())
    print(f"read the records of your earlier run from {RECORD_FILE} (delete it to train again)")
else:
    records = train_pair()
    if not (isinstance(records, list) and records and all(isinstance(r, dict) for r in records)):
        raise ValueError(f"train_pair() returned {records!r}, not the list of records run_experiment gives")
    RECORD_FILE.write_text(json.dumps(records, indent=1))
by_label = {r["label"]: r for r in records}
sorted(by_label)

# %% [raw]
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
points: 1
""" # END TEST CONFIG
def test_records_exist():
    import json
    from pathlib import Path
    path = Path("degradation_record.json")
    assert path.exists(), "degradation_record.json is missing: run train_pair() through the cell after it"
    labels = sorted(r["label"] for r in json.loads(path.read_text()))
    assert labels == ["plain20", "plain56"], f"the records are for {labels}, not plain-20 and plain-56"

# %%
""" # BEGIN TEST CONFIG
points: 1
hidden: true
""" # END TEST CONFIG
def test_records_same_recipe():
    import json
    from pathlib import Path
    recs = json.loads(Path("degradation_record.json").read_text())
    assert all(r["experiment"] == "fig1" and r["status"] == "complete" for r in recs)
    assert recs[0]["config"] == recs[1]["config"], "the two networks were not trained with the same recipe"
    assert {r["model"] for r in recs} == {"plain20", "plain56"} and all(not r["model_kwargs"] for r in recs)

# %%
""" # BEGIN TEST CONFIG
points: 1
hidden: true
""" # END TEST CONFIG
def test_records_budget():
    import json
    from pathlib import Path
    from resnet_book.experiments import SCALE_SIZES
    quick = SCALE_SIZES["quick"]
    for r in json.loads(Path("degradation_record.json").read_text()):
        assert r["scale"] == "quick", f"{r['label']} ran at the {r['scale']!r} scale"
        for key in ("max_iters", "batch_size", "train_subset", "eval_subset"):
            assert r["config"][key] == quick[key], f"{r['label']}: {key} = {r['config'][key]}, not {quick[key]}"
        assert r["final"]["iterations"] == quick["max_iters"]

# %%
""" # BEGIN TEST CONFIG
points: 1
hidden: true
""" # END TEST CONFIG
def test_records_consistent():
    import json
    from pathlib import Path
    params = {"plain20": 269_722, "plain56": 853_018}
    for r in json.loads(Path("degradation_record.json").read_text()):
        h, f = r["history"], r["final"]
        assert len(h["iters"]) == len(h["train_error"]) > 0 and h["iters"][-1] == f["iterations"]
        tail = [e for i, e in zip(h["iters"], h["train_error"]) if i > 0.9 * h["iters"][-1]]
        assert abs(sum(tail) / len(tail) - f["train_error"]) < 1e-9, "final training error does not follow from the history"
        assert f["eval_error"] == h["eval_error"][-1] and h["eval_iters"][-1] == f["iterations"]
        assert f["params"] == params[r["label"]]

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# Your run, drawn like the paper's Fig. 1 (training error per log window on the left, test error
# on the right):

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.5), sharey=True)
for label, color in (("plain20", "C0"), ("plain56", "C3")):
    h = by_label[label]["history"]
    axes[0].plot(h["iters"], [100 * e for e in h["train_error"]], color=color, label=label)
    axes[1].plot(h["eval_iters"], [100 * e for e in h["eval_error"]], "o-", color=color, label=label)
axes[0].set(xlabel="iteration", ylabel="training error (%)", title="training")
axes[1].set(xlabel="iteration", ylabel="test error (%)", title="test (2,000 images)")
for ax in axes:
    ax.grid(alpha=0.3)
    ax.legend()
plt.show()

# %% [markdown]
# ## Reading the run

# %% [raw]
# # BEGIN QUESTION
# name: q2
# points: 2

# %% [markdown]
# **Question 2.** The training error of one log window is noisy. Write `final_train_error(record)`:
# the **mean training error over the log windows that end in the last 10% of the run** (windows
# whose end iteration `i` satisfies `i > 0.9 × the last window's end iteration`), **in percent**.

# %% [raw]
# # BEGIN SOLUTION

# %%
def final_train_error(record):
    # BEGIN SOLUTION
    h = record["history"]
    cutoff = 0.9 * h["iters"][-1]
    tail = [e for i, e in zip(h["iters"], h["train_error"]) if i > cutoff]
    return 100.0 * sum(tail) / len(tail)
    # END SOLUTION


# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
points: 0.5
""" # END TEST CONFIG
def test_final_train_error_range(final_train_error, records):
    value = final_train_error(records[0])
    assert isinstance(value, float) and 0 <= value <= 100, f"expected a percentage, got {value!r}"

# %%
""" # BEGIN TEST CONFIG
points: 1
hidden: true
""" # END TEST CONFIG
def test_final_train_error_record(final_train_error):
    import json
    from pathlib import Path
    for r in json.loads(Path("degradation_record.json").read_text()):
        assert abs(final_train_error(r) - 100 * r["final"]["train_error"]) < 1e-6

# %%
""" # BEGIN TEST CONFIG
points: 0.5
hidden: true
""" # END TEST CONFIG
def test_final_train_error_synthetic(final_train_error):
    iters = list(range(10, 310, 10))
    record = {"history": {"iters": iters, "train_error": [i / 1000 for i in iters]}}
    assert abs(final_train_error(record) - 29.0) < 1e-9, "the windows ending at 280, 290 and 300 average 29%"

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [raw]
# # BEGIN QUESTION
# name: q3
# points: 3

# %% [markdown]
# **Question 3.** Report your run's numbers, **in percent** (e.g. `41.3`), to at least one decimal:
# `train_error_20` and `train_error_56`, the final training errors of plain-20 and plain-56 (as in
# Question 2), and `test_error_20` and `test_error_56`, their test errors at the end of the run
# (the last evaluation). You may type them or compute them.

# %% [raw]
# # BEGIN SOLUTION

# %%
train_error_20 = final_train_error(by_label["plain20"])  # SOLUTION
train_error_56 = final_train_error(by_label["plain56"])  # SOLUTION
test_error_20 = 100 * by_label["plain20"]["history"]["eval_error"][-1]  # SOLUTION
test_error_56 = 100 * by_label["plain56"]["history"]["eval_error"][-1]  # SOLUTION
print(f"training error: plain-20 {train_error_20:.1f}%, plain-56 {train_error_56:.1f}%")
print(f"test error:     plain-20 {test_error_20:.1f}%, plain-56 {test_error_56:.1f}%")

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
points: 1
""" # END TEST CONFIG
def test_numbers_are_percentages(train_error_20, train_error_56, test_error_20, test_error_56):
    values = [train_error_20, train_error_56, test_error_20, test_error_56]
    assert all(isinstance(v, (int, float)) for v in values), "set all four to numbers"
    assert all(1 < v <= 100 for v in values), "report percentages (41.3), not fractions (0.413)"

# %%
""" # BEGIN TEST CONFIG
points: 1
hidden: true
""" # END TEST CONFIG
def test_train_errors_match_run(train_error_20, train_error_56):
    import json
    from pathlib import Path
    run = {r["label"]: 100 * r["final"]["train_error"] for r in json.loads(Path("degradation_record.json").read_text())}
    assert abs(train_error_20 - run["plain20"]) <= 0.5 and abs(train_error_56 - run["plain56"]) <= 0.5

# %%
""" # BEGIN TEST CONFIG
points: 1
hidden: true
""" # END TEST CONFIG
def test_test_errors_match_run(test_error_20, test_error_56):
    import json
    from pathlib import Path
    run = {r["label"]: 100 * r["final"]["eval_error"] for r in json.loads(Path("degradation_record.json").read_text())}
    assert abs(test_error_20 - run["plain20"]) <= 0.5 and abs(test_error_56 - run["plain56"]) <= 0.5

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [raw]
# # BEGIN QUESTION
# name: q4
# points: 2

# %% [markdown]
# **Question 4.** Set `gap_train` to plain-56's final training error minus plain-20's, in
# percentage points, from your numbers of Question 3, and `deeper_is_worse` to `True` if, in your
# run, the deeper net ends with the higher training error, `False` otherwise.

# %% [raw]
# # BEGIN SOLUTION

# %%
gap_train = train_error_56 - train_error_20  # SOLUTION
deeper_is_worse = gap_train > 0  # SOLUTION
gap_train, deeper_is_worse

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
points: 0.5
""" # END TEST CONFIG
def test_direction_types(gap_train, deeper_is_worse):
    assert isinstance(gap_train, (int, float)) and not isinstance(gap_train, bool), "gap_train: a number"
    assert isinstance(deeper_is_worse, bool), "deeper_is_worse: True or False"

# %%
""" # BEGIN TEST CONFIG
points: 0.75
hidden: true
""" # END TEST CONFIG
def test_direction_follows_numbers(gap_train, deeper_is_worse, train_error_20, train_error_56):
    assert abs(gap_train - (train_error_56 - train_error_20)) < 0.05
    assert deeper_is_worse == (train_error_56 > train_error_20)

# %%
""" # BEGIN TEST CONFIG
points: 0.75
hidden: true
""" # END TEST CONFIG
def test_direction_matches_run(deeper_is_worse, gap_train):
    import json
    from pathlib import Path
    run = {r["label"]: 100 * r["final"]["train_error"] for r in json.loads(Path("degradation_record.json").read_text())}
    assert deeper_is_worse == (run["plain56"] > run["plain20"])
    assert abs(gap_train - (run["plain56"] - run["plain20"])) <= 1.0

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [raw]
# # BEGIN QUESTION
# name: q5
# points: 2

# %% [markdown]
# **Question 5.** Which reading do **your** numbers support? Set `diagnosis` to one letter.
#
# - **A. Overfitting:** the deeper net fits its training data at least as well as the shallower one
#   (training error not higher), but its test error is higher.
# - **B. Degradation, as in Fig. 1:** the deeper net has the higher *training* error, so whatever
#   holds it back already shows on the data it is trained on; overfitting cannot explain that.
# - **C. Neither:** the deeper net is at least as good on both training and test error.
#
# (If your run disagrees with the paper, answer for your run: your grade depends on the consistency
# of your answer with your numbers, not on agreeing with the paper.)

# %% [raw]
# # BEGIN SOLUTION

# %%
diagnosis = "B" if train_error_56 > train_error_20 else ("A" if test_error_56 > test_error_20 else "C")  # SOLUTION
diagnosis

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
points: 0.5
""" # END TEST CONFIG
def test_diagnosis_letter(diagnosis):
    assert diagnosis in ("A", "B", "C"), 'set diagnosis to "A", "B" or "C"'

# %%
""" # BEGIN TEST CONFIG
points: 1.5
hidden: true
""" # END TEST CONFIG
def test_diagnosis_follows_numbers(diagnosis, train_error_20, train_error_56, test_error_20, test_error_56):
    if train_error_56 > train_error_20:
        expected = "B"
    elif test_error_56 > test_error_20:
        expected = "A"
    else:
        expected = "C"
    assert diagnosis == expected

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## To think about (not graded)
#
# Your run is 300 iterations of a schedule the paper runs for 64,000. Which features of Fig. 1 does
# it reproduce, and which could only a full-length run test? Sec. 4.1 argues that the degradation is
# unlikely to come from vanishing gradients, because the plain nets are trained with BN: what would
# you measure in this run to check that?
