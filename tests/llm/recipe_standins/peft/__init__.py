"""Stand-in for the few `peft` names the recipe uses (see ../README.md): the "adapter" is the
whole model's state (every parameter trains); saving and loading follow peft's call shapes."""
import os

import torch


class LoraConfig:
    def __init__(self, **kw):
        self.kw = kw


class PeftModel(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.base_model = model

    def forward(self, **kw):
        return self.base_model(**kw)

    def print_trainable_parameters(self):
        n = sum(p.numel() for p in self.parameters() if p.requires_grad)
        print(f"trainable params: {n} (stand-in: all parameters)")

    def save_pretrained(self, d):
        os.makedirs(d, exist_ok=True)
        torch.save(self.base_model.state_dict(), os.path.join(d, "standin_adapter.pt"))

    @classmethod
    def from_pretrained(cls, model, d):
        model.load_state_dict(torch.load(os.path.join(d, "standin_adapter.pt")))
        return cls(model)


def get_peft_model(model, config):
    return PeftModel(model)


def prepare_model_for_kbit_training(model, use_gradient_checkpointing=False):
    return model
