"""Losses over the candidate letters at the answer position (needs only torch).

The model's distribution over an example's K legal candidates is the softmax of the logits of the
K letter tokens (" A", " B", ...) at the last prompt position, all other vocabulary entries
ignored. Batches pad K with -1 token ids: padded slots get -inf logits (zero probability) and
carry zero target mass, so they add nothing to either loss.

  kl_loss(logits, target) = mean over the batch of  sum_k t_k (log t_k - log q_k)    (0 log 0 = 0)
  ce_loss(logits, label)  = mean over the batch of  -log q_label

For a one-hot target at the label the two are equal; the gradient of kl_loss with respect to the
letter logits is q - t.
"""
import torch


def letter_logits(last_logits: torch.Tensor, letter_ids: torch.Tensor) -> torch.Tensor:
    """[B, V] vocabulary logits at the answer position, [B, K] letter token ids (-1 = padding) -> [B, K]."""
    gathered = torch.gather(last_logits, 1, letter_ids.clamp(min=0))
    return gathered.masked_fill(letter_ids < 0, float("-inf"))


def letter_log_probs(logits: torch.Tensor) -> torch.Tensor:
    """Log-softmax over the legal letters (padded slots stay -inf)."""
    return torch.log_softmax(logits.float(), dim=-1)


def kl_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """KL(target || softmax(logits)), averaged over the batch. target rows sum to 1 over legal slots."""
    logq = letter_log_probs(logits)
    t = target.float()
    legal = torch.isfinite(logq)
    # t log t with 0 log 0 = 0; t * logq only where t > 0 (padded/illegal slots have t = 0, logq = -inf).
    pos = t > 0
    tlogt = torch.where(pos, t * torch.log(torch.where(pos, t, torch.ones_like(t))), torch.zeros_like(t))
    tlogq = torch.where(pos & legal, t * torch.where(legal, logq, torch.zeros_like(logq)), torch.zeros_like(t))
    return (tlogt - tlogq).sum(dim=-1).mean()


def ce_loss(logits: torch.Tensor, label: torch.Tensor) -> torch.Tensor:
    """-log q[label], averaged over the batch."""
    logq = letter_log_probs(logits)
    return -logq.gather(1, label.view(-1, 1)).squeeze(1).mean()
