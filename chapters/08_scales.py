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
# # Appendix A. Scales, runs and provenance
#
# The chapters show three kinds of numbers side by side: the paper's, this book's committed
# runs, and runs made while a page executes. This appendix says how those runs are defined, named,
# recorded and reproduced.
