#!/usr/bin/env python3
"""Writes a train.py --tiny run (base model + LoRA adapter, merged) as a GGUF file for llama.cpp's
server (llama-cpp-python), so that `schedcast llm predict` can be run against a real
OpenAI-compatible server serving the fine-tuned tiny model (serve_tiny.sh).

Only the Qwen2 architecture and the byte-level BPE tokenizer that model_io.build_tiny trains are
handled: tensors are written as F32 under llama.cpp's Qwen2 names (no q/k permutation: llama.cpp
runs Qwen2 with NeoX-style rope, as transformers does); the tokenizer is written as a "gpt2"
(byte-level BPE) vocabulary with the "gpt-2" pre-tokenizer, its merges, and the added answer tokens
(" A", " B", ...) as user-defined tokens, which llama.cpp, like the tokenizers library, matches in
the text before BPE. Needs torch, transformers, peft and gguf (setup.sh --serve).
  export_gguf.py --run RUN_DIR --out MODEL.gguf [--no-adapter]
"""
import argparse
import json
import os
import sys

import numpy as np
import torch


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", required=True, help="train.py --tiny output directory")
    ap.add_argument("--out", required=True)
    ap.add_argument("--no-adapter", action="store_true", help="write the base model only")
    args = ap.parse_args()
    import gguf
    from transformers import AutoModelForCausalLM

    run = json.load(open(os.path.join(args.run, "run.json")))
    base = run["base_model"]
    model = AutoModelForCausalLM.from_pretrained(base, torch_dtype=torch.float32)
    if not args.no_adapter:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, os.path.join(args.run, "adapter")).merge_and_unload()
    cfg = model.config
    if cfg.model_type != "qwen2":
        raise SystemExit(f"{base}: model_type {cfg.model_type!r}, only qwen2 is handled")
    tok = json.load(open(os.path.join(base, "tokenizer.json")))
    if tok["model"]["type"] != "BPE":
        raise SystemExit(f"{base}/tokenizer.json: a {tok['model']['type']} tokenizer, only byte-level BPE is handled")

    w = gguf.GGUFWriter(args.out, "qwen2")
    w.add_name(os.path.basename(os.path.normpath(args.run)))
    w.add_context_length(cfg.max_position_embeddings)
    w.add_embedding_length(cfg.hidden_size)
    w.add_block_count(cfg.num_hidden_layers)
    w.add_feed_forward_length(cfg.intermediate_size)
    w.add_head_count(cfg.num_attention_heads)
    w.add_head_count_kv(cfg.num_key_value_heads)
    w.add_rope_freq_base(float(cfg.rope_theta))
    w.add_layer_norm_rms_eps(float(cfg.rms_norm_eps))
    w.add_file_type(gguf.LlamaFileType.ALL_F32)

    # Vocabulary: BPE entries (byte-level strings) and added tokens, one per id up to vocab_size.
    tokens = [None] * cfg.vocab_size
    types = [gguf.TokenType.UNUSED] * cfg.vocab_size
    for t, i in tok["model"]["vocab"].items():
        tokens[i], types[i] = t, gguf.TokenType.NORMAL
    for a in tok.get("added_tokens", []):
        tokens[a["id"]] = a["content"]
        types[a["id"]] = gguf.TokenType.CONTROL if a["special"] else gguf.TokenType.USER_DEFINED
    tokens = [t if t is not None else f"[PAD{i}]" for i, t in enumerate(tokens)]
    merges = [m if isinstance(m, str) else " ".join(m) for m in tok["model"]["merges"]]
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("gpt-2")
    w.add_token_list(tokens)
    w.add_token_types(types)
    w.add_token_merges(merges)
    eos = tokens.index("<|endoftext|>")
    w.add_bos_token_id(eos)
    w.add_eos_token_id(eos)
    w.add_pad_token_id(eos)
    w.add_add_bos_token(False)

    names = {"input_layernorm": "attn_norm", "post_attention_layernorm": "ffn_norm",
             "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v",
             "self_attn.o_proj": "attn_output", "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up",
             "mlp.down_proj": "ffn_down"}
    sd = model.state_dict()
    out = {"token_embd.weight": sd["model.embed_tokens.weight"], "output_norm.weight": sd["model.norm.weight"],
           "output.weight": sd.get("lm_head.weight", sd["model.embed_tokens.weight"])}
    for i in range(cfg.num_hidden_layers):
        for hf, gg in names.items():
            for kind in ("weight", "bias"):
                key = f"model.layers.{i}.{hf}.{kind}"
                if key in sd:
                    out[f"blk.{i}.{gg}.{kind}"] = sd[key]
    left = [k for k in sd if not k.startswith("model.layers.") and k not in
            ("model.embed_tokens.weight", "model.norm.weight", "lm_head.weight")]
    if left:
        raise SystemExit(f"unmapped tensors: {left}")
    for name, t in out.items():
        w.add_tensor(name, t.detach().float().contiguous().numpy().astype(np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    print(f"wrote {args.out}: {len(out)} tensors, {len(tokens)} tokens "
          f"({sum(t == gguf.TokenType.USER_DEFINED for t in types)} user-defined)", file=sys.stderr)


if __name__ == "__main__":
    main()
