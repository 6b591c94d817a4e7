#!/usr/bin/env python3
"""Predictions JSONL for `schedcast eval --predictions FILE` from a base model (+ LoRA adapter).

Input: `schedcast dataset export --format prompt --split test` JSONL. For each prompt, the
probabilities are the softmax of the candidate-letter logits at the answer position (the same
quantity train.py fits). Lines: {"program", "config", "run_id", "position", "probs": {letter: p}}.
Prompts whose letters have no distinct answer tokens get no line (eval scores them as uniform and
reports the coverage).
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kl_loss import letter_log_probs, letter_logits  # noqa: E402
from model_io import load_base, last_logits  # noqa: E402
from prompts import collate, encode, prediction_line, read_jsonl  # noqa: E402


class MemoTokenizer:
    """Tokenises each distinct text once: many test examples share their prompt."""

    def __init__(self, tok):
        self.tok, self.memo, self.pad_token_id = tok, {}, tok.pad_token_id

    def encode(self, text, add_special_tokens=False):
        key = (text, add_special_tokens)
        if key not in self.memo:
            self.memo[key] = self.tok.encode(text, add_special_tokens=add_special_tokens)
        return list(self.memo[key])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="prompt JSONL (export --format prompt)")
    ap.add_argument("--run", help="train.py output directory (adapter/ and the base model from run.json)")
    ap.add_argument("--model", help="base model (default: from --run); alone = zero-shot")
    ap.add_argument("--adapter", help="LoRA adapter directory (default: RUN/adapter)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--max-length", type=int, default=3072)
    ap.add_argument("--dtype", choices=["bf16", "fp16", "fp32"], default="bf16")
    ap.add_argument("--load-in-4bit", action="store_true")
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    base, adapter = args.model, args.adapter
    if args.run:
        run = json.load(open(os.path.join(args.run, "run.json")))
        base = base or run["base_model"]
        adapter = adapter or os.path.join(args.run, "adapter")
        if run.get("tiny") and args.dtype == "bf16" and not torch.cuda.is_available():
            args.dtype = "fp32"
    if not base:
        ap.error("give --run or --model")
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model, tok = load_base(base, args.dtype, args.load_in_4bit, device)
    if adapter:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, adapter)
    model.eval()
    rows = read_jsonl(args.data, args.limit)
    examples, skipped = encode(rows, MemoTokenizer(tok), args.max_length)
    # Examples that share their prompt (the same prefix seen in several runs) share the forward pass.
    distinct = {}
    for e in examples:
        distinct.setdefault((tuple(e["input_ids"]), tuple(e["letter_ids"])), e)
    uniq = list(distinct.values())
    probs_of = {}
    with torch.no_grad():
        for i in range(0, len(uniq), args.batch_size):
            chunk = uniq[i:i + args.batch_size]
            b = {k: v.to(device) for k, v in collate(chunk, tok.pad_token_id).items()}
            probs = letter_log_probs(letter_logits(last_logits(model, b).float(), b["letter_ids"])).exp().cpu()
            for e, p in zip(chunk, probs):
                probs_of[(tuple(e["input_ids"]), tuple(e["letter_ids"]))] = p[:len(e["letters"])].tolist()
    with open(args.out, "w") as out:
        for e in examples:
            out.write(prediction_line(e, probs_of[(tuple(e["input_ids"]), tuple(e["letter_ids"]))]) + "\n")
    print(f"wrote {len(examples)} predictions ({len(uniq)} distinct prompts) to {args.out} "
          f"({skipped} prompts skipped)", file=sys.stderr)


if __name__ == "__main__":
    main()
