"""MODEL_CARD.md of one query-adapter fit (from the record `train.adapter.run` returns)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CARD = """# Query adapter: a linear map on MiniLM question vectors

`W` ({dim} x {dim}, float32, `adapter.npy`, sha256 `{sha}`), applied as `normalise(W q)` to the
question's all-MiniLM-L6-v2 vector before it is compared with the index's (unchanged) sentence
vectors by cosine. Used by `index/adapter.py` as one more ranked list in retrieval's fusion
(`bot/retrieve.py`), with the weight `bot/data/answer.toml` gives it (chosen on the dev split).

## How it was made

- Command: `{command}` ({total} s in all: encoding {encode} s, fit {fit} s, on a shared 2-core machine).
- Base: `{base}` (frozen; only the query-side map is learnt).
- Fit: `W` starts at the identity; loss = softmax cross-entropy of `cos(W q, s) / {temperature}` over
  the question's answer sentence, the other questions' answer sentences in the batch and
  {hard} same-focus sentences that answer other question types, plus `{reg} * ||W - I||^2 / d`;
  Adam, lr {lr}, {epochs} epochs, batch {batch}, seed {seed}. ||W - I||_F = {frob}.

## Data

Public only (`train/adapter_data.py`): MedQuAD (U.S. NLM; CC BY 4.0; Ben Abacha & Demner-Fushman,
BMC Bioinformatics 20:511, 2019), {examples} questions over {foci} foci ({train} fitted, {held}
held out by focus). Every MedQuAD document with an answer judged for the TREC 2017 LiveQA medical
questions ({live_docs} documents, {dropped} rows) is left out, so the LiveQA-Med measurement stays
clean. Nothing from the project's `eval/` folder (gold, held-out) is read.

## Checks

Held-out foci, first answer sentence against its same-focus hard negatives and 100 other answers'
first sentences (MRR / hit@1): identity {id_mrr} / {id_h1}, adapter {ad_mrr} / {ad_h1}.
LiveQA-Med and the gold dev split: `BENCHMARKS.md` and `eval/README.md`.

## Limits

MedQuAD's questions are templated (16 types: symptoms, causes, treatment ...) and its drug
subsets were removed upstream: dose, timing and onset questions are not in the training data.
A linear map re-weights MiniLM's directions; it cannot read question and sentence together.

```json
{record}
```
"""


def write_adapter_card(record: dict[str, Any], out: Path) -> Path:
    cfg, data, held = record["config"], record["data"], record["held_out"]
    text = CARD.format(
        dim=record["dimension"],
        sha=record["sha256"],
        command=record["command"],
        total=record["total_seconds"],
        encode=record["encode_seconds"],
        fit=record["fit_seconds"],
        base=record["base_model"],
        temperature=cfg["temperature"],
        hard=cfg["hard_negatives"],
        reg=cfg["reg"],
        lr=cfg["lr"],
        epochs=cfg["epochs"],
        batch=cfg["batch_size"],
        seed=cfg["seed"],
        frob=record["frobenius_from_identity"],
        examples=data["examples"],
        foci=data["foci"],
        train=record["train_examples"],
        held=record["held_examples"],
        live_docs=data["liveqa_documents_excluded"],
        dropped=data["medquad_rows_excluded_liveqa"],
        id_mrr=held["identity_mrr"],
        id_h1=held["identity_hit1"],
        ad_mrr=held["adapter_mrr"],
        ad_h1=held["adapter_hit1"],
        record=json.dumps(record, indent=2),
    )
    path = out / "MODEL_CARD.md"
    path.write_text(text, "utf-8")
    return path
