"""Word vectors from WordLlama's static token embeddings, for the embedding experiment
(``tools/embedding/experiment.py``). Runs OFFLINE in its own virtualenv, never in the Lambda layer:

    python3 -m venv /work/embed-venv && /work/embed-venv/bin/pip install wordllama==0.4.0.post1
    /work/embed-venv/bin/python tools/embedding/word_vectors.py tests/data/labeled OUT.npz

WordLlama (MIT, https://github.com/dleemiller/WordLlama) ships ``weights/l2_supercat_256.safetensors``
inside its wheel: 32k Llama-2 tokens x 256 dims, Matryoshka-trained (the first 64/128 dims are
usable alone). Nothing is downloaded at run time. A word's vector is the mean of its tokens' vectors
(the bundled tokenizer's ids, special tokens dropped, rows of the bundled weights averaged: what
``WordLlama.embed(word, norm=False)`` computes, read straight from the wheel's files because
``WordLlama.load`` looks for its tokenizer in a cache and then on Hugging Face), for every word the
scorer's own tokeniser (``signals.scoring.features.words``) finds in the labelled titles, summaries.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import wordllama
from safetensors.numpy import load_file
from tokenizers import Tokenizer

ROOT = Path(__file__).resolve().parents[2]


def _features_module():
    # load features.py alone (it imports only the standard library at run time)
    spec = importlib.util.spec_from_file_location("features", ROOT / "shared/signals/scoring/features.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(labels: str, out: str) -> None:
    features = _features_module()
    vocab: dict[str, int] = {}
    for file in sorted(Path(labels).glob("*.jsonl")):
        for line in file.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            text = features._plain(row.get("title", "")) + " " + features._plain(row.get("summary") or "")
            for w in features.words(text):
                vocab[w] = vocab.get(w, 0) + 1
    names = sorted(vocab)
    package = Path(wordllama.__file__).parent
    tokenizer = Tokenizer.from_file(str(package / "tokenizers/l2_supercat_tokenizer_config.json"))
    table = load_file(str(package / "weights/l2_supercat_256.safetensors"))["embedding.weight"].astype(
        np.float32
    )
    vectors = np.zeros((len(names), table.shape[1]), dtype=np.float32)
    for i, encoding in enumerate(tokenizer.encode_batch(names)):
        ids = [t for t in encoding.ids if t > 2]  # <unk>, <s>, </s>
        if ids:
            vectors[i] = table[ids].mean(axis=0)
    np.savez_compressed(
        out, words=np.array(names), vectors=vectors, counts=np.array([vocab[w] for w in names])
    )
    print(f"{len(names)} words x {vectors.shape[1]} dims -> {out}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
