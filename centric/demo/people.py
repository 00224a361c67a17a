"""Guests of the demo company: profiles, attributes and identities on every channel.

Columns are drawn for all guests at once with NumPy; only the final rows are built in
Python. Every identity value embeds a number from a permutation, so (kind, value) is
unique without a lookup however many guests are generated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from centric.demo.company import MARKETS, PERSONAS, TIERS

_WESTERN_FIRST = (
    "Emma", "Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Jack", "Sophie", "Thomas", "Grace",
    "James", "Lucy", "William", "Chloe", "Daniel", "Hannah", "Samuel", "Ella", "Joseph", "Olivia",
    "Michael", "Emily", "David", "Sarah", "Matthew", "Laura", "Andrew", "Rachel", "Peter", "Charlotte",
    "Benjamin", "Alice", "Henry", "Megan", "Alexander", "Zoe", "Ryan", "Jessica", "Nathan",
)
_WESTERN_LAST = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
    "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke",
    "Miller", "Anderson", "Campbell", "Murphy", "Kelly", "Hughes", "Edwards", "Cooper", "Morris", "Ward",
)
_GERMAN_FIRST = ("Lukas", "Anna", "Felix", "Lea", "Jonas", "Marie", "Paul", "Lena", "Maximilian", "Sophie",
                 "Leon", "Laura", "Finn", "Julia", "Tobias", "Katharina")
_GERMAN_LAST = ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
                "Hoffmann", "Koch", "Richter")
_FRENCH_FIRST = ("Camille", "Louis", "Léa", "Hugo", "Manon", "Gabriel", "Chloé", "Jules", "Inès", "Arthur",
                 "Juliette", "Raphaël")
_FRENCH_LAST = ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
                "Moreau", "Simon", "Laurent")
_JAPANESE_FIRST = ("Haruto", "Yui", "Sota", "Hina", "Ren", "Aoi", "Yuto", "Sakura", "Kaito", "Mei")
_JAPANESE_LAST = ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura")
# (characters, pinyin) so that e-mail addresses of Chinese guests read naturally.
_CHINESE_LAST = (("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
                 ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"),
                 ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("林", "lin"))
_CHINESE_FIRST = (("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("磊", "lei"),
                  ("洋", "yang"), ("婷", "ting"), ("杰", "jie"), ("丽", "li"), ("强", "qiang"), ("军", "jun"),
                  ("晓明", "xiaoming"), ("思远", "siyuan"), ("雨涵", "yuhan"), ("子轩", "zixuan"),
                  ("欣怡", "xinyi"), ("浩然", "haoran"), ("嘉怡", "jiayi"), ("志强", "zhiqiang"))
_HK_FIRST = ("Wing", "Ka Ming", "Mei Ling", "Chi Wai", "Hoi Yan", "Kevin", "Karen", "Winnie", "Jason", "Cathy")
_HK_LAST = ("Chan", "Wong", "Leung", "Cheung", "Lau", "Ho", "Ng", "Lam", "Tang", "Yip")
_SG_FIRST = ("Wei Ling", "Jun Jie", "Priya", "Arjun", "Siti", "Darren", "Rachel", "Marcus", "Nurul", "Kelvin")
_SG_LAST = ("Tan", "Lim", "Lee", "Ng", "Ong", "Wong", "Goh", "Chua", "Nair", "Rahman")
_SOCIAL_SITES = {"CN": "weibo", "HK": "instagram", "JP": "twitter"}


def _names(country: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return {
        "DE": (_GERMAN_FIRST, _GERMAN_LAST), "FR": (_FRENCH_FIRST, _FRENCH_LAST),
        "JP": (_JAPANESE_FIRST, _JAPANESE_LAST), "HK": (_HK_FIRST, _HK_LAST), "SG": (_SG_FIRST, _SG_LAST),
    }.get(country, (_WESTERN_FIRST, _WESTERN_LAST))


_ASCII = str.maketrans({"ü": "ue", "ö": "oe", "ä": "ae", "é": "e", "è": "e", "ë": "e", "ï": "i", "ç": "c"})


def _handle(text: str) -> str:
    return text.lower().translate(_ASCII).replace(" ", "")


@dataclass(frozen=True)
class Guests:
    """Column arrays, one entry per guest, plus the rows to insert."""

    ids: np.ndarray
    persona: np.ndarray  # index into PERSONAS
    market: np.ndarray  # index into MARKETS
    language: list[str]
    mood: np.ndarray  # the guest's own satisfaction offset (also drives lapsing)
    signup: np.ndarray  # days since the start of the window (negative: joined before it)
    has_social: np.ndarray
    customers: list[dict]
    identities: list[dict]


def make_guests(rng: np.random.Generator, numbers: np.ndarray, first_id: int, start: datetime,
                span_days: float) -> Guests:
    """Guests with attributes and identities; ids start at ``first_id``.

    ``numbers`` holds four rows of distinct integers per guest (e-mail, phone, social
    handle, loyalty number), slices of permutations drawn once for all guests.
    """
    count = int(numbers.shape[1])
    ids = np.arange(first_id, first_id + count)
    persona = rng.choice(len(PERSONAS), size=count, p=[p.share for p in PERSONAS])
    shares = np.array([m.share for m in MARKETS])
    market = rng.choice(len(MARKETS), size=count, p=shares / shares.sum())
    mood = rng.normal(0.0, 0.55, size=count) + np.array([p.mood for p in PERSONAS])[persona]
    joined_before = rng.random(count) < 0.62
    signup = np.where(joined_before, -rng.uniform(0, 6 * 365, count), rng.uniform(0, span_days * 0.97, count))
    tier = np.empty(count, dtype=np.int64)
    for index, spec in enumerate(PERSONAS):
        chosen = persona == index
        tier[chosen] = rng.choice(len(TIERS), size=int(chosen.sum()), p=spec.tiers)
    has_phone = rng.random(count) < np.where(persona == 0, 0.85, 0.65)
    has_social = rng.random(count) < 0.3
    opt_in = rng.random(count) < 0.55
    email_no, phone_no, social_no, loyalty_no = numbers
    picks = rng.integers(0, 1_000_000, size=(count, 4))
    language_draw = rng.random(count)
    acquisition = _acquisition(count, first_id)
    customers: list[dict] = []
    identities: list[dict] = []
    languages: list[str] = []
    for i in range(count):
        m = MARKETS[market[i]]
        pick = picks[i]
        language = _choose_language(m.languages, language_draw[i])
        languages.append(language)
        if m.country == "CN":
            (last, last_py), (first, first_py) = _CHINESE_LAST[pick[0] % len(_CHINESE_LAST)], \
                _CHINESE_FIRST[pick[1] % len(_CHINESE_FIRST)]
            name, local = last + first, f"{last_py}{first_py}"
        else:
            firsts, lasts = _names(m.country)
            first, last = firsts[pick[0] % len(firsts)], lasts[pick[1] % len(lasts)]
            name, local = f"{first} {last}", f"{_handle(first)}.{_handle(last)}"
        joined = start + timedelta(days=float(signup[i]))
        loyalty = f"HP{10_000_000 + int(loyalty_no[i]) * 7 + int(pick[3] % 7):09d}"
        customer_id = int(ids[i])
        customers.append({
            "id": customer_id, "external_id": loyalty, "name": name, "created_at": joined, "updated_at": joined,
            "attributes": {
                "persona": PERSONAS[persona[i]].key, "tier": TIERS[tier[i]], "country": m.country,
                "city": m.cities[pick[2] % len(m.cities)], "language": language,
                "signup_date": joined.date().isoformat(), "marketing_opt_in": bool(opt_in[i]),
                "acquisition": acquisition[i],
            },
        })
        domain = m.domains[pick[3] % len(m.domains)]
        identities.append({"customer_id": customer_id, "kind": "external", "value": loyalty, "created_at": joined})
        identities.append({"customer_id": customer_id, "kind": "email",
                           "value": f"{local}{int(email_no[i])}@{domain}", "created_at": joined})
        if has_phone[i]:
            identities.append({"customer_id": customer_id, "kind": "phone",
                               "value": f"{m.phone_prefix}{int(phone_no[i]):08d}", "created_at": joined})
        if has_social[i]:
            site = _SOCIAL_SITES.get(m.country, "twitter")
            identities.append({"customer_id": customer_id, "kind": "social",
                               "value": f"{site}:{local.replace('.', '_')}{int(social_no[i])}", "created_at": joined})
    return Guests(ids, persona, market, languages, mood, signup, has_social, customers, identities)


ACQUISITION = (("direct", 0.34), ("search", 0.24), ("travel agency", 0.2), ("referral", 0.14),
               ("word of mouth", 0.08))


def _acquisition(count: int, first_id: int) -> list[str]:
    """How each guest first came (referral and word of mouth feed the Earned Growth Rate).

    Drawn from its own generator so that the rest of the story does not shift.
    """
    rng = np.random.default_rng(first_id + 7919)
    names = tuple(name for name, _ in ACQUISITION)
    shares = tuple(share for _, share in ACQUISITION)
    return [names[k] for k in rng.choice(len(names), size=count, p=shares)]


def _choose_language(options: tuple[tuple[str, float], ...], draw: float) -> str:
    total = 0.0
    for language, share in options:
        total += share
        if draw < total:
            return language
    return options[-1][0]
