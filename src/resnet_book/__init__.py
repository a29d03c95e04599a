"""resnet_book: the package behind "Deep Residual Learning, executable".

Subpackages and modules: ``models`` (the paper's networks and a registry), ``analysis``
(parameters, FLOPs, layer responses), ``reference`` (published numbers with sources), ``data``
(CIFAR-10 on the device), ``train`` (the recipe), ``experiments`` (the paper's CIFAR experiments
at two scales), ``results`` (records with provenance), ``cli``.
"""

__version__ = "0.1.0"
