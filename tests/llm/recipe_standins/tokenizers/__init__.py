"""Stand-in for the few `tokenizers` names model_io.build_tiny uses (see ../README.md)."""
from . import decoders, models, pre_tokenizers, trainers  # noqa: F401


class Tokenizer:
    def __init__(self, model):
        self.model = model
        self.pre_tokenizer = None
        self.decoder = None

    def train_from_iterator(self, texts, trainer):
        self.trained_on = sum(1 for _ in texts)
