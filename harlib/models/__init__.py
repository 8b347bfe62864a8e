"""Models, registered by name: ``create_model("deepconvlstm", in_channels, n_classes, length)``."""
from .base import MODELS, HARModel, create_model, model_names, register_model

from . import (attention_zoo, cnn, danhar, deepconvlstm, elk, res2net, tinyhar,  # noqa: E402,F401
               zoo_cnn, zoo_rnn)  # importing registers the models

__all__ = ["MODELS", "HARModel", "create_model", "model_names", "register_model"]
