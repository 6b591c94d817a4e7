"""Reading `schedcast dataset export --format prompt` JSONL and batching it for a causal LM.

Each line: {"program", "config", "run_id", "position", "split", "prompt", "letters", "target", "label"}
(prompt ends with "Answer:"; letters are "A", "B", ...; target maps letters to probabilities;
label is the observed letter). The answer token of letter L is the first token of " L"; examples
whose letters do not get distinct answer tokens are skipped (and counted). Needs only torch and a
tokenizer object with encode(text, add_special_tokens=False) -> list[int] and pad_token_id.
"""
import json

import torch


def read_jsonl(path, limit=0):
    rows = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except ValueError as e:
                raise SystemExit(f"{path}:{n}: not JSON: {e}")
            if limit and len(rows) >= limit:
                break
    return rows


def letter_token_ids(tokenizer, letters):
    """First token id of " L" for each letter L."""
    ids = []
    for letter in letters:
        toks = tokenizer.encode(" " + letter, add_special_tokens=False)
        ids.append(toks[0] if toks else -1)
    return ids


def encode(rows, tokenizer, max_length):
    """-> list of dicts with input_ids (left-truncated to max_length), letter_ids, target, label; skipped count."""
    out, skipped = [], 0
    for r in rows:
        ids = tokenizer.encode(r["prompt"], add_special_tokens=False)
        if len(ids) > max_length:
            ids = ids[-max_length:]  # keep the end: the options and the answer position
        letters = r["letters"]
        lid = letter_token_ids(tokenizer, letters)
        if -1 in lid or len(set(lid)) != len(lid):
            skipped += 1
            continue
        target = [float(r.get("target", {}).get(l, 0.0)) for l in letters]
        label = letters.index(r["label"]) if r.get("label") in letters else 0
        if sum(target) <= 0:
            target = [1.0 if i == label else 0.0 for i in range(len(letters))]
        s = sum(target)
        out.append({"input_ids": ids, "letter_ids": lid, "target": [t / s for t in target], "label": label,
                    "letters": letters, "key": {k: r[k] for k in ("program", "config", "run_id", "position")}})
    return out, skipped


def collate(examples, pad_token_id):
    """Left-pads input_ids (so position -1 is every prompt's answer position) and pads letters with -1."""
    n = max(len(e["input_ids"]) for e in examples)
    k = max(len(e["letter_ids"]) for e in examples)
    ids = torch.full((len(examples), n), pad_token_id, dtype=torch.long)
    mask = torch.zeros((len(examples), n), dtype=torch.long)
    letters = torch.full((len(examples), k), -1, dtype=torch.long)
    target = torch.zeros((len(examples), k), dtype=torch.float)
    label = torch.zeros(len(examples), dtype=torch.long)
    for i, e in enumerate(examples):
        L = len(e["input_ids"])
        ids[i, n - L:] = torch.tensor(e["input_ids"], dtype=torch.long)
        mask[i, n - L:] = 1
        letters[i, :len(e["letter_ids"])] = torch.tensor(e["letter_ids"], dtype=torch.long)
        target[i, :len(e["target"])] = torch.tensor(e["target"])
        label[i] = e["label"]
    return {"input_ids": ids, "attention_mask": mask, "letter_ids": letters, "target": target, "label": label}


def prediction_line(example, probs):
    """One line of the predictions JSONL `schedcast eval --predictions` reads."""
    line = dict(example["key"])
    line["probs"] = {l: float(p) for l, p in zip(example["letters"], probs)}
    return json.dumps(line)
