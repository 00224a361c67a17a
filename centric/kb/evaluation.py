"""How well the FAQ bot answers: the benchmark protocol shared by ``centric kb evaluate`` and bench/bench_kb.py.

Data sets (development only; nothing here runs in production):

* ``clinc150`` (Larson et al. 2019, "An Evaluation Dataset for Intent Classification and
  Out-of-Scope Prediction", EMNLP; the "Full" variant): each of the 150 intents is an FAQ
  entry whose question variants are its ``train`` utterances; ``test`` utterances are the
  customers' questions and the 1,000 ``oos_test`` ones must be abstained on. Calibration on
  ``val`` + ``oos_val`` ("given"), or as a live base would ("self": held-out train variants
  and the shipped off-topic questions).
* ``banking77`` (Casanueva et al. 2020, "Efficient Intent Detection with Dual Sentence
  Encoders", NLP4ConvAI): 77 entries from ``train``, ``test`` as questions; no out-of-scope
  questions, so top-1 accuracy is the figure (calibrated "self").
* ``zh``: 43 CLINC150 intents translated into Chinese by hand, 10 variants and 5 test
  questions each, and 150 translated out-of-scope questions (``bench/data/faq_zh.json``);
  calibrated "self" with the Chinese off-topic questions.

Embeddings of the data sets are kept on disk (:class:`DiskEmbeddings`, in the system's
temporary folder by default) so that a rerun does not embed 40,000 texts again.
"""

from __future__ import annotations

import csv
import hashlib
import json
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from centric.text import answer_calibration as calibration
from centric.text import embeddings
from centric.text.answers import FEATURES, AnswerEngine, Embedder, Entry, Fusion, Scored

DATASETS = ("clinc150", "banking77", "zh")
#: Published CLINC150 "Full" figures (Larson et al. 2019, Table 2): in-scope accuracy, out-of-scope recall.
LARSON_2019 = (
    ("BERT, threshold", 96.2, 52.3),
    ("BERT, out-of-scope class", 96.9, 40.3),
    ("MLP on USE embeddings, threshold", 93.4, 49.1),
    ("Rasa", 91.5, 45.3),
    ("DialogFlow", 91.7, 14.0),
    ("SVM", 91.0, 14.5),
)
CHECKOUT = Path(__file__).resolve().parents[2]


class DiskEmbeddings:
    """Sentence embeddings remembered in one ``.npz`` file per model under ``folder``."""

    def __init__(self, folder: Path | None = None, embedder: Embedder = embeddings.embed) -> None:
        self.folder = folder or Path(tempfile.gettempdir()) / "centric-embeddings"
        self.path = self.folder / f"{embeddings.MODEL}.npz"
        self.embedder = embedder
        self._known: dict[str, np.ndarray] | None = None
        self._lock = threading.Lock()

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def _load(self) -> dict[str, np.ndarray]:
        if self._known is None:
            self._known = {}
            if self.path.exists():
                with np.load(self.path) as stored:
                    self._known = dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))
        return self._known

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            known = self._load()
            missing = list(dict.fromkeys(t for t in texts if self._key(t) not in known))
            if missing:
                known.update(zip((self._key(t) for t in missing), self.embedder(missing), strict=True))
                self.folder.mkdir(parents=True, exist_ok=True)
                keys = list(known)
                partial = self.path.with_suffix(".part.npz")
                np.savez(partial, keys=np.array(keys), vectors=np.stack([known[k] for k in keys]))
                partial.replace(self.path)
            if not texts:
                return np.zeros((0, embeddings.DIMS), dtype=np.float32)
            return np.stack([known[self._key(t)] for t in texts]).astype(np.float32)


@dataclass(frozen=True)
class Dataset:
    """Entries, held-out calibration questions (may be empty: "self") and the test questions."""

    name: str
    entries: list[Entry]
    test: list[tuple[str, str]]  # (question, entry id)
    test_out: list[str]
    calibration: list[tuple[str, str]] = field(default_factory=list)
    calibration_out: list[str] = field(default_factory=list)
    language: str = "en"


def _grouped(rows: Sequence[tuple[str, str]], language: str = "en") -> list[Entry]:
    by_intent: dict[str, list[str]] = {}
    for text, intent in rows:
        by_intent.setdefault(intent, []).append(text)
    return [Entry(intent, texts[0], tuple(texts[1:]), "", language) for intent, texts in sorted(by_intent.items())]


def clinc150(data: Path) -> Dataset:
    """CLINC150 "Full" from ``<data>/faq/clinc150/data_full.json``."""
    raw = json.loads((data / "faq" / "clinc150" / "data_full.json").read_text(encoding="utf-8"))
    pairs = {split: [(str(t), str(i)) for t, i in raw[split]] for split in raw}
    return Dataset("clinc150", _grouped(pairs["train"]), pairs["test"], [t for t, _ in pairs["oos_test"]],
                   pairs["val"], [t for t, _ in pairs["oos_val"]])


def banking77(data: Path) -> Dataset:
    """BANKING77 from ``<data>/text/en_banking77/{train,test}.csv``."""
    def rows(split: str) -> list[tuple[str, str]]:
        with (data / "text" / "en_banking77" / f"{split}.csv").open(encoding="utf-8") as f:
            return [(row["text"], row["category"]) for row in csv.DictReader(f)]

    return Dataset("banking77", _grouped(rows("train")), rows("test"), [])


def chinese(folder: Path) -> Dataset:
    """The hand-translated Chinese set ``<folder>/faq_zh.json`` (see bench/data/README.md)."""
    raw = json.loads((folder / "faq_zh.json").read_text(encoding="utf-8"))
    entries = [Entry(e["intent"], e["title"], tuple(e["variants"]), "", "zh") for e in raw["entries"]]
    test = [(q, e["intent"]) for e in raw["entries"] for q in e["questions"]]
    return Dataset("zh", entries, test, list(raw["out_of_scope"]), language="zh")


def load(name: str, data: Path | None = None) -> Dataset:
    """A data set by name; ``data`` is the shared data folder (the Chinese set's folder for "zh")."""
    if name == "zh":
        return chinese(data or CHECKOUT / "bench" / "data")
    root = data or CHECKOUT.parent / "shared" / "data"
    if name == "clinc150":
        return clinc150(root)
    if name == "banking77":
        return banking77(root)
    raise ValueError(f"unknown data set {name!r}; one of {', '.join(DATASETS)}")


def with_variants(dataset: Dataset, texts: int) -> Dataset:
    """``dataset`` with at most ``texts`` question texts per entry (the first ones), as a sparse FAQ."""
    entries = [Entry(e.id, e.title, e.variants[: max(0, texts - 1)], e.body, e.language) for e in dataset.entries]
    return replace(dataset, name=f"{dataset.name} ({texts} question texts per entry)", entries=entries)


# ---- evaluation ----

@dataclass(frozen=True)
class Figures:
    """What one configuration achieved on the test questions."""

    method: str
    calibration: str
    top1: float  # best entry right, abstention ignored (in-scope questions)
    in_scope_accuracy: float  # answered and right, over in-scope questions
    oos_recall: float | None  # abstained on, over out-of-scope questions
    threshold: float | None
    ece: float | None  # expected calibration error of the confidence, test questions
    answered: float  # share of in-scope questions answered


@dataclass(frozen=True)
class Evaluation:
    dataset: str
    entries: int
    variants: int
    test_questions: int
    test_out_of_scope: int
    build_s: float
    calibrate_s: float
    score_ms_per_question: float
    rows: list[Figures]
    fusion: dict[str, object]


def evaluate(dataset: Dataset, embedder: Embedder, *, baselines: bool = True,
             progress: Callable[[str], None] = lambda _: None) -> Evaluation:
    """Build the engine on the entries, calibrate, answer every test question, and measure."""
    started = time.perf_counter()
    progress("embedding and fitting")
    engine = AnswerEngine.build(dataset.entries, embedder)
    built = time.perf_counter()
    progress("calibrating on held-out variants and off-topic questions")
    self_engine = calibration.self_calibrate(engine, calibration.off_topic_questions(dataset.language))
    calibrated = time.perf_counter()
    index = {entry.id: n for n, entry in enumerate(engine.entries)}
    questions = [q for q, _ in dataset.test] + dataset.test_out
    labels: list[int | None] = [index.get(i) for _, i in dataset.test] + [None] * len(dataset.test_out)
    progress(f"answering {len(questions)} test questions")
    vectors = embedder(questions)
    started_scoring = time.perf_counter()
    scored = engine.score(questions, vectors)
    scoring_ms = (time.perf_counter() - started_scoring) * 1000 / max(1, len(questions))
    rows = [_figures("engine (hybrid)", "self", scored, labels, self_engine.fusion)]
    fusion_info: dict[str, object] = {"self": _describe(self_engine.fusion)}
    if dataset.calibration:
        progress("calibrating on the validation split")
        given = calibration.calibrate(engine, dataset.calibration, dataset.calibration_out)
        rows.insert(0, _figures("engine (hybrid)", "validation", scored, labels, given.fusion))
        fusion_info["validation"] = _describe(given.fusion)
        held = calibration.Held(engine.score([q for q, _ in dataset.calibration] + dataset.calibration_out),
                                [index.get(i) for _, i in dataset.calibration] + [None] * len(dataset.calibration_out))
        rows += _ablations(engine, held, scored, labels)
    if baselines:
        progress("baselines")
        rows += _baselines(dataset, engine, vectors, labels)
    variants = sum(len(e.questions()) for e in engine.entries)
    return Evaluation(dataset.name, len(engine.entries), variants, len(dataset.test), len(dataset.test_out),
                      round(built - started, 2), round(calibrated - built, 2), round(scoring_ms, 2), rows, fusion_info)


def _describe(fusion: Fusion) -> dict[str, object]:
    return {"weights": dict(zip(FEATURES, (round(w, 3) for w in fusion.weights), strict=True)),
            "null": round(fusion.null, 3), "threshold": round(fusion.threshold, 4), "source": fusion.source}


def _figures(method: str, source: str, scored: Sequence[Scored], labels: Sequence[int | None],
             fusion: Fusion) -> Figures:
    confidence, correct, in_scope = calibration.decisions(calibration.Held(list(scored), list(labels)), fusion)
    return _summary(method, source, confidence, correct, in_scope, fusion.threshold, ece=True)


def _summary(method: str, source: str, confidence: np.ndarray, correct: np.ndarray, in_scope: np.ndarray,
             threshold: float | None, ece: bool = False) -> Figures:
    answered = confidence >= threshold if threshold is not None else np.ones(len(confidence), dtype=bool)
    n_in, n_out = int(in_scope.sum()), int((~in_scope).sum())
    return Figures(
        method, source,
        top1=round(float(correct[in_scope].mean()), 4) if n_in else 0.0,
        in_scope_accuracy=round(float((correct & answered)[in_scope].mean()), 4) if n_in else 0.0,
        oos_recall=round(float((~answered)[~in_scope].mean()), 4) if n_out and threshold is not None else None,
        threshold=round(threshold, 4) if threshold is not None else None,
        ece=round(calibration.expected_calibration_error(confidence, correct), 4) if ece else None,
        answered=round(float(answered[in_scope].mean()), 4) if n_in else 0.0,
    )


def _ablations(engine: AnswerEngine, held: calibration.Held, scored: Sequence[Scored],
               labels: Sequence[int | None]) -> list[Figures]:
    """The engine without its lexical features, and without its embedding ones, calibrated the same way
    (the shortlist is the engine's own in both)."""
    out = []
    for name, dropped in (("engine without lexical features", ("bm25", "characters", "body_bm25")),
                          ("engine without embedding features", ("log_p", "logit", "cosine", "body_cosine"))):
        mask = np.array([f not in dropped for f in FEATURES], dtype=np.float64)
        cut = calibration.Held([Scored(s.entries, s.features * mask) for s in held.scored], held.labels)
        fusion = calibration.fit(cut, "validation")
        out.append(_figures(name, "validation", [Scored(s.entries, s.features * mask) for s in scored], labels,
                            fusion))
    return out


def _baselines(dataset: Dataset, engine: AnswerEngine, vectors: np.ndarray,
               labels: Sequence[int | None]) -> list[Figures]:
    """BM25 alone and nearest-neighbour cosine alone, thresholds from the validation split when there is one."""
    questions = [q for q, _ in dataset.test] + dataset.test_out
    index = {entry.id: n for n, entry in enumerate(engine.entries)}
    cal_questions = [q for q, _ in dataset.calibration] + dataset.calibration_out
    cal_labels = [index.get(i) for _, i in dataset.calibration] + [None] * len(dataset.calibration_out)
    cal_vectors = engine.embedder(cal_questions) if cal_questions else None

    def bm25(qs: Sequence[str], _: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        best, score = [], []
        for q in qs:
            per_entry = engine.per_entry(engine.lexical.bm25.scores(q))
            best.append(int(np.argmax(per_entry)))
            score.append(float(per_entry.max()))
        return np.array(best), np.array(score)

    def cosine(_: Sequence[str], vs: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        assert vs is not None
        sims = engine.per_entry(vs @ engine.text_vectors.T)
        return sims.argmax(axis=1), sims.max(axis=1)

    rankers = [("BM25 only (question texts)", bm25), ("embeddings only (nearest question text)", cosine)]
    if cal_questions:
        rankers.append(("logistic regression on embeddings (C=10)", _logistic(engine)))
    out = []
    for name, rank in rankers:
        best, score = rank(questions, vectors)
        correct = np.array([lab is not None and b == lab for b, lab in zip(best, labels, strict=True)])
        in_scope = np.array([lab is not None for lab in labels])
        threshold = None
        if cal_questions:
            cb, cs = rank(cal_questions, cal_vectors)
            ccorrect = np.array([lab is not None and b == lab for b, lab in zip(cb, cal_labels, strict=True)])
            threshold = calibration.choose_threshold(cs, ccorrect, np.array([lab is not None for lab in cal_labels]),
                                                     prior=0)
        out.append(_summary(name, "validation" if threshold is not None else "-", score, correct, in_scope, threshold))
    return out



def _logistic(engine: AnswerEngine) -> Callable[[Sequence[str], np.ndarray | None], tuple[np.ndarray, np.ndarray]]:
    """Multinomial logistic regression on the question texts' embeddings, confidence = highest
    probability (the max-softmax rule of Hendrycks & Gimpel 2017, Larson et al.'s threshold)."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=10.0, max_iter=1000).fit(engine.text_vectors, engine.owner)

    def rank(_: Sequence[str], vectors: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        assert vectors is not None
        p = model.predict_proba(vectors)
        return model.classes_[p.argmax(axis=1)], p.max(axis=1)

    return rank


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def report(result: Evaluation) -> str:
    """A plain-text table of an evaluation (with the published figures for CLINC150)."""
    lines = [f"{result.dataset}: {result.entries} entries, {result.variants} question texts; "
             f"{result.test_questions} test questions in scope, {result.test_out_of_scope} out of scope",
             f"build {result.build_s} s, self-calibration {result.calibrate_s} s, "
             f"scoring {result.score_ms_per_question} ms per question (batched, embedding excluded)",
             "",
             f"{'method':<42} {'calibrated on':<13} {'top-1':>6} {'in-scope':>9} {'OOS rec.':>9} {'threshold':>9}"
             f" {'ECE':>6}"]
    for row in result.rows:
        threshold = "-" if row.threshold is None else f"{row.threshold:.3f}"
        ece = "-" if row.ece is None else f"{row.ece:.3f}"
        lines.append(f"{row.method:<42} {row.calibration:<13} {_pct(row.top1):>6} {_pct(row.in_scope_accuracy):>9}"
                     f" {_pct(row.oos_recall):>9} {threshold:>9} {ece:>6}")
    if result.dataset.startswith("clinc150"):
        lines += ["", "Published, CLINC150 Full (Larson et al. 2019, Table 2): in-scope accuracy / OOS recall"]
        lines += [f"  {name:<40} {acc:>5.1f} / {rec:>4.1f}" for name, acc, rec in LARSON_2019]
    return "\n".join(lines)
