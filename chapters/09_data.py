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
# What CIFAR-10 this book reads, how its copy differs from the original, and what that does to
# the numbers on the pages.
