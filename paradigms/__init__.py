"""paradigms: four ways a neural network learns, on one shared backbone package.

The curated public API (imported lazily, so ``import paradigms`` and the CLI start fast):

- ``Classifier``, ``Regressor`` — :mod:`paradigms.supervised`
- ``AutoEncoder`` — :mod:`paradigms.unsupervised`
- ``FineTuner`` — :mod:`paradigms.transfer`
- ``create_backbone``, ``save_backbone``, ``load_backbone``, ``list_backbones``,
  ``register_backbone``, ``Backbone`` — :mod:`paradigms.backbones`
- ``fit`` — :mod:`paradigms.engine`
- ``RunWriteError`` — a failed write (disk full, file-size limit, permissions), an ``OSError``

Each subpackage's ``__all__`` is its full public surface.
"""

from __future__ import annotations

from paradigms._lazy import lazy_attributes

__version__ = "0.1.0"

_LAZY = {
    "Classifier": "paradigms.supervised",
    "Regressor": "paradigms.supervised",
    "AutoEncoder": "paradigms.unsupervised",
    "FineTuner": "paradigms.transfer",
    "Backbone": "paradigms.backbones",
    "create_backbone": "paradigms.backbones",
    "list_backbones": "paradigms.backbones",
    "load_backbone": "paradigms.backbones",
    "register_backbone": "paradigms.backbones",
    "save_backbone": "paradigms.backbones",
    "fit": "paradigms.engine",
    "RunWriteError": "paradigms._common.errors",
}

__all__ = ["__version__", *_LAZY]


__getattr__ = lazy_attributes("paradigms", _LAZY)


def __dir__() -> list[str]:
    return sorted(__all__)
