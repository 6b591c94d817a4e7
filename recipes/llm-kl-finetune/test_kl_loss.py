#!/usr/bin/env python3
"""Pure-torch tests of the recipe's losses and batching (no transformers/peft needed).

Run: python3 test_kl_loss.py   (exit 77 = skipped because torch is not importable; ctest LlmRecipeKlLoss)
- KL equals CE for one-hot targets; KL >= 0 and 0 at q = target; its gradient is q - t.
- padded letter slots change nothing; letter_logits gathers the right vocabulary entries.
- on a toy problem (a tiny model over bag-of-token features, soft targets) the KL loss falls to
  near zero and the fitted distribution matches the target, while CE on sampled labels is
  worse calibrated in KL terms.
- prompts.collate left-pads so position -1 is every prompt's answer position; prediction_line
  writes what `schedcast eval --predictions` reads.
"""
import json
import os
import sys
import unittest

try:
    import torch
except ImportError:
    print("torch is not importable: skipping (install python3-torch)")
    sys.exit(77)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kl_loss import ce_loss, kl_loss, letter_log_probs, letter_logits  # noqa: E402
from prompts import collate, encode, letter_token_ids, prediction_line  # noqa: E402


class CharTokenizer:
    """One token per character; " X" is a single token for an upper-case letter X (like real BPE vocabularies)."""
    pad_token_id = 0

    def encode(self, text, add_special_tokens=False):
        ids, i = [], 0
        while i < len(text):
            if text[i] == " " and i + 1 < len(text) and "A" <= text[i + 1] <= "Z" and (i + 2 == len(text)):
                ids.append(1000 + ord(text[i + 1]))
                i += 2
            else:
                ids.append(ord(text[i]) % 1000 + 1)
                i += 1
        return ids


class Losses(unittest.TestCase):
    def test_kl_equals_ce_for_one_hot(self):
        g = torch.Generator().manual_seed(1)
        logits = torch.randn(16, 5, generator=g)
        label = torch.randint(0, 5, (16,), generator=g)
        onehot = torch.nn.functional.one_hot(label, 5).float()
        self.assertAlmostEqual(kl_loss(logits, onehot).item(), ce_loss(logits, label).item(), places=5)
        self.assertAlmostEqual(ce_loss(logits, label).item(),
                               torch.nn.functional.cross_entropy(logits, label).item(), places=5)

    def test_kl_nonnegative_zero_at_target_and_gradient(self):
        g = torch.Generator().manual_seed(2)
        t = torch.softmax(torch.randn(8, 4, generator=g), -1)
        self.assertAlmostEqual(kl_loss(t.log(), t).item(), 0.0, places=6)
        logits = torch.randn(8, 4, generator=g, requires_grad=True)
        loss = kl_loss(logits, t)
        self.assertGreater(loss.item(), 0)
        loss.backward()
        want = (torch.softmax(logits.detach(), -1) - t) / 8  # mean over the batch
        self.assertTrue(torch.allclose(logits.grad, want, atol=1e-6))
        # Zero target entries are fine (0 log 0 = 0), and the loss matches the textbook formula.
        t2 = torch.tensor([[0.5, 0.5, 0.0]])
        l2 = torch.tensor([[0.0, 1.0, 2.0]])
        q = torch.softmax(l2, -1)
        self.assertAlmostEqual(kl_loss(l2, t2).item(), float((t2[0, :2] * (t2[0, :2] / q[0, :2]).log()).sum()), places=6)

    def test_padding_changes_nothing(self):
        vocab = torch.randn(2, 50)
        ids = torch.tensor([[3, 7, 9], [4, 5, -1]])
        ll = letter_logits(vocab, ids)
        self.assertEqual(ll[0, 1].item(), vocab[0, 7].item())
        self.assertTrue(torch.isinf(ll[1, 2]))
        t = torch.tensor([[0.2, 0.3, 0.5], [0.6, 0.4, 0.0]])
        lab = torch.tensor([2, 0])
        self.assertAlmostEqual(kl_loss(ll[1:, :2], t[1:, :2]).item(), kl_loss(ll[1:], t[1:]).item(), places=6)
        self.assertAlmostEqual(letter_log_probs(ll)[1, :2].exp().sum().item(), 1.0, places=6)
        self.assertTrue(torch.isfinite(kl_loss(ll, t)))
        self.assertTrue(torch.isfinite(ce_loss(ll, lab)))

    def test_toy_problem_loss_falls_and_matches_target(self):
        # 3 "situations" (feature vectors), 3 candidates each, soft targets; labels sampled from them.
        torch.manual_seed(0)
        feats = torch.eye(3)
        targets = torch.tensor([[0.7, 0.2, 0.1], [0.34, 0.33, 0.33], [0.05, 0.9, 0.05]])
        x = feats.repeat(40, 1)
        t = targets.repeat(40, 1)
        labels = torch.multinomial(t, 1).squeeze(1)
        results = {}
        for name in ("kl", "ce"):
            torch.manual_seed(0)
            model = torch.nn.Linear(3, 3)
            opt = torch.optim.Adam(model.parameters(), lr=0.1)
            first = None
            for _ in range(300):
                logits = model(x)
                loss = kl_loss(logits, t) if name == "kl" else ce_loss(logits, labels)
                first = loss.item() if first is None else first
                opt.zero_grad()
                loss.backward()
                opt.step()
            with torch.no_grad():
                results[name] = (first, loss.item(), kl_loss(model(feats), targets).item(),
                                 torch.softmax(model(feats), -1))
        first, last, kl_to_target, q = results["kl"]
        self.assertLess(last, 0.05 * first)
        self.assertLess(kl_to_target, 1e-3)
        self.assertTrue(torch.allclose(q, targets, atol=0.02))
        # CE on single sampled labels fits the sample frequencies, not the distributions: worse KL.
        self.assertGreater(results["ce"][2], kl_to_target)


class Batching(unittest.TestCase):
    def rows(self):
        return [
            {"program": "p.TestA", "config": "go1.23/p2", "run_id": 3, "position": 7, "prompt": "xx\nA. a\nB. b\nAnswer:",
             "letters": ["A", "B"], "target": {"A": 0.25, "B": 0.75}, "label": "B"},
            {"program": "p.TestB", "config": "go1.19/p1", "run_id": 4, "position": 0, "prompt": "y\nA. a\nAnswer:",
             "letters": ["A"], "target": {}, "label": "A"},
        ]

    def test_encode_collate_and_lines(self):
        tok = CharTokenizer()
        self.assertEqual(letter_token_ids(tok, ["A", "B"]), [1065, 1066])
        ex, skipped = encode(self.rows(), tok, max_length=18)
        self.assertEqual(skipped, 0)
        self.assertEqual(len(ex[0]["input_ids"]), 18)  # truncated from the left, keeping "Answer:"
        self.assertEqual(ex[0]["input_ids"][-1], tok.encode(":")[0])
        self.assertEqual(ex[1]["target"], [1.0])  # empty target falls back to the label
        b = collate(ex, tok.pad_token_id)
        self.assertEqual(b["input_ids"].shape[1], 18)
        self.assertTrue(bool((b["input_ids"][:, -1] == tok.encode(":")[0]).all()))  # answer position is -1
        self.assertEqual(b["attention_mask"][1].sum().item(), len(ex[1]["input_ids"]))
        self.assertEqual(b["attention_mask"][1, 0].item(), 0)  # left padding
        self.assertEqual(b["letter_ids"].tolist(), [[1065, 1066], [1065, -1]])
        self.assertEqual(b["target"].tolist(), [[0.25, 0.75], [1.0, 0.0]])
        self.assertEqual(b["label"].tolist(), [1, 0])
        line = json.loads(prediction_line(ex[0], [0.4, 0.6]))
        self.assertEqual(line, {"program": "p.TestA", "config": "go1.23/p2", "run_id": 3, "position": 7,
                                "probs": {"A": 0.4, "B": 0.6}})


if __name__ == "__main__":
    unittest.main()
