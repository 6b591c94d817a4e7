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
    examples, skipped = encode(rows, tok, args.max_length)
    with open(args.out, "w") as out, torch.no_grad():
        for i in range(0, len(examples), args.batch_size):
            chunk = examples[i:i + args.batch_size]
            b = {k: v.to(device) for k, v in collate(chunk, tok.pad_token_id).items()}
            probs = letter_log_probs(letter_logits(last_logits(model, b).float(), b["letter_ids"])).exp().cpu()
            for e, p in zip(chunk, probs):
                out.write(prediction_line(e, p[:len(e["letters"])].tolist()) + "\n")
    print(f"wrote {len(examples)} predictions to {args.out} ({skipped} prompts skipped)", file=sys.stderr)


if __name__ == "__main__":
    main()
