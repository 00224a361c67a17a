"""Loaders and deterministic splits of the labelled corpora (development time only).

Used by the training script, the benchmark and the accuracy tests; never at run time.
The corpora live outside the repository (``Settings.text_corpora``, by default
``<repo>/../shared/data/text``, see its README); every loader takes that folder. A row
goes to the held-out test split when the MD5 of its whitespace-normalised text falls in
the first ``TEST_SHARE`` of the hash range, so duplicates always land in the same split
and the split is identical on every machine.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

TEST_SHARE = 0.2
UCI_SETS = ("amazon_cells", "yelp", "imdb")
ZH_SETS = ("waimai_10k", "online_shopping_10_cats")


@dataclass(frozen=True)
class Labelled:
    """Texts with binary sentiment labels (1 positive) and optional categories."""

    name: str
    texts: list[str]
    labels: list[int]
    categories: list[str]


def normalised_key(text: str) -> str:
    return " ".join(text.lower().split())


def is_test(text: str) -> bool:
    """True when ``text`` belongs to the held-out split (see module docstring)."""
    digest = hashlib.md5(normalised_key(text).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") < TEST_SHARE * 2**32


def split(data: Labelled, test: bool) -> Labelled:
    """The held-out (``test=True``) or training part of ``data``."""
    keep = [i for i, t in enumerate(data.texts) if is_test(t) == test]
    return Labelled(
        f"{data.name}:{'test' if test else 'train'}",
        [data.texts[i] for i in keep],
        [data.labels[i] for i in keep],
        [data.categories[i] for i in keep] if data.categories else [],
    )


def load_uci(name: str, root: Path) -> Labelled:
    """UCI Sentiment Labelled Sentences (Kotzias et al. 2015): one of :data:`UCI_SETS`."""
    path = root / "en_uci_sentiment_sentences" / f"{name}_labelled.txt"
    texts, labels = [], []
    with path.open(encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            text, _, label = line.rstrip("\n").rpartition("\t")
            if text.strip() and label.strip() in ("0", "1"):
                texts.append(text.strip())
                labels.append(int(label))
    return Labelled(name, texts, labels, [])


def load_zh(name: str, root: Path) -> Labelled:
    """ChineseNlpCorpus reviews: ``waimai_10k`` or ``online_shopping_10_cats``."""
    path = root / "zh_reviews" / f"{name}.csv"
    texts, labels, cats = [], [], []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            text = (row.get("review") or "").strip().lstrip("\ufeff")
            if text and row.get("label") in ("0", "1"):
                texts.append(text)
                labels.append(int(row["label"]))
                cats.append(row.get("cat") or "")
    return Labelled(name, texts, labels, cats if any(cats) else [])


def load_banking77(part: str, root: Path) -> tuple[list[str], list[str]]:
    """BANKING77 (Casanueva et al. 2020) ``train`` or ``test``: texts and intents."""
    texts, intents = [], []
    with (root / "en_banking77" / f"{part}.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            texts.append(row["text"])
            intents.append(row["category"])
    return texts, intents


def banking77_categories(root: Path) -> list[str]:
    return list(json.loads((root / "en_banking77" / "categories.json").read_text()))


def available(root: Path) -> bool:
    """True when the corpora are present (tests skip otherwise)."""
    return (root / "en_uci_sentiment_sentences").is_dir() and (root / "zh_reviews").is_dir()


#: Centric's own hand-written, hand-labelled service-language examples (see docs/_sentiment.md).
SERVICE_DIR = Path(__file__).with_name("data")
SENTIMENT_CLASSES = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class ServiceText:
    """One hand-labelled service text: label is negative/neutral/positive/mixed; domain e.g. "air"."""

    text: str
    label: str
    domain: str


def load_service(language: str, test: bool | None = None, folder: Path = SERVICE_DIR) -> list[ServiceText]:
    """Centric's service-language examples (``service_en.jsonl``/``service_zh.jsonl``): all rows, or
    only the held-out (``test=True``) or training (``test=False``) part, split by :func:`is_test`."""
    rows = []
    with (folder / f"service_{language}.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                record = json.loads(line)
                rows.append(ServiceText(record["text"], record["label"], record.get("domain", "")))
    return [r for r in rows if test is None or is_test(r.text) == test]


#: The independent hand-labelled service-text sets (see ``docs/labelling-guideline.md``).
SERVICE_TEXT_DIR = Path(__file__).resolve().parents[2] / "tests" / "data" / "service_text"


def service_text_is_dev(item_id: str) -> bool:
    """True for the dev split of the hand-labelled sets: ids whose number is divisible by 3."""
    return int(item_id.rsplit("-", 1)[-1]) % 3 == 0


def load_service_text(language: str, dev: bool, folder: Path = SERVICE_TEXT_DIR) -> list[ServiceText]:
    """The dev (``dev=True``) or test split of the hand-labelled set of ``language`` (label: its sentiment,
    domain: its channel); empty when the set is not there (an installed package). Training may use the dev
    split only to choose the temperature and the decision offsets, never to fit weights; the test split is
    only reported on."""
    path = folder / f"{language}.jsonl"
    if not path.is_file():
        return []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [ServiceText(r["text"], r["sentiment"], r.get("channel", "")) for r in rows
            if service_text_is_dev(str(r["id"])) == dev]


def load_tweeteval(part: str, root: Path) -> tuple[list[str], list[str]]:
    """TweetEval sentiment (Barbieri et al. 2020), ``val`` or ``test``: tweets and their class names.

    Only ``val`` may be used for training; ``test`` is for reporting."""
    folder = root / "en_tweeteval" / "sentiment"
    texts = (folder / f"{part}_text.txt").read_text(encoding="utf-8").splitlines()
    labels = (folder / f"{part}_labels.txt").read_text(encoding="utf-8").split()
    names = [SENTIMENT_CLASSES[int(v)] for v in labels]
    if len(texts) != len(names):
        raise ValueError(f"TweetEval {part}: {len(texts)} texts but {len(names)} labels")
    return [t.strip() for t in texts], names


def tweeteval_available(root: Path) -> bool:
    return (root / "en_tweeteval" / "sentiment" / "val_text.txt").is_file()
