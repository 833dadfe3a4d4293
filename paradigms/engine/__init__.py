"""The training loop shared by the supervised, unsupervised and transfer paradigms."""

from paradigms.engine.callbacks import Callback, CSVLogger, EarlyStopping, TensorBoardLogger
from paradigms.engine.checkpoint import Checkpoint, load_checkpoint
from paradigms.engine.history import History
from paradigms.engine.loop import fit
from paradigms.engine.state import TrainState
from paradigms.engine.tuning import TrialPruning, tune_estimator

__all__ = [
    "CSVLogger",
    "Callback",
    "Checkpoint",
    "EarlyStopping",
    "History",
    "TensorBoardLogger",
    "TrainState",
    "TrialPruning",
    "fit",
    "load_checkpoint",
    "tune_estimator",
]
