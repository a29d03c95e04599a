"""resnet_book: the package behind "Deep Residual Learning, executable".

Folders by who reads them (each a layer: it imports only the layers below it, checked by
import-linter, see pyproject.toml):

* :mod:`resnet_book.book` -- the book's page helpers: quizzes, figure captions, page tables, diagrams;
* :mod:`resnet_book.experiments` -- the paper's experiments defined once, the scales, the runner,
  records with provenance, reports;
* :mod:`resnet_book.analysis` -- measuring networks: parameters, FLOPs, layer responses, lesions,
  the released weights on CIFAR-10's test images;
* :mod:`resnet_book.engine` -- data on the device, the training recipe and loop, checkpoints, torchrun;
* :mod:`resnet_book.models` -- the networks, their registry and the released pretrained weights;
* at the bottom, used by all: :mod:`~resnet_book.reference` (the paper's numbers, with sources),
  :mod:`~resnet_book.errors` (the failures a user can fix), :mod:`~resnet_book.files` (atomic
  writes), :mod:`~resnet_book.tables` (Markdown tables).

The command line, :mod:`resnet_book.cli` (``python -m resnet_book``), sits on top.
"""

__version__ = "0.1.0"
