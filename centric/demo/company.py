"""Harbour & Pine Hotels: the structure of the demo company and the story its data tells.

Everything here is a constant: teams, journeys, touchpoints, hotels, personas, segments,
surveys, and the effects that shape scores (who is unhappy where, and when). The
generator reads these tables; changing the story means changing numbers here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

COMPANY = "Harbour & Pine Hotels"
COMPANY_ZH = "港松酒店"

TEAMS = (
    "Front Office", "Housekeeping", "Food & Beverage", "Engineering", "Reservations",
    "Digital", "Billing", "Guest Support", "Marketing", "Loyalty",
)


@dataclass(frozen=True)
class TouchpointSpec:
    key: str
    name: str
    stage: str
    channel: str
    team: str
    base: float  # latent satisfaction: 0 is an average moment, ±1 is a strong effect


JOURNEYS: tuple[tuple[str, str, str, str, tuple[tuple[str, str], ...]], ...] = (
    ("stay", "Guest stay", "Front Office",
     "From the first search to the thank-you e-mail: everything a guest lives through around a stay.", (
        ("discover", "Discover"), ("book", "Book"), ("stay", "Stay"),
        ("check-out", "Check-out"), ("after-stay", "After stay"),
    )),
    ("support", "Guest support", "Guest Support",
     "When something goes wrong: reaching us by phone, chat or e-mail, and getting it resolved.",
     (("contact", "Contact"), ("resolve", "Resolve"))),
)

TOUCHPOINTS: tuple[tuple[str, TouchpointSpec], ...] = tuple((journey, spec) for journey, spec in (
    ("stay", TouchpointSpec("website", "Website & search", "discover", "web", "Digital", 0.3)),
    ("stay", TouchpointSpec("social-media", "Social media", "discover", "social", "Marketing", 0.2)),
    ("stay", TouchpointSpec("web-booking", "Online booking", "book", "web", "Digital", 0.35)),
    ("stay", TouchpointSpec("app-booking", "App booking", "book", "app", "Digital", 0.45)),
    ("stay", TouchpointSpec("reservations-call", "Reservations call centre", "book", "phone", "Reservations", 0.3)),
    ("stay", TouchpointSpec("check-in", "Check-in", "stay", "front desk", "Front Office", 0.1)),
    ("stay", TouchpointSpec("housekeeping", "Housekeeping", "stay", "in person", "Housekeeping", 0.15)),
    ("stay", TouchpointSpec("room", "Room comfort", "stay", "in person", "Engineering", 0.35)),
    ("stay", TouchpointSpec("breakfast", "Breakfast & restaurant", "stay", "in person", "Food & Beverage", 0.25)),
    ("stay", TouchpointSpec("concierge", "Concierge", "stay", "in person", "Front Office", 0.7)),
    ("stay", TouchpointSpec("wifi", "Wi-Fi", "stay", "digital", "Engineering", -0.1)),
    ("stay", TouchpointSpec("check-out", "Check-out", "check-out", "front desk", "Front Office", 0.4)),
    ("stay", TouchpointSpec("billing", "Final bill", "check-out", "email", "Billing", 0.0)),
    ("stay", TouchpointSpec("post-stay-email", "Post-stay e-mail", "after-stay", "email", "Digital", 0.3)),
    ("stay", TouchpointSpec("loyalty", "Loyalty programme", "after-stay", "app", "Loyalty", 0.2)),
    ("support", TouchpointSpec("support-phone", "Phone support", "contact", "phone", "Guest Support", -0.35)),
    ("support", TouchpointSpec("live-chat", "Live chat", "contact", "chat", "Guest Support", -0.2)),
    ("support", TouchpointSpec("support-email", "E-mail support", "contact", "email", "Guest Support", -0.45)),
    ("support", TouchpointSpec("refunds", "Refunds & disputes", "resolve", "email", "Billing", -0.6)),
))
TOUCHPOINT_KEYS = tuple(spec.key for _, spec in TOUCHPOINTS)

# What each team designed its moment to feel like (−2 pain … +2 delight), as the journey map
# workshop left it. Partly wrong on purpose: the teams expect delight at check-in, from the
# Wi-Fi, from phone support and live chat and from the loyalty programme, which guests do not
# feel; online booking, check-out and the concierge do better than their teams expected.
DESIGNED_EMOTIONS: dict[str, int] = {
    "website": 1, "social-media": 1, "web-booking": 1, "app-booking": 1, "reservations-call": 1,
    "check-in": 2, "housekeeping": 1, "room": 1, "breakfast": 1, "concierge": 1, "wifi": 1,
    "check-out": 1, "billing": 0, "post-stay-email": 1, "loyalty": 1,
    "support-phone": 1, "live-chat": 1, "support-email": 0, "refunds": 0,
}
# Event kinds that place an event at a touchpoint when the event itself names none (imports).
EVENT_KINDS: dict[str, tuple[str, ...]] = {
    "website": ("visit",), "check-in": ("stay",), "check-out": ("checkout",), "post-stay-email": ("email_open",),
    "loyalty": ("points",), "support-phone": ("call",), "live-chat": ("chat",), "support-email": ("ticket",),
}
TP = {key: i for i, key in enumerate(TOUCHPOINT_KEYS)}
BOOKING_TPS = ("web-booking", "app-booking", "reservations-call")
STAY_TPS = ("check-in", "housekeeping", "room", "breakfast", "concierge", "wifi", "check-out", "billing")
SUPPORT_TPS = ("support-phone", "live-chat", "support-email", "refunds")


@dataclass(frozen=True)
class Hotel:
    key: str
    name: str
    name_zh: str
    city: str
    nightly: float  # average room rate in GBP


HOTELS = (
    Hotel("london", "Harbour & Pine London Southbank", "伦敦南岸港松酒店", "London", 235.0),
    Hotel("edinburgh", "Harbour & Pine Edinburgh Old Town", "爱丁堡老城港松酒店", "Edinburgh", 165.0),
    Hotel("shanghai", "Harbour & Pine Shanghai Bund", "上海外滩港松酒店", "Shanghai", 150.0),
    Hotel("beijing", "Harbour & Pine Beijing Sanlitun", "北京三里屯港松酒店", "Beijing", 135.0),
    Hotel("hong-kong", "Harbour & Pine Hong Kong Harbourfront", "香港海港城港松酒店", "Hong Kong", 210.0),
    Hotel("singapore", "Harbour & Pine Singapore Marina", "新加坡滨海湾港松酒店", "Singapore", 200.0),
)


@dataclass(frozen=True)
class Persona:
    key: str
    name: str
    description: str
    share: float
    purchases_per_year: float  # mean rate while the customer is active (BG/NBD λ)
    dropout: tuple[float, float]  # Beta(a, b) of the chance to lapse after a booking (BG/NBD p)
    nights: tuple[int, int]
    rate_factor: float  # room type / number of rooms relative to the hotel's average rate
    lead_days: float  # mean days between booking and arrival
    booking_mix: tuple[float, float, float]  # web, app, reservations call
    mood: float  # overall satisfaction offset
    tiers: tuple[float, float, float, float]  # member, silver, gold, platinum


PERSONAS = (
    Persona("business", "Business traveller",
            "Travels for work several times a year; short stays, books late, values speed and Wi-Fi.",
            0.27, 4.5, (1.0, 9.0), (1, 3), 1.1, 9.0, (0.45, 0.40, 0.15), 0.05, (0.30, 0.40, 0.25, 0.05)),
    Persona("family", "Family",
            "Parents travelling with children in school holidays; longer stays, two rooms or a suite.",
            0.24, 1.1, (1.5, 6.0), (3, 7), 1.6, 70.0, (0.55, 0.20, 0.25), -0.05, (0.75, 0.20, 0.05, 0.0)),
    Persona("leisure", "Leisure couple",
            "City breaks and special occasions; cares about the room, breakfast and the concierge.",
            0.21, 1.6, (1.5, 7.0), (2, 4), 1.0, 35.0, (0.60, 0.25, 0.15), 0.15, (0.70, 0.22, 0.07, 0.01)),
    Persona("budget", "Budget traveller",
            "Price-sensitive, books the cheapest rate, often through offers; quick to lapse.",
            0.18, 1.3, (2.0, 5.0), (1, 3), 0.7, 20.0, (0.75, 0.15, 0.10), -0.15, (0.85, 0.13, 0.02, 0.0)),
    Persona("elite", "Loyalty elite",
            "Top-tier loyalty members who stay very often and expect recognition.",
            0.10, 8.0, (1.0, 14.0), (1, 4), 1.35, 14.0, (0.35, 0.55, 0.10), 0.2, (0.0, 0.0, 0.6, 0.4)),
)
PERSONA = {p.key: i for i, p in enumerate(PERSONAS)}
TIERS = ("member", "silver", "gold", "platinum")

# Persona × touchpoint effects on latent satisfaction: the heart of the story.
PERSONA_EFFECTS: dict[str, dict[str, float]] = {
    "business": {"check-in": 0.25, "wifi": -0.55, "app-booking": 0.3, "breakfast": -0.1, "billing": 0.1},
    "family": {"housekeeping": -1.35, "check-in": -0.8, "room": -0.35, "breakfast": 0.35, "concierge": 0.2},
    "leisure": {"concierge": 0.35, "room": 0.25, "breakfast": 0.3},
    "budget": {"breakfast": -0.6, "billing": -0.45, "refunds": -0.3, "web-booking": 0.15},
    "elite": {"check-in": -0.3, "loyalty": 0.45, "room": 0.3, "support-phone": 0.3},
}

# Market effects: guests from China find the breakfast and Wi-Fi weaker, love the app.
MARKET_EFFECTS: dict[str, dict[str, float]] = {
    "CN": {"breakfast": -0.5, "wifi": -0.45, "app-booking": 0.2, "check-in": -0.15},
}

# "Pine", the new booking system, launched this many days before the end of the data:
# online booking, the final bill and refunds suffered, then recovered over ~3 months.
LAUNCH_DAYS_BEFORE_END = 240
LAUNCH_EFFECTS: dict[str, float] = {
    "web-booking": -1.5, "app-booking": -1.2, "billing": -0.9, "refunds": -0.7,
    "support-email": -0.5, "support-phone": -0.4, "live-chat": -0.3,
}
LAUNCH_RECOVERY_DAYS = 70.0
# A housekeeping programme for family rooms started this many days before the end.
HOUSEKEEPING_FIX_DAYS_BEFORE_END = 75
HOUSEKEEPING_FIX = 0.45
# "Express check-in", the CX council's done initiative: from the day it took effect (between
# the last two relationship-NPS waves, see scores.checkin_fix_day) check-in feels better,
# most for families, whose long waits with children were the main complaint.
CHECKIN_FIX = 0.45
CHECKIN_FIX_FAMILY = 0.6  # on top, for families


@dataclass(frozen=True)
class Market:
    country: str
    share: float
    cities: tuple[str, ...]
    phone_prefix: str
    domains: tuple[str, ...]
    languages: tuple[tuple[str, float], ...]


MARKETS = (
    Market("CN", 0.22, ("Shanghai", "Beijing", "Shenzhen", "Guangzhou", "Hangzhou", "Chengdu"), "+8613",
           ("qq.com", "163.com", "126.com", "sina.com"), (("zh", 1.0),)),
    Market("GB", 0.23, ("London", "Manchester", "Edinburgh", "Bristol", "Leeds", "Glasgow"), "+447",
           ("gmail.com", "outlook.com", "btinternet.com", "yahoo.co.uk"), (("en", 1.0),)),
    Market("US", 0.13, ("New York", "San Francisco", "Chicago", "Boston", "Seattle"), "+1415",
           ("gmail.com", "outlook.com", "icloud.com", "yahoo.com"), (("en", 1.0),)),
    Market("HK", 0.08, ("Hong Kong",), "+8529", ("gmail.com", "yahoo.com.hk", "netvigator.com"),
           (("zh", 0.55), ("en", 0.45))),
    Market("SG", 0.08, ("Singapore",), "+658", ("gmail.com", "singnet.com.sg", "outlook.com"),
           (("en", 0.75), ("zh", 0.25))),
    Market("DE", 0.07, ("Berlin", "Munich", "Hamburg", "Frankfurt"), "+4915",
           ("gmx.de", "web.de", "gmail.com"), (("de", 1.0),)),
    Market("FR", 0.06, ("Paris", "Lyon", "Marseille"), "+336", ("orange.fr", "free.fr", "gmail.com"),
           (("fr", 1.0),)),
    Market("AU", 0.07, ("Sydney", "Melbourne", "Brisbane"), "+614", ("gmail.com", "bigpond.com", "outlook.com"),
           (("en", 1.0),)),
    Market("JP", 0.06, ("Tokyo", "Osaka"), "+8190", ("gmail.com", "yahoo.co.jp", "docomo.ne.jp"),
           (("ja", 1.0),)),
)
COUNTRY = {m.country: i for i, m in enumerate(MARKETS)}

# Where guests of each market tend to stay (weights over HOTELS).
HOTEL_PREFERENCE: dict[str, tuple[float, ...]] = {
    "CN": (0.18, 0.05, 0.27, 0.22, 0.16, 0.12),
    "HK": (0.15, 0.05, 0.22, 0.13, 0.25, 0.20),
    "GB": (0.35, 0.25, 0.12, 0.07, 0.11, 0.10),
}
DEFAULT_HOTEL_PREFERENCE = (0.30, 0.14, 0.18, 0.10, 0.14, 0.14)


# The values SegmentIn, SegmentCondition and SurveyIn accept.
SegmentKind = Literal["persona", "segment"]
RuleOp = Literal["eq", "ne", "in", "gte", "lte", "contains", "exists"]
SurveyKind = Literal["nps", "csat", "ces", "custom"]


@dataclass(frozen=True)
class SegmentSpec:
    key: str
    name: str
    kind: SegmentKind
    description: str
    rule: tuple[tuple[str, RuleOp, object], ...]


SEGMENTS = tuple(
    SegmentSpec(p.key, p.name, "persona", p.description, (("persona", "eq", p.key),)) for p in PERSONAS
) + (
    SegmentSpec("vip", "VIP", "segment", "Gold and platinum loyalty members.",
                (("tier", "in", ["gold", "platinum"]),)),
    SegmentSpec("china-market", "China market", "segment", "Guests living in mainland China.",
                (("country", "eq", "CN"),)),
    SegmentSpec("uk-market", "UK market", "segment", "Guests living in the United Kingdom.",
                (("country", "eq", "GB"),)),
    SegmentSpec("chinese-speaking", "Chinese-speaking guests", "segment",
                "Guests who prefer Chinese; surveys and e-mails go out in Chinese.",
                (("language", "eq", "zh"),)),
    SegmentSpec("marketing-opt-in", "Marketing opt-in", "segment", "Guests who accept offers by e-mail.",
                (("marketing_opt_in", "eq", True),)),
    # A rule over metrics, not attributes: refreshed after each CLV scoring.
    SegmentSpec("valuable-at-risk", "Valuable guests at risk", "segment",
                "Top-third lifetime value with a medium or high churn risk: whom to keep first.",
                (("clv_band", "eq", "high"), ("risk_band", "in", ["medium", "high"]))),
)


@dataclass(frozen=True)
class SurveySpec:
    key: str
    name: str
    kind: SurveyKind
    touchpoint: str | None


SURVEYS = (
    SurveySpec("relationship-nps", "Relationship NPS", "nps", None),
    SurveySpec("post-stay-csat", "Post-stay satisfaction", "csat", "check-out"),
    SurveySpec("booking-csat", "Booking experience", "csat", "web-booking"),
    SurveySpec("support-ces", "Support effort", "ces", "live-chat"),
)

# Forrester's CX Index dimensions as three agreement items (1–5) asked after the relationship
# NPS: did we meet their needs, were we easy to work with, was it enjoyable.
CX_ITEMS: tuple[tuple[str, str, str], ...] = (
    ("cx_needs", "Harbour & Pine meets my needs.", "港松酒店满足了我的需求。"),
    ("cx_ease", "Harbour & Pine is easy to do business with.", "与港松酒店打交道很轻松。"),
    ("cx_enjoy", "Staying with Harbour & Pine is enjoyable.", "入住港松酒店是一种享受。"),
)
CX_SURVEY = "relationship-nps"


def cx_questions() -> list[dict[str, object]]:
    """The CX items as survey questions (rating 1–5, optional)."""
    return [{"key": key, "type": "rating", "min": 1, "max": 5, "label": {"en": en, "zh": zh},
             "low_label": {"en": "Strongly disagree", "zh": "非常不同意"},
             "high_label": {"en": "Strongly agree", "zh": "非常同意"}} for key, en, zh in CX_ITEMS]
