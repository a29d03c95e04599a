"""Reading time: how words are counted, and the main path's limit (2.5 hours at 200 words a minute)."""

from __future__ import annotations

from booktools import reading


def test_prose_words_count_the_prose_only():
    src = "\n".join([
        "# %% [markdown]", "# # A title here", "#", "# Two words {glue:text}`x:.1f` and $a+b$ too.",
        "# ```{math}", "# y = f(x) + x", "# ```", "# ```{admonition} Goals", "# :class: tip", "# Three more words", "# ```",
        "# ```{slide}", "# - not counted on the page", "# ```",
        "# %%", "x = 1  # code is not prose",
    ])
    assert reading.prose_words(src) == 3 + 6 + 3  # "A title here", "Two words x and x too", "Three more words"


def test_quiz_words_are_the_stems_and_options_a_page_shows(tmp_path):
    (tmp_path / "p.yml").write_text(
        "- id: q1\n  question: One two three\n  options:\n    - text: four\n      why: not counted\n"
        "- id: q2\n  question: Five\n  options:\n    - text: six seven\n")
    assert reading.quiz_words('quiz("p", ["q1"])', tmp_path) == 4
    assert reading.quiz_words('quiz("p")', tmp_path) == 7


def test_the_main_path_reads_in_two_and_a_half_hours():
    rows, total = reading.table()
    assert {f for caption, f, *_ in rows if caption in reading.MAIN_PATH_CAPTIONS} >= {
        "chapters/01_background", "chapters/04a_fig6", "chapters/07_recap"}
    assert total <= reading.MAIN_PATH_MAX_WORDS, (
        f"the main path has {total:,} words ({total / reading.WORDS_PER_MINUTE / 60:.2f} h at 200 words/min); "
        f"cut to {reading.MAIN_PATH_MAX_WORDS:,}")
