"""Loading the base model and tokenizer (real weights or the --tiny random Qwen2), and the forward
pass that returns the vocabulary logits at the last position only. Needs transformers (and peft
for adapters); tokenizers for --tiny.
"""
import os

import torch

TINY_DIR = "tiny-base"  # under the training output directory


def dtype_of(name):
    return {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[name]


def build_tiny(out_dir, texts, vocab_size=2000, hidden=128, layers=2):
    """A byte-level BPE tokenizer trained on `texts` and a randomly initialised Qwen2 model; saved to out_dir."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["<|endoftext|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(texts, trainer)
    hf = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|endoftext|>", pad_token="<|endoftext|>",
                                 clean_up_tokenization_spaces=False)
    # Answer tokens " A" ... " Z" (and " AA" ... for long candidate lists) as single tokens.
    letters = [chr(ord("A") + i) for i in range(26)]
    hf.add_tokens([" " + l for l in letters] + [" " + a + b for a in "AB" for b in letters])
    config = Qwen2Config(vocab_size=len(hf), hidden_size=hidden, intermediate_size=2 * hidden,
                         num_hidden_layers=layers, num_attention_heads=4, num_key_value_heads=2,
                         max_position_embeddings=8192, tie_word_embeddings=True)
    torch.manual_seed(0)
    model = Qwen2ForCausalLM(config)
    os.makedirs(out_dir, exist_ok=True)
    model.save_pretrained(out_dir)
    hf.save_pretrained(out_dir)
    return out_dir


def load_base(path, dtype="bf16", load_in_4bit=False, device="cuda"):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    kwargs = {"torch_dtype": dtype_of(dtype)}
    if load_in_4bit:
        from transformers import BitsAndBytesConfig

        kwargs["quantization_config"] = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4",
                                                           bnb_4bit_compute_dtype=dtype_of(dtype))
        kwargs["device_map"] = {"": 0}
    model = AutoModelForCausalLM.from_pretrained(path, **kwargs)
    if not load_in_4bit:
        model.to(device)
    return model, tokenizer


def last_logits(model, batch):
    """[B, V] logits at the last position of left-padded inputs (position ids follow the mask)."""
    mask = batch["attention_mask"]
    pos = (mask.cumsum(-1) - 1).clamp(min=0)
    args = {"input_ids": batch["input_ids"], "attention_mask": mask, "position_ids": pos, "use_cache": False}
    # Newer transformers compute logits only where asked (saves B x T x V memory with 150k vocabularies).
    for key in ("logits_to_keep", "num_logits_to_keep"):
        try:
            return model(**args, **{key: 1}).logits[:, -1, :]
        except TypeError:
            continue
    return model(**args).logits[:, -1, :]
