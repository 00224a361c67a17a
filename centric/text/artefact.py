"""The trained sentiment models, loaded lazily once per process.

The artefact ``centric/text/data/sentiment_models.npz`` is produced by
``centric text train`` (see ``docs/text-analytics.md``). It holds, per language:

* the **fast** model: feature strings, two float16 weights per feature (the logits of
  "negative" and "positive" relative to "neutral") and two intercepts;
* the **accurate** model: a dense (512 + 2) × 2 float32 matrix over the sentence vector of
  :mod:`centric.text.embeddings` and the fast model's two logits;
* for each, a temperature (calibration) and three decision offsets (see :mod:`centric.text.train`);

plus the English vocabulary used by language identification and the version strings.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ARTEFACT = Path(__file__).with_name("data") / "sentiment_models.npz"
CLASSES = ("negative", "neutral", "positive")
#: The sentiment modes: "fast" (linear, the default) and "accurate" (sentence embeddings).
MODES = ("fast", "accurate")
#: A mean clause score (e.g. a theme's) inside ±this is "neutral".
NEUTRAL_BAND = 0.25
_SEPARATOR = "\n"


@dataclass(frozen=True)
class Calibration:
    """Temperature of the softmax and the offsets added to the log-probabilities to decide."""

    temperature: float
    offsets: tuple[float, float, float]


@dataclass(frozen=True)
class LinearModel:
    """A sparse linear model: ``(z_neg, z_pos) = intercept + sum(value * weights[feature])``, z_neutral = 0."""

    weights: dict[str, tuple[float, float]]
    intercept: tuple[float, float]
    calibration: Calibration


@dataclass(frozen=True)
class DenseModel:
    """The accurate head: ``(z_neg, z_pos) = [vector, fast logits / 4] @ weights + intercept``."""

    weights: np.ndarray
    intercept: np.ndarray
    calibration: Calibration


@dataclass(frozen=True)
class SentimentModels:
    """Everything scoring needs: the models per language and mode, and metadata."""

    en: LinearModel
    zh: LinearModel
    accurate_en: DenseModel
    accurate_zh: DenseModel
    english_vocabulary: frozenset[str]
    version: str
    accurate_version: str
    neutral_band: float = NEUTRAL_BAND

    def for_language(self, language: str) -> LinearModel:
        return self.zh if language == "zh" else self.en

    def accurate_for(self, language: str) -> DenseModel:
        return self.accurate_zh if language == "zh" else self.accurate_en

    def version_of(self, mode: str) -> str:
        return self.accurate_version if mode == "accurate" else self.version


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
        if meta.get("format") != 2:
            raise ValueError(f"{path}: an old sentiment artefact; run `centric text train`")
        en = _linear(npz, "en", meta)
        zh = _linear(npz, "zh", meta)
        accurate_en = _dense(npz, "en", meta)
        accurate_zh = _dense(npz, "zh", meta)
        vocabulary = frozenset(str(npz["english_vocabulary"]).split(_SEPARATOR))
    return SentimentModels(en, zh, accurate_en, accurate_zh, vocabulary, meta["version"], meta["accurate_version"])


def _calibration(meta: dict[str, Any], key: str) -> Calibration:
    entry = meta[key]
    offsets = [float(v) for v in entry["offsets"]]
    return Calibration(float(entry["temperature"]), (offsets[0], offsets[1], offsets[2]))


def _linear(npz: np.lib.npyio.NpzFile, language: str, meta: dict) -> LinearModel:
    features = str(npz[f"{language}_features"]).split(_SEPARATOR)
    pairs = [(float(a), float(b)) for a, b in npz[f"{language}_weights"].astype(np.float64).tolist()]
    a, b = (float(v) for v in npz[f"{language}_intercept"])
    return LinearModel(dict(zip(features, pairs, strict=True)), (a, b), _calibration(meta, f"{language}_calibration"))


def _dense(npz: np.lib.npyio.NpzFile, language: str, meta: dict) -> DenseModel:
    return DenseModel(
        npz[f"accurate_{language}_weights"].astype(np.float32),
        npz[f"accurate_{language}_intercept"].astype(np.float32),
        _calibration(meta, f"{language}_accurate_calibration"),
    )


def save_models(
    path: Path,
    models: dict[str, tuple[list[str], np.ndarray, np.ndarray]],
    accurate: dict[str, tuple[np.ndarray, np.ndarray]],
    english_vocabulary: list[str],
    meta: dict[str, object],
) -> None:
    """Write the artefact deterministically (sorted features, float16 fast weights)."""
    arrays: dict[str, np.ndarray] = {
        "meta": np.array(json.dumps(meta, sort_keys=True)),
        "english_vocabulary": np.array(_SEPARATOR.join(sorted(english_vocabulary))),
    }
    for language, (features, weights, intercept) in models.items():
        if any(_SEPARATOR in f for f in features):
            raise ValueError("feature strings must not contain a newline")
        arrays[f"{language}_features"] = np.array(_SEPARATOR.join(features))
        arrays[f"{language}_weights"] = np.asarray(weights, dtype=np.float16)
        arrays[f"{language}_intercept"] = np.asarray(intercept, dtype=np.float64)
    for language, (weights, intercept) in accurate.items():
        arrays[f"accurate_{language}_weights"] = np.asarray(weights, dtype=np.float32)
        arrays[f"accurate_{language}_intercept"] = np.asarray(intercept, dtype=np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, allow_pickle=False, **arrays)
