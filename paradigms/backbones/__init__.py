"""The shared backbone package: the currency every paradigm trains and reuses.

>>> from paradigms.backbones import create_backbone
>>> bb = create_backbone("cnn", in_shape=(1, 8, 8))
>>> bb.out_features
128
"""

from paradigms.backbones import cnn as _cnn  # noqa: F401  (registers "cnn")
from paradigms.backbones import flatten as _flatten  # noqa: F401  (registers "flatten")
from paradigms.backbones import mlp as _mlp  # noqa: F401  (registers "mlp")
from paradigms.backbones import nature_cnn as _nature  # noqa: F401  (registers "nature_cnn")
from paradigms.backbones import projected as _projected  # noqa: F401  (registers "projected")
from paradigms.backbones import timm_backbone as _timm  # noqa: F401  (registers "timm:")
from paradigms.backbones.base import Backbone, BackboneConfig
from paradigms.backbones.checkpoint import (
    load_backbone,
    read_backbone_config,
    resolve_backbone,
    save_backbone,
)
from paradigms.backbones.cnn import CNNBackbone
from paradigms.backbones.head import BackboneWithHead
from paradigms.backbones.mlp import MLPBackbone
from paradigms.backbones.normalization import Standardize
from paradigms.backbones.onnx import export_onnx
from paradigms.backbones.projected import ProjectedBackbone, project_backbone
from paradigms.backbones.registry import create_backbone, list_backbones, register_backbone
from paradigms.backbones.timm_backbone import TimmBackbone

__all__ = [
    "Backbone",
    "BackboneConfig",
    "BackboneWithHead",
    "CNNBackbone",
    "MLPBackbone",
    "ProjectedBackbone",
    "Standardize",
    "TimmBackbone",
    "create_backbone",
    "export_onnx",
    "list_backbones",
    "load_backbone",
    "project_backbone",
    "read_backbone_config",
    "register_backbone",
    "resolve_backbone",
    "save_backbone",
]
