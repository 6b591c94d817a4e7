"""Stand-in for the few `transformers` names the recipe uses (see ../README.md): a byte tokenizer
with added tokens, and a tiny GRU causal LM that takes `num_logits_to_keep` (not `logits_to_keep`,
so the recipe's fallback path runs)."""
import json
import os
from types import SimpleNamespace

import torch


class PreTrainedTokenizerFast:
    def __init__(self, tokenizer_object=None, eos_token="<eos>", pad_token=None, added=None):
        self.added = list(added or [])
        self.eos_token = eos_token
        self.pad_token = pad_token

    def add_tokens(self, toks):
        self.added += [t for t in toks if t not in self.added]

    def __len__(self):
        return 257 + len(self.added)

    @property
    def pad_token_id(self):
        return None if self.pad_token is None else 256

    @property
    def eos_token_id(self):
        return 256

    def encode(self, text, add_special_tokens=False):
        ids, i = [], 0
        by_len = sorted(self.added, key=len, reverse=True)
        while i < len(text):
            for j, t in enumerate(by_len):
                if text.startswith(t, i):
                    ids.append(257 + self.added.index(t))
                    i += len(t)
                    break
            else:
                ids += list(text[i].encode())
                i += 1
        return ids

    def save_pretrained(self, d):
        os.makedirs(d, exist_ok=True)
        json.dump({"added": self.added, "eos": self.eos_token, "pad": self.pad_token},
                  open(os.path.join(d, "standin_tokenizer.json"), "w"))


class AutoTokenizer:
    @staticmethod
    def from_pretrained(d):
        j = json.load(open(os.path.join(d, "standin_tokenizer.json")))
        return PreTrainedTokenizerFast(eos_token=j["eos"], pad_token=j["pad"], added=j["added"])


class Qwen2Config(SimpleNamespace):
    pass


class Qwen2ForCausalLM(torch.nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.embed = torch.nn.Embedding(config.vocab_size, config.hidden_size)
        self.rnn = torch.nn.GRU(config.hidden_size, config.hidden_size, batch_first=True)
        self.q_proj = torch.nn.Linear(config.hidden_size, config.hidden_size)
        self.lm_head = torch.nn.Linear(config.hidden_size, config.vocab_size)

    def forward(self, input_ids, attention_mask=None, position_ids=None, use_cache=False, num_logits_to_keep=0):
        h, _ = self.rnn(self.embed(input_ids))
        h = self.q_proj(h)
        if num_logits_to_keep:
            h = h[:, -num_logits_to_keep:, :]
        return SimpleNamespace(logits=self.lm_head(h))

    def save_pretrained(self, d):
        os.makedirs(d, exist_ok=True)
        torch.save({"config": vars(self.config), "state": self.state_dict()}, os.path.join(d, "standin_model.pt"))

    @classmethod
    def from_pretrained(cls, d, torch_dtype=torch.float32, **kw):
        blob = torch.load(os.path.join(d, "standin_model.pt"))
        m = cls(Qwen2Config(**blob["config"]))
        m.load_state_dict(blob["state"])
        return m.to(torch_dtype)

    def gradient_checkpointing_enable(self):
        pass

    def enable_input_require_grads(self):
        pass


class AutoModelForCausalLM:
    from_pretrained = Qwen2ForCausalLM.from_pretrained


class BitsAndBytesConfig(SimpleNamespace):
    pass
