"""The training loop shared by the supervised, unsupervised and transfer paradigms."""

from paradigms.engine.callbacks import Callback, CSVLogger, EarlyStopping, TensorBoardLogger
from paradigms.engine.checkpoint import Checkpoint, load_checkpoint
from paradigms.engine.history import History
from paradigms.engine.loop import fit
from paradigms.engine.state import TrainState

__all__ = [
    "CSVLogger",
    "Callback",
    "Checkpoint",
    "EarlyStopping",
    "History",
    "TensorBoardLogger",
    "TrainState",
    "fit",
    "load_checkpoint",
]
