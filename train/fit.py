"""Fine-tune the packaged MiniLM as a cross-encoder (one logit: does the text answer the question).

Plain PyTorch loop over the packaged MiniLM encoder with a mean-pooled one-logit head (see
`mean_pool_cross_encoder`), binary cross-entropy, AdamW (a larger step for the new head), linear
warm-up and decay, one epoch. Pairs are encoded with the same
`index.rerank.encode_pairs` that serving uses. Batches are made of pairs of similar length (sorted
inside seeded chunks), which roughly halves CPU time against random padding; the order of batches
is shuffled with the seed. Trade-off: a hand loop of ~60 lines instead of `CrossEncoder.fit`,
because it keeps tokenisation identical to serving and the thread count and timing in our hands.
"""

from __future__ import annotations

import math
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.rerank import encode_pairs, load_tokenizer
from train.data import Pair


@dataclass(frozen=True)
class FitConfig:
    max_length: int = 160
    batch_size: int = 32
    lr: float = 4e-5
    warmup: float = 0.1
    seed: int = 13
    threads: int = 2
    log_every: int = 10
    freeze_word_embeddings: bool = True
    freeze_layers: int = 0  # the lowest N transformer layers (and all embeddings) stay as packaged
    head_lr: float = 2e-3  # the new one-logit head starts from zero knowledge: it needs a larger step
    max_seconds: float = 0.0  # > 0: stop after this long (the rest of the epoch is skipped)


@dataclass(frozen=True)
class FitResult:
    model: Any  # the trained torch module (eval mode)
    tokenizer: Any
    seconds: float
    steps: int
    losses: tuple[float, ...]  # mean loss per logging window


def _batches(pairs: Sequence[Pair], cfg: FitConfig) -> list[list[Pair]]:
    rng = random.Random(cfg.seed)
    items = list(pairs)
    rng.shuffle(items)
    chunk = cfg.batch_size * 50
    batches: list[list[Pair]] = []
    for lo in range(0, len(items), chunk):
        part = sorted(items[lo : lo + chunk], key=lambda p: len(p.question) + len(p.text))
        batches.extend(part[i : i + cfg.batch_size] for i in range(0, len(part), cfg.batch_size))
    rng.shuffle(batches)
    return batches


def _tensors(tokenizer: Any, batch: Sequence[Pair]) -> dict[str, Any]:
    import torch

    enc = encode_pairs(tokenizer, [(p.question, p.text) for p in batch])
    return {k: torch.from_numpy(v) for k, v in enc.items()}


def mean_pool_cross_encoder(base: Path) -> Any:
    """MiniLM encoder + mean pooling over the pair's tokens + one linear logit, as a torch module.

    Mean pooling, not the [CLS] token: the packaged model was trained with mean pooling, so its
    [CLS] vector carries little and a [CLS] head learns slowly. `forward` returns the (batch, 1)
    logits tensor, which is what the ONNX export names `logits`.
    """
    import torch
    from transformers import AutoModel

    class MeanPoolCrossEncoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(base), add_pooling_layer=False)
            self.dropout = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(self.encoder.config.hidden_size, 1)
            torch.nn.init.zeros_(self.head.weight)
            torch.nn.init.zeros_(self.head.bias)

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            return self.head(self.dropout(pooled))

    return MeanPoolCrossEncoder()


def fit(base: Path, pairs: Sequence[Pair], cfg: FitConfig) -> FitResult:
    """Train one epoch from the model folder `base`; returns the model in eval mode."""
    import torch
    from transformers import get_linear_schedule_with_warmup

    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    tokenizer = load_tokenizer(base / "tokenizer.json", cfg.max_length)
    model = mean_pool_cross_encoder(base)
    if cfg.freeze_word_embeddings:  # 11.7M of 22.7M weights: skips their dense Adam update every step
        model.encoder.get_input_embeddings().weight.requires_grad_(False)
    if cfg.freeze_layers > 0:  # no backward pass through them: a CPU step costs less
        model.encoder.embeddings.requires_grad_(False)
        for layer in model.encoder.encoder.layer[: cfg.freeze_layers]:
            layer.requires_grad_(False)
    model.train()
    batches = _batches(pairs, cfg)
    params = [p for p in model.parameters() if p.requires_grad]
    body = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("head.")]
    groups = [{"params": body, "lr": cfg.lr}, {"params": list(model.head.parameters()), "lr": cfg.head_lr}]
    opt = torch.optim.AdamW(groups, weight_decay=0.01)
    sched = get_linear_schedule_with_warmup(opt, math.ceil(cfg.warmup * len(batches)), len(batches))
    loss_fn = torch.nn.BCEWithLogitsLoss()
    start, window, losses = time.perf_counter(), [], []
    for step, batch in enumerate(batches, 1):
        logits = model(**_tensors(tokenizer, batch)).squeeze(-1)
        loss = loss_fn(logits, torch.tensor([p.label for p in batch], dtype=torch.float32))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        opt.zero_grad()
        window.append(loss.item())
        over = cfg.max_seconds > 0 and time.perf_counter() - start > cfg.max_seconds
        if step % cfg.log_every == 0 or step == len(batches) or over:
            losses.append(float(np.mean(window)))
            window = []
            took = time.perf_counter() - start
            print(
                f"step {step}/{len(batches)} loss {losses[-1]:.4f} {took:.0f}s", file=sys.stderr, flush=True
            )
        if over:
            print(f"time bound {cfg.max_seconds:.0f}s reached at step {step}", file=sys.stderr, flush=True)
            break
    model.eval()
    return FitResult(model, tokenizer, time.perf_counter() - start, len(batches), tuple(losses))


def torch_logits(result: FitResult, pairs: Sequence[Pair], batch_size: int = 64) -> np.ndarray:
    """The trained model's logits for `pairs` (for checks against the exported ONNX)."""
    import torch

    out = []
    with torch.inference_mode():
        for lo in range(0, len(pairs), batch_size):
            batch = pairs[lo : lo + batch_size]
            out.append(result.model(**_tensors(result.tokenizer, batch)).squeeze(-1).numpy())
    return np.concatenate(out) if out else np.zeros(0, dtype=np.float32)
