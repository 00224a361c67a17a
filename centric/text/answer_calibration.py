"""Calibration of the FAQ engine: the fusion weights and the abstention threshold.

Two sources of held-out questions, never the questions evaluated:

* **given** (:func:`calibrate`): labelled in-scope questions and out-of-scope questions the
  caller holds out, e.g. CLINC150's ``val`` and ``oos_val`` splits (Larson et al. 2019 choose
  their thresholds on the validation split in the same way).
* **self** (:func:`self_calibrate`), for a live knowledge base: its own question variants, held
  out in turn (stratified K-fold over each entry's variants; the title always stays, so no
  entry vanishes), each fold answered by an engine built without them, plus a shipped set of
  generic off-topic questions in English and Chinese (``data/off_topic.json``, written for
  Centric) as the out-of-scope side. Off-topic questions that the base plainly covers (a
  question text with cosine >= :data:`COVERED`) are left out.

The conditional logit's weights are fitted by penalised maximum likelihood: the negative
log-likelihood of the right entry (or of "none" for an out-of-scope question), in-scope and
out-of-scope questions weighted to equal totals, plus ``PRIOR_STRENGTH / 2 * |theta - theta_0|^2``
towards :data:`centric.text.answers.DEFAULT_FUSION`; this is Platt's (1999) scaling generalised
to several scores, and keeps a five-entry base from fitting noise. The threshold maximises the
balanced objective ``in-scope accuracy + out-of-scope recall`` (a wrong answer and an abstention
on an in-scope question both count as a miss), shrunk towards the default threshold with the
weight of :data:`THRESHOLD_PRIOR` questions when few questions were held out.

:func:`expected_calibration_error` measures whether the confidence means what it says (Naeini,
Cooper & Hauskrecht 2015; Guo et al. 2017, "On Calibration of Modern Neural Networks", ICML):
the gap between confidence and accuracy, averaged over equal-width confidence bins.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from centric.text.answers import DEFAULT_FUSION, AnswerEngine, Embedder, Entry, Fusion, Memo, Scored, probabilities_of

#: Folds of the variants held out for self-calibration (at most; see :data:`HELD_OUT_TARGET`).
FOLDS = 5
#: Folds stop once this many variants have been held out (large bases need one fold).
HELD_OUT_TARGET = 1_000
#: An off-topic question this close (cosine) to one of the base's question texts is in scope.
COVERED = 0.8
#: Strength of the pull of the fusion weights towards the defaults.
PRIOR_STRENGTH = 1.0
#: Weight, in questions, of the default threshold against the chosen one.
THRESHOLD_PRIOR = 20
OFF_TOPIC = Path(__file__).with_name("data") / "off_topic.json"


@dataclass(frozen=True)
class Held:
    """Held-out questions scored by an engine: shortlists, and the right entry's index (None: out of scope)."""

    scored: list[Scored]
    labels: list[int | None]


@lru_cache(maxsize=1)
def _off_topic() -> dict[str, tuple[str, ...]]:
    data = json.loads(OFF_TOPIC.read_text(encoding="utf-8"))
    return {language: tuple(texts) for language, texts in data.items()}


def off_topic_questions(language: str | None = None) -> list[str]:
    """The shipped off-topic questions in ``language`` ("en", "zh"), or in every language."""
    data = _off_topic()
    if language in data:
        return list(data[language])
    return [text for texts in data.values() for text in texts]


# ---- fitting ----

def targets(held: Held) -> list[int]:
    """Per question, the position of the right entry in its shortlist, or -1 (none / not shortlisted)."""
    out = []
    for scored, label in zip(held.scored, held.labels, strict=True):
        where = np.flatnonzero(scored.entries == label) if label is not None else np.zeros(0, np.int64)
        out.append(int(where[0]) if len(where) else -1)
    return out


def fit_fusion(held: Held, prior: Fusion = DEFAULT_FUSION, strength: float = PRIOR_STRENGTH) -> tuple[
        tuple[float, ...], float]:
    """Penalised maximum-likelihood weights and null utility of the conditional logit."""
    from scipy.optimize import minimize  # at use: SciPy costs each process ~0.5 s to import

    position = targets(held)
    weights = _balanced_weights([label is not None for label in held.labels])
    theta0 = np.array([*prior.weights, prior.null], dtype=np.float64)
    items = [(s.features, p, w) for s, p, w in zip(held.scored, position, weights, strict=True) if len(s.entries)]
    if not items:
        return prior.weights, prior.null
    width = len(theta0) - 1

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        loss = 0.5 * strength * float(np.dot(theta - theta0, theta - theta0))
        grad = strength * (theta - theta0)
        beta, null = theta[:width], theta[width]
        for features, target, weight in items:
            utility = np.concatenate([[null], features @ beta])
            top = utility.max()
            e = np.exp(utility - top)
            p = e / e.sum()
            loss += weight * (top + np.log(e.sum()) - utility[target + 1])
            p[target + 1] -= 1.0
            grad[:width] += weight * (features.T @ p[1:])
            grad[width] += weight * p[0]
        return loss, grad

    result = minimize(objective, theta0, jac=True, method="L-BFGS-B")
    return tuple(float(v) for v in result.x[:width]), float(result.x[width])


def _balanced_weights(in_scope: Sequence[bool]) -> np.ndarray:
    flags = np.asarray(in_scope, dtype=bool)
    n_in, n_out = int(flags.sum()), int((~flags).sum())
    total = len(flags)
    if not n_in or not n_out:
        return np.ones(total)
    return np.where(flags, total / (2 * n_in), total / (2 * n_out))


def choose_threshold(confidence: np.ndarray, correct: np.ndarray, in_scope: np.ndarray,
                     default: float = DEFAULT_FUSION.threshold, prior: int = THRESHOLD_PRIOR) -> float:
    """The threshold maximising in-scope accuracy + out-of-scope recall, shrunk towards ``default``.

    A question is answered when its confidence is at least the threshold. In-scope accuracy:
    answered and right, over in-scope questions; out-of-scope recall: not answered, over
    out-of-scope questions. With ``n`` the smaller of the two counts the result is
    ``(n * best + prior * default) / (n + prior)``.
    """
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=bool)
    in_scope = np.asarray(in_scope, dtype=bool)
    n_in, n_out = int(in_scope.sum()), int((~in_scope).sum())
    if not n_in or not n_out:
        return default
    candidates = np.unique(np.concatenate([confidence, [0.0, 1.0 + 1e-9]]))
    order = np.argsort(confidence)
    sorted_conf = confidence[order]
    good = np.cumsum((in_scope & correct)[order][::-1])[::-1]  # right answers at or above each position
    good = np.concatenate([good, [0]])
    outs = np.concatenate([[0], np.cumsum(~in_scope[order])])  # out-of-scope strictly below each position
    at = np.searchsorted(sorted_conf, candidates, side="left")
    objective = good[at] / n_in + outs[at] / n_out
    best = int(np.argmax(objective))
    # every threshold in (previous candidate, best candidate] decides alike: take the middle
    chosen = float((candidates[best - 1] + candidates[best]) / 2) if best > 0 else float(candidates[best])
    chosen = min(chosen, 1.0)
    n = min(n_in, n_out)
    return float((n * chosen + prior * default) / (n + prior))


def decisions(held: Held, fusion: Fusion) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per held-out question: the confidence, whether the best entry is right, whether it is in scope."""
    confidence, correct = [], []
    for scored, label in zip(held.scored, held.labels, strict=True):
        if not len(scored.entries):
            confidence.append(0.0)
            correct.append(False)
            continue
        p = probabilities_of(scored.features, fusion)
        best = int(np.argmax(p))
        confidence.append(float(p[best]))
        correct.append(label is not None and int(scored.entries[best]) == label)
    return (np.asarray(confidence), np.asarray(correct, dtype=bool),
            np.asarray([label is not None for label in held.labels], dtype=bool))


def fit(held: Held, source: str, prior: Fusion = DEFAULT_FUSION) -> Fusion:
    """Fusion weights then threshold, both from ``held``."""
    weights, null = fit_fusion(held, prior)
    fusion = Fusion(weights, null, prior.threshold, source)
    confidence, correct, in_scope = decisions(held, fusion)
    return Fusion(weights, null, choose_threshold(confidence, correct, in_scope, prior.threshold), source)


# ---- the two sources ----

def calibrate(engine: AnswerEngine, in_scope: Sequence[tuple[str, int | str]], out_of_scope: Sequence[str],
              vectors: np.ndarray | None = None) -> AnswerEngine:
    """``engine`` with fusion and threshold fitted on held-out labelled questions (entry ids)."""
    index = {entry.id: n for n, entry in enumerate(engine.entries)}
    questions = [q for q, _ in in_scope] + list(out_of_scope)
    labels: list[int | None] = [index.get(entry_id) for _, entry_id in in_scope]
    labels += [None] * len(out_of_scope)
    held = Held(engine.score(questions, vectors), labels)
    source = f"held-out questions: {len(in_scope)} in scope, {len(out_of_scope)} out of scope"
    return engine.with_fusion(fit(held, source))


def self_calibrate(engine: AnswerEngine, off_topic: Sequence[str] | None = None, *, folds: int = FOLDS,
                   target: int = HELD_OUT_TARGET, seed: int = 15) -> AnswerEngine:
    """``engine`` calibrated on its own variants held out in turn and on off-topic questions."""
    embedder: Embedder = engine.embedder if isinstance(engine.embedder, Memo) else Memo(engine.embedder)
    questions = list(off_topic) if off_topic is not None else off_topic_questions(_language(engine.entries))
    questions = _not_covered(engine, questions)
    scored: list[Scored] = []
    labels: list[int | None] = []
    held_count = 0
    for fold, (sub_entries, held_out) in enumerate(_folds(engine.entries, folds, seed, target)):
        if fold and held_count >= target:
            break
        if not held_out:
            continue
        sub = AnswerEngine.build(sub_entries, embedder)
        position = {entry.id: n for n, entry in enumerate(sub.entries)}
        scored += sub.score([q for q, _ in held_out] + questions)
        labels += [position.get(entry_id) for _, entry_id in held_out] + [None] * len(questions)
        held_count += len(held_out)
    if not held_count:
        return engine
    source = f"self: {held_count} held-out variants, {len(questions)} off-topic questions per fold"
    held = Held(scored, labels)
    return engine.with_fusion(fit(held, source))


def _language(entries: Sequence[Entry]) -> str | None:
    languages = [e.language for e in entries]
    return max(set(languages), key=languages.count) if languages else None


def _not_covered(engine: AnswerEngine, questions: list[str]) -> list[str]:
    if not questions or not len(engine.text_vectors):
        return questions
    vectors = engine.embedder(questions)
    closest = (vectors @ engine.text_vectors.T).max(axis=1)
    return [q for q, c in zip(questions, closest, strict=True) if c < COVERED]


def _folds(entries: Sequence[Entry], folds: int, seed: int, target: int | None = None) -> list[
        tuple[list[Entry], list[tuple[str, int | str]]]]:
    """Stratified folds over each entry's variants (never its first question text).

    An entry's variants are shuffled and dealt to the folds in turn, starting at a fold that
    rotates with the entry, so entries with a single variant spread over the folds too. When a
    fold would hold out more than twice ``target`` variants (a large base), a random ``target``
    of them are held out and the rest stay in training.
    """
    rng = random.Random(seed)
    fold_of: list[dict[int, int]] = []
    for n, entry in enumerate(entries):
        holdable = list(range(1, len(entry.questions())))
        rng.shuffle(holdable)
        fold_of.append({j: (n + turn) % folds for turn, j in enumerate(holdable)})
    out = []
    for fold in range(folds):
        chosen = [(n, j) for n, assigned in enumerate(fold_of) for j, f in assigned.items() if f == fold]
        if target is not None and len(chosen) > 2 * target:
            chosen = rng.sample(chosen, target)
        out_of: dict[int, set[int]] = {}
        for n, j in chosen:
            out_of.setdefault(n, set()).add(j)
        sub_entries: list[Entry] = []
        held: list[tuple[str, int | str]] = []
        for n, entry in enumerate(entries):
            questions = entry.questions()
            out_here = out_of.get(n, set())
            held += [(questions[j], entry.id) for j in sorted(out_here)]
            kept = [q for j, q in enumerate(questions) if j not in out_here]
            sub_entries.append(Entry(entry.id, kept[0], tuple(kept[1:]), entry.body, entry.language))
        out.append((sub_entries, held))
    return out


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """Mean |accuracy - confidence| over equal-width confidence bins, weighted by the bins' sizes."""
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=np.float64)
    if not len(confidence):
        return 0.0
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            total += inside.mean() * abs(correct[inside].mean() - confidence[inside].mean())
    return float(total)
