"""Models, registered by name: ``create_model("deepconvlstm", in_channels, n_classes, length)``."""
from .base import MODELS, HARModel, create_model, model_names, register_model

from . import cnn, danhar, deepconvlstm, tinyhar, zoo_cnn, zoo_rnn  # noqa: E402,F401  (registers the models)

__all__ = ["MODELS", "HARModel", "create_model", "model_names", "register_model"]
