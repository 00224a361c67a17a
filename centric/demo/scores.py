"""Survey responses and the scores guests give, shaped by touchpoint, persona and time.

A response's latent satisfaction is the touchpoint's base level, plus persona and market
effects at that touchpoint, plus the guest's own mood, plus what was happening at the
time (the new booking system's launch, a housekeeping programme, express check-in, the
summer rush), plus noise. Each scale reads the same latent value: NPS 0–10, CSAT 1–5, CES 1–7.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from centric.demo.activity import (
    CONTACT_TPS,
    Bookings,
    Contacts,
    hotel_weights,
    launch_impact,
    row_choice,
)
from centric.demo.company import (
    BOOKING_TPS,
    CHECKIN_FIX,
    CHECKIN_FIX_FAMILY,
    HOUSEKEEPING_FIX,
    HOUSEKEEPING_FIX_DAYS_BEFORE_END,
    LAUNCH_EFFECTS,
    LAUNCH_RECOVERY_DAYS,
    MARKET_EFFECTS,
    MARKETS,
    PERSONA,
    PERSONA_EFFECTS,
    PERSONAS,
    STAY_TPS,
    TOUCHPOINTS,
    TP,
)
from centric.demo.people import Guests

SURVEY_KEYS = ("relationship-nps", "post-stay-csat", "booking-csat", "support-ces")
SURVEY_KIND = {"relationship-nps": "nps", "post-stay-csat": "csat", "booking-csat": "csat", "support-ces": "ces"}
SCALE = {"nps": (7.8, 1.9, 0, 10), "csat": (4.0, 0.85, 1, 5), "ces": (5.1, 1.15, 1, 7)}  # centre, slope, min, max

_BASE = np.array([spec.base for _, spec in TOUCHPOINTS])
_PERSONA = np.zeros((len(PERSONAS), len(TP)))
for _p, _persona in enumerate(PERSONAS):
    for _key, _effect in PERSONA_EFFECTS.get(_persona.key, {}).items():
        _PERSONA[_p, TP[_key]] = _effect
_MARKET = np.zeros((len(MARKETS), len(TP)))
for _m, _market in enumerate(MARKETS):
    for _key, _effect in MARKET_EFFECTS.get(_market.country, {}).items():
        _MARKET[_m, TP[_key]] = _effect
_LAUNCH = np.zeros(len(TP))
for _key, _effect in LAUNCH_EFFECTS.items():
    _LAUNCH[TP[_key]] = _effect

# Which part of the experience a relationship-NPS respondent says shaped the score.
_NPS_MOMENTS = {
    "check-in": 0.14, "housekeeping": 0.16, "room": 0.12, "breakfast": 0.08, "concierge": 0.04, "wifi": 0.06,
    "check-out": 0.04, "billing": 0.06, "web-booking": 0.08, "app-booking": 0.05, "reservations-call": 0.03,
    "loyalty": 0.05, "support-phone": 0.03, "live-chat": 0.02, "support-email": 0.02, "website": 0.02,
}
_STAY_MOMENTS = (0.17, 0.22, 0.18, 0.13, 0.06, 0.08, 0.07, 0.09)  # over STAY_TPS
WAVE_FIRST, WAVE_EVERY = 20.0, 91.0  # relationship NPS: the first wave's day, then every quarter


def checkin_fix_day(span_days: float) -> float:
    """The day (since the start of the data) express check-in took effect.

    Midway between the last two relationship-NPS waves, so that the 90 days before and the
    90 days after it each hold one full wave; with 18 months of data that is about four
    months before the end. Short demos with one wave get it halfway through.
    """
    waves = np.arange(WAVE_FIRST, span_days - 5.0, WAVE_EVERY)
    if len(waves) < 2:
        return span_days / 2
    return float(waves[-1] - WAVE_EVERY / 2)


@dataclass(frozen=True)
class Scored:
    """Responses of one block of guests, ordered by time."""

    survey: np.ndarray  # index into SURVEY_KEYS
    guest: np.ndarray
    t: np.ndarray
    touchpoint: np.ndarray  # index into TOUCHPOINTS
    score: np.ndarray
    channel: np.ndarray  # index into RESPONSE_CHANNELS
    hotel: np.ndarray
    nights: np.ndarray


RESPONSE_CHANNELS = ("email", "app", "sms", "web", "chat")


def latent(rng: np.random.Generator, guests: Guests, guest: np.ndarray, touchpoint: np.ndarray, t: np.ndarray,
           start: datetime, span_days: float) -> np.ndarray:
    """Latent satisfaction of each (guest, touchpoint, time)."""
    persona, market = guests.persona[guest], guests.market[guest]
    q = _BASE[touchpoint] + _PERSONA[persona, touchpoint] + _MARKET[market, touchpoint] + guests.mood[guest]
    q = q + _LAUNCH[touchpoint] * launch_impact(t, span_days, LAUNCH_RECOVERY_DAYS)
    fix_start = span_days - HOUSEKEEPING_FIX_DAYS_BEFORE_END
    programme = np.clip((t - fix_start) / 30.0, 0.0, 1.0) * (touchpoint == TP["housekeeping"])
    q = q + HOUSEKEEPING_FIX * programme * np.where(persona == 1, 1.6, 1.0)
    express = (t >= checkin_fix_day(span_days)) & (touchpoint == TP["check-in"])
    q = q + express * (CHECKIN_FIX + CHECKIN_FIX_FAMILY * (persona == PERSONA["family"]))
    month = (np.datetime64(start, "D") + t.astype("timedelta64[D]")).astype("datetime64[M]").astype(int) % 12
    summer = np.isin(month, (6, 7)) & np.isin(touchpoint, (TP["check-in"], TP["breakfast"]))
    q = q - 0.3 * summer
    return q + rng.normal(0.0, 0.85, len(t))


def to_scale(q: np.ndarray, kind: str) -> np.ndarray:
    centre, slope, low, high = SCALE[kind]
    return np.clip(np.rint(centre + slope * q), low, high).astype(np.int64)


def tone_of(score: np.ndarray, kind: str) -> np.ndarray:
    """0 negative, 1 mixed, 2 positive — what a comment with this score sounds like."""
    negative, positive = {"nps": (6, 9), "csat": (2, 4), "ces": (3, 5)}[kind]
    return np.where(score <= negative, 0, np.where(score >= positive, 2, 1))


def make_responses(rng: np.random.Generator, guests: Guests, bookings: Bookings, contacts: Contacts,
                   start: datetime, span_days: float) -> Scored:
    parts: list[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    # Post-stay CSAT: about a third of completed stays answer within a few days.
    stayed = np.nonzero((bookings.departure < span_days) & (rng.random(len(bookings.t)) < 0.32))[0]
    when = bookings.departure[stayed] + 0.1 + rng.exponential(1.5, len(stayed))
    moment = np.array([TP[k] for k in STAY_TPS])[rng.choice(len(STAY_TPS), len(stayed), p=_STAY_MOMENTS)]
    channel = np.where(rng.random(len(stayed)) < 0.8, 0, 1)
    parts.append((1, bookings.guest[stayed], when, moment, channel, bookings.hotel[stayed], bookings.nights[stayed]))
    # Booking CSAT: straight after some online bookings.
    online = np.nonzero((bookings.channel < 2) & (rng.random(len(bookings.t)) < 0.14))[0]
    when = bookings.t[online] + rng.uniform(0.01, 0.5, len(online))
    moment = np.array([TP[k] for k in BOOKING_TPS])[bookings.channel[online]]
    parts.append((2, bookings.guest[online], when, moment, np.where(bookings.channel[online] == 1, 1, 3),
                  bookings.hotel[online], bookings.nights[online]))
    # Support CES after nearly half of the contacts; refund cases are rated on "refunds".
    asked = np.nonzero(rng.random(len(contacts.t)) < 0.45)[0]
    when = contacts.t[asked] + rng.uniform(0.05, 2.0, len(asked))
    moment = np.array([TP["refunds"] if contacts.topic[i] in ("refunds", "billing")
                       else TP[CONTACT_TPS[contacts.channel[i]]] for i in asked], dtype=np.int64)
    parts.append((3, contacts.guest[asked], when, moment, np.where(contacts.channel[asked] == 0, 4, 0),
                  contacts.hotel[asked], np.full(len(asked), 2)))
    parts.append((0, *_relationship_wave(rng, guests, bookings, span_days)))
    survey = np.concatenate([np.full(len(p[1]), p[0]) for p in parts])
    guest, t, touchpoint, channel, hotel, nights = (np.concatenate([p[k] for p in parts]) for k in range(1, 7))
    keep = np.nonzero(t < span_days)[0]
    keep = keep[np.argsort(t[keep], kind="stable")]
    survey, guest, t, touchpoint, channel, hotel, nights = (
        a[keep] for a in (survey, guest, t, touchpoint.astype(np.int64), channel, hotel, nights))
    q = latent(rng, guests, guest, touchpoint, t, start, span_days)
    score = np.empty(len(t), dtype=np.int64)
    for index, key in enumerate(SURVEY_KEYS):
        chosen = survey == index
        score[chosen] = to_scale(q[chosen], SURVEY_KIND[key])
    return Scored(survey, guest, t, touchpoint, score, channel, hotel, nights)


def _relationship_wave(
    rng: np.random.Generator, guests: Guests, bookings: Bookings, span_days: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Quarterly relationship NPS to guests active in the past year (or newly joined).

    Returns guest, time, touchpoint, channel, hotel and nights, one entry per response.
    """
    guest_parts, when_parts = [], []
    for wave in np.arange(WAVE_FIRST, span_days, WAVE_EVERY):
        recent = np.unique(bookings.guest[(bookings.t < wave) & (bookings.t >= wave - 365)])
        joined = np.nonzero((guests.signup < wave) & (guests.signup >= wave - 180))[0]
        eligible = np.union1d(recent, joined)
        chance = np.where(guests.persona[eligible] == 4, 0.3, 0.2)
        answered = eligible[rng.random(len(eligible)) < chance]
        guest_parts.append(answered)
        when_parts.append(wave + rng.exponential(2.5, len(answered)))
    guest = np.concatenate(guest_parts) if guest_parts else np.zeros(0, dtype=np.int64)
    when = np.concatenate(when_parts) if when_parts else np.zeros(0)
    keys = list(_NPS_MOMENTS)
    weights = np.array(list(_NPS_MOMENTS.values()))
    moment = np.array([TP[k] for k in keys])[rng.choice(len(keys), len(guest), p=weights / weights.sum())]
    hotel = row_choice(rng, hotel_weights(guests)[guest])
    channel = rng.choice(3, len(guest), p=(0.7, 0.2, 0.1))
    return guest.astype(np.int64), when, moment, channel, hotel, rng.integers(1, 5, len(guest))

