"""The trained sentiment models, loaded lazily once per process.

The artefact ``centric/text/data/sentiment_models.npz`` is produced by
``centric text train`` (see ``docs/text-analytics.md``). It holds, per
language, the feature strings and logistic-regression weights (float16) and the
intercept, plus the English vocabulary used by language identification.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ARTEFACT = Path(__file__).with_name("data") / "sentiment_models.npz"
_SEPARATOR = "\n"


@dataclass(frozen=True)
class LinearModel:
    """A sparse linear model: ``logit = intercept + sum(value * weights[feature])``."""

    weights: dict[str, float]
    intercept: float


@dataclass(frozen=True)
class SentimentModels:
    """Everything scoring needs: one linear model per language and metadata."""

    en: LinearModel
    zh: LinearModel
    english_vocabulary: frozenset[str]
    version: str
    neutral_band: float

    def for_language(self, language: str) -> LinearModel:
        return self.zh if language == "zh" else self.en


_lock = threading.Lock()
_cache: dict[Path, SentimentModels] = {}


def load_models(path: Path = ARTEFACT) -> SentimentModels:
    """Load (once per process and path) the sentiment models from ``path``."""
    models = _cache.get(path)
    if models is None:
        with _lock:
            models = _cache.get(path)
            if models is None:
                models = _read(path)
                _cache[path] = models
    return models


def _read(path: Path) -> SentimentModels:
    with np.load(path, allow_pickle=False) as npz:
        meta = json.loads(str(npz["meta"]))
        en = _linear(npz, "en")
        zh = _linear(npz, "zh")
        vocabulary = frozenset(str(npz["english_vocabulary"]).split(_SEPARATOR))
    return SentimentModels(en, zh, vocabulary, meta["version"], float(meta["neutral_band"]))


def _linear(npz: np.lib.npyio.NpzFile, language: str) -> LinearModel:
    features = str(npz[f"{language}_features"]).split(_SEPARATOR)
    weights = npz[f"{language}_weights"].astype(np.float64).tolist()
    return LinearModel(
        dict(zip(features, weights, strict=True)), float(npz[f"{language}_intercept"])
    )


def save_models(
    path: Path,
    models: dict[str, tuple[list[str], np.ndarray, float]],
    english_vocabulary: list[str],
    meta: dict[str, object],
) -> None:
    """Write the artefact deterministically (sorted features, float16 weights)."""
    arrays: dict[str, np.ndarray] = {
        "meta": np.array(json.dumps(meta, sort_keys=True)),
        "english_vocabulary": np.array(_SEPARATOR.join(sorted(english_vocabulary))),
    }
    for language, (features, weights, intercept) in models.items():
        if any(_SEPARATOR in f for f in features):
            raise ValueError("feature strings must not contain a newline")
        arrays[f"{language}_features"] = np.array(_SEPARATOR.join(features))
        arrays[f"{language}_weights"] = np.asarray(weights, dtype=np.float16)
        arrays[f"{language}_intercept"] = np.array(intercept, dtype=np.float64)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, allow_pickle=False, **arrays)
