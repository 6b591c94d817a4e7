#!/usr/bin/env python3
"""LoRA fine-tuning of a causal code LM to predict the next scheduling event of a Go program.

Input: `schedcast dataset export --format prompt --split train` (and --split validation) JSONL.
Loss: KL(target || softmax over the candidate-letter logits at the answer position) (--loss kl,
the default) or the cross-entropy of the observed letter (--loss ce); see kl_loss.py.
Output (--out DIR): adapter/ (peft LoRA adapter + tokenizer), train_log.json (the loss and KL
of each optimiser step's batches, per-epoch means, validation KL and accuracy before training and
after each epoch), run.json (the arguments; predict.py reads the base
model path from it). --tiny trains a small randomly initialised Qwen2 model built from a config
(saved in DIR/tiny-base) instead of loading weights: a plumbing check, not a baseline.
"""
import argparse
import json
import math
import os
import random
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kl_loss import ce_loss, kl_loss, letter_log_probs, letter_logits  # noqa: E402
from model_io import TINY_DIR, build_tiny, last_logits, load_base  # noqa: E402
from prompts import collate, encode, read_jsonl  # noqa: E402


def batches(examples, size, shuffle, rng):
    order = list(range(len(examples)))
    if shuffle:
        rng.shuffle(order)
    for i in range(0, len(order), size):
        yield [examples[j] for j in order[i:i + size]]


@torch.no_grad()
def evaluate(model, examples, args, pad_id, device):
    model.eval()
    kl = acc = n = 0.0
    for chunk in batches(examples, args.batch_size, False, None):
        b = {k: v.to(device) for k, v in collate(chunk, pad_id).items()}
        ll = letter_logits(last_logits(model, b).float(), b["letter_ids"])
        kl += kl_loss(ll, b["target"]).item() * len(chunk)
        acc += (letter_log_probs(ll).argmax(-1) == b["label"]).float().sum().item()
        n += len(chunk)
    model.train()
    return {"kl": kl / max(n, 1), "accuracy": acc / max(n, 1), "examples": int(n)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", required=True, help="prompt JSONL of the train split")
    ap.add_argument("--validation", help="prompt JSONL of the validation split")
    ap.add_argument("--model", help="base model directory or hub name (e.g. Qwen/Qwen2.5-Coder-7B)")
    ap.add_argument("--tiny", action="store_true", help="random small Qwen2 from a config (no weights needed)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--loss", choices=["kl", "ce"], default="kl")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--batch-size", type=int, default=4)
    ap.add_argument("--grad-accum", type=int, default=4)
    ap.add_argument("--max-length", type=int, default=3072, help="prompt tokens kept (from the end)")
    ap.add_argument("--lora-r", type=int, default=16)
    ap.add_argument("--lora-alpha", type=int, default=32)
    ap.add_argument("--lora-dropout", type=float, default=0.05)
    ap.add_argument("--dtype", choices=["bf16", "fp16", "fp32"], default="bf16")
    ap.add_argument("--load-in-4bit", action="store_true", help="QLoRA (needs bitsandbytes)")
    ap.add_argument("--gradient-checkpointing", action="store_true")
    ap.add_argument("--limit", type=int, default=0, help="use only the first N prompts of each file")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if bool(args.tiny) == bool(args.model):
        ap.error("give exactly one of --model and --tiny")

    from peft import LoraConfig, get_peft_model

    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    os.makedirs(args.out, exist_ok=True)
    train_rows = read_jsonl(args.train, args.limit)
    val_rows = read_jsonl(args.validation, args.limit) if args.validation else []
    base_path = args.model
    if args.tiny:
        base_path = build_tiny(os.path.join(args.out, TINY_DIR), [r["prompt"] for r in train_rows])
        if args.dtype == "bf16" and device == "cpu":
            args.dtype = "fp32"
    model, tok = load_base(base_path, args.dtype, args.load_in_4bit, device)
    if args.load_in_4bit:
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=args.gradient_checkpointing)
    elif args.gradient_checkpointing:
        model.gradient_checkpointing_enable()
        model.enable_input_require_grads()
    lora = LoraConfig(r=args.lora_r, lora_alpha=args.lora_alpha, lora_dropout=args.lora_dropout, task_type="CAUSAL_LM",
                      target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"])
    model = get_peft_model(model, lora)
    model.print_trainable_parameters()
    train, skipped = encode(train_rows, tok, args.max_length)
    val, vskipped = encode(val_rows, tok, args.max_length)
    print(f"train: {len(train)} prompts ({skipped} skipped: letters without distinct answer tokens); "
          f"validation: {len(val)} ({vskipped} skipped); device {device}", file=sys.stderr)
    if not train:
        raise SystemExit("no usable training prompts")
    json.dump({**vars(args), "base_model": os.path.abspath(base_path) if os.path.isdir(base_path) else base_path},
              open(os.path.join(args.out, "run.json"), "w"), indent=2)

    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.0)
    total_steps = math.ceil(len(train) / args.batch_size / args.grad_accum) * args.epochs
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / max(1, total_steps // 20)) * 0.5 * (1 + math.cos(math.pi * min(s, total_steps) / total_steps)))
    log = {"loss": args.loss, "train_examples": len(train), "validation_examples": len(val), "steps": [], "epochs": []}
    if val:
        log["validation_before"] = evaluate(model, val, args, tok.pad_token_id, device)
        print(f"validation before: {log['validation_before']}", file=sys.stderr)
    model.train()
    step, t0 = 0, time.time()
    for epoch in range(args.epochs):
        run_loss = run_kl = seen = 0.0
        win_loss = win_kl = win_n = 0.0  # since the last optimiser step
        for i, chunk in enumerate(batches(train, args.batch_size, True, rng)):
            b = {k: v.to(device) for k, v in collate(chunk, tok.pad_token_id).items()}
            ll = letter_logits(last_logits(model, b).float(), b["letter_ids"])
            loss = kl_loss(ll, b["target"]) if args.loss == "kl" else ce_loss(ll, b["label"])
            (loss / args.grad_accum).backward()
            with torch.no_grad():
                kl = kl_loss(ll, b["target"]).item()
            run_kl += kl * len(chunk)
            run_loss += loss.item() * len(chunk)
            seen += len(chunk)
            win_kl += kl * len(chunk)
            win_loss += loss.item() * len(chunk)
            win_n += len(chunk)
            if (i + 1) % args.grad_accum == 0:
                torch.nn.utils.clip_grad_norm_(params, 1.0)
                opt.step()
                sched.step()
                opt.zero_grad(set_to_none=True)
                step += 1
                log["steps"].append({"step": step, "epoch": epoch, "loss": win_loss / win_n, "kl": win_kl / win_n})
                win_loss = win_kl = win_n = 0.0
                if step % 10 == 0:
                    print(f"epoch {epoch} step {step}/{total_steps} {args.loss} {run_loss / seen:.4f} "
                          f"kl {run_kl / seen:.4f} ({time.time() - t0:.0f} s)", file=sys.stderr)
        opt.step()
        opt.zero_grad(set_to_none=True)
        ep = {"epoch": epoch, "train_loss": run_loss / max(seen, 1), "train_kl": run_kl / max(seen, 1)}
        if val:
            ep["validation"] = evaluate(model, val, args, tok.pad_token_id, device)
        log["epochs"].append(ep)
        print(f"epoch {epoch}: {ep}", file=sys.stderr)
        json.dump(log, open(os.path.join(args.out, "train_log.json"), "w"), indent=2)
    log["train_seconds"] = time.time() - t0
    if device == "cuda":
        log["peak_cuda_memory_gb"] = torch.cuda.max_memory_allocated() / 2**30
    json.dump(log, open(os.path.join(args.out, "train_log.json"), "w"), indent=2)
    model.save_pretrained(os.path.join(args.out, "adapter"))
    tok.save_pretrained(os.path.join(args.out, "adapter"))
    print(f"saved {os.path.join(args.out, 'adapter')}", file=sys.stderr)


if __name__ == "__main__":
    main()
