"""Models, registered by name: ``create_model("deepconvlstm", in_channels, n_classes, length)``."""
from .base import (MODELS, HARModel, create_model, create_model_for, model_names,
                   needs_channel_groups, register_model)

from . import (atfa, cnn, cnn_gru, cnn_zeng, danhar, deepconvlstm, elk, har_ce,  # noqa: E402,F401
               lstm, lstm_autoencoder, lstm_cnn, memae, res2net, resnet, resnext,
               rev_attention, sf_cnn, stdualx, tccsnet, tinyhar, usad)  # importing registers the models
from ..core.numerics import pin_torch

pin_torch()   # oneDNN and NNPACK off under pinned numerics (harlib.core.numerics)

__all__ = ["MODELS", "HARModel", "create_model", "create_model_for", "model_names",
           "needs_channel_groups", "register_model"]
