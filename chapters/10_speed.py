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
# # Appendix C. Speed on a CPU
#
# How fast the networks of the paper train and run on the 2-core CPU this book is built on, and
# what that means for the length of its runs.
