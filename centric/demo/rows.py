"""Turning a block of simulated guests into table rows (plain dicts for Core inserts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from centric.demo.activity import (
    BOOKING_SOURCES,
    CONTACT_CHANNELS,
    CONTACT_PREFIX,
    CONTACT_SOURCES,
    CONTACT_TPS,
    Bookings,
    Contacts,
    booking_reference,
    booking_touchpoint,
    hotel_weights,
    row_choice,
)
from centric.demo.comments import TONES, CommentWriter
from centric.demo.company import CX_ITEMS, CX_SURVEY, HOTELS, MARKETS, STAY_TPS, TOUCHPOINT_KEYS, TP
from centric.demo.people import Guests
from centric.demo.scores import (
    RESPONSE_CHANNELS,
    SCALE,
    SURVEY_KEYS,
    SURVEY_KIND,
    Scored,
    latent,
    to_scale,
    tone_of,
)

Row = dict[str, Any]


@dataclass
class Counters:
    """Running numbers across blocks, so that ids and external ids never repeat."""

    customer: int
    response: int
    booking: int = 1
    contact: int = 1
    visit: int = 1
    review: int = 1
    post: int = 1


@dataclass(frozen=True)
class Company:
    """Ids of the structure the rows refer to."""

    start: datetime
    span_days: float
    touchpoints: dict[str, int]
    surveys: dict[str, int]
    versions: dict[str, int]


@dataclass
class BlockRows:
    customers: list[Row] = field(default_factory=list)
    identities: list[Row] = field(default_factory=list)
    memberships: list[Row] = field(default_factory=list)
    events: list[Row] = field(default_factory=list)
    responses: list[Row] = field(default_factory=list)
    answers: list[Row] = field(default_factory=list)
    feedback: list[Row] = field(default_factory=list)
    purchases: int = 0
    comments: int = 0


def moments(company: Company, t: np.ndarray) -> list[datetime]:
    """Float days since the start of the window as naive UTC datetimes (whole seconds)."""
    seconds = np.rint(np.asarray(t, dtype=float) * 86_400).astype("timedelta64[s]")
    return (np.datetime64(company.start, "s") + seconds).astype("datetime64[us]").tolist()


def _languages(rng: np.random.Generator, guests: Guests, guest: np.ndarray) -> list[str]:
    """Chinese for most texts of Chinese-speaking guests; English otherwise."""
    draws = rng.random(len(guest))
    return ["zh" if guests.language[g] == "zh" and d < 0.9 else "en" for g, d in zip(guest, draws, strict=True)]


def event_rows(rng: np.random.Generator, company: Company, guests: Guests, bookings: Bookings,
               contacts: Contacts, browsing: tuple[np.ndarray, np.ndarray], counters: Counters) -> list[Row]:
    tp, ids = company.touchpoints, guests.ids
    rows: list[Row] = []
    booked = moments(company, bookings.t)
    arrived = moments(company, bookings.arrival + 0.625)
    stayed = bookings.departure < company.span_days
    for i, when in enumerate(booked):
        ref = booking_reference(int(bookings.number[i]))
        hotel, nights = HOTELS[bookings.hotel[i]].key, int(bookings.nights[i])
        channel = booking_touchpoint(int(bookings.channel[i]))
        customer = int(ids[bookings.guest[i]])
        rows.append({"customer_id": customer, "touchpoint_id": tp[channel], "kind": "purchase", "occurred_at": when,
                     "value": float(bookings.value[i]), "source": BOOKING_SOURCES[channel], "external_id": ref,
                     "payload": {"hotel": hotel, "nights": nights, "arrival": arrived[i].date().isoformat()},
                     "created_at": when})
        if stayed[i]:
            rows.append({"customer_id": customer, "touchpoint_id": tp["check-in"], "kind": "stay",
                         "occurred_at": arrived[i], "value": None, "source": "pms", "external_id": f"S-{ref}",
                         "payload": {"hotel": hotel, "nights": nights, "booking": ref}, "created_at": arrived[i]})
    rows += after_stay_rows(company, guests, bookings)
    # Most online bookings follow a visit to the website; many visits end without one.
    before = np.nonzero((bookings.channel < 2) & (rng.random(len(bookings.t)) < 0.8))[0]
    guest = np.concatenate([bookings.guest[before], browsing[0]])
    t = np.concatenate([np.maximum(bookings.t[before] - rng.uniform(0.0, 2.0, len(before)), 0.0), browsing[1]])
    for g, when in zip(guest, moments(company, t), strict=True):
        rows.append({"customer_id": int(ids[g]), "touchpoint_id": tp["website"], "kind": "visit", "occurred_at": when,
                     "value": None, "source": "web-analytics", "external_id": f"V{counters.visit:09d}",
                     "payload": {}, "created_at": when})
        counters.visit += 1
    for i, when in enumerate(moments(company, contacts.t)):
        channel = CONTACT_CHANNELS[contacts.channel[i]]
        rows.append({"customer_id": int(ids[contacts.guest[i]]), "touchpoint_id": tp[CONTACT_TPS[contacts.channel[i]]],
                     "kind": channel, "occurred_at": when, "value": None, "source": CONTACT_SOURCES[channel],
                     "external_id": f"{CONTACT_PREFIX[channel]}-{int(contacts.number[i]):07d}",
                     "payload": {"topic": contacts.topic[i], "hotel": HOTELS[contacts.hotel[i]].key},
                     "created_at": when})
    return rows


def after_stay_rows(company: Company, guests: Guests, bookings: Bookings) -> list[Row]:
    """Check-out, the post-stay e-mail opened and loyalty points credited: the journey's last stages.

    Drawn from their own generator, seeded by the block's booking numbers, so that the rest of
    the demo's random stream (and every story built on it) is unchanged. Most stays end with a
    check-out event; about half the guests open the thank-you e-mail; members of the loyalty
    programme, about a fifth, see points credited a few days later.
    """
    tp, ids = company.touchpoints, guests.ids
    rows: list[Row] = []
    if len(bookings.number) == 0:
        return rows
    extra = np.random.default_rng([int(bookings.number.min()), int(bookings.number.max()), 41])
    departed = moments(company, bookings.departure + 0.46)
    stayed = bookings.departure < company.span_days
    draws = extra.random((len(bookings.number), 4))
    for i in np.nonzero(stayed)[0]:
        ref, customer = booking_reference(int(bookings.number[i])), int(ids[bookings.guest[i]])
        steps = (("check-out", "checkout", "pms", "C", 0.0, draws[i, 0] < 0.93),
                 ("post-stay-email", "email_open", "email", "E", 1.0 + draws[i, 3], draws[i, 1] < 0.5),
                 ("loyalty", "points", "loyalty", "P", 3.0 + 4 * draws[i, 3], draws[i, 2] < 0.22))
        for touchpoint, kind, source, prefix, days, happened in steps:
            when = departed[i] + timedelta(days=float(days))
            if happened and (when - company.start).total_seconds() < company.span_days * 86_400:
                rows.append({"customer_id": customer, "touchpoint_id": tp[touchpoint], "kind": kind,
                             "occurred_at": when, "value": None, "source": source, "external_id": f"{prefix}-{ref}",
                             "payload": {"booking": ref}, "created_at": when})
    return rows


def _feedback(customer: int, touchpoint: int | None, source: str, channel: str, external_id: str, text: str,
              language: str, when: datetime, rating: float | None = None, response_id: int | None = None) -> Row:
    return {"source": source, "channel": channel, "external_id": external_id, "customer_id": customer,
            "touchpoint_id": touchpoint, "response_id": response_id, "text": text, "rating": rating,
            "language": language, "enrichment": {}, "occurred_at": when, "created_at": when}


def response_rows(rng: np.random.Generator, company: Company, guests: Guests, scored: Scored,
                  writer: CommentWriter, counters: Counters, rows: BlockRows) -> None:
    """Responses, one answer row per answer, and every comment also as feedback."""
    languages = _languages(rng, guests, scored.guest)
    submitted = moments(company, scored.t)
    kinds = [SURVEY_KIND[k] for k in SURVEY_KEYS]
    tone = np.empty(len(scored.t), dtype=np.int64)
    extremeness = np.empty(len(scored.t))
    for index, kind in enumerate(kinds):
        chosen = scored.survey == index
        tone[chosen] = tone_of(scored.score[chosen], kind)
        _, _, low, high = SCALE[kind]
        extremeness[chosen] = np.abs(scored.score[chosen] - (low + high) / 2) / ((high - low) / 2)
    commented = rng.random(len(scored.t)) < 0.3 + 0.4 * extremeness
    # The CX items beside the relationship NPS follow the score; their own generator leaves the rest unchanged.
    cx_noise = np.random.default_rng([counters.response, 2005]).normal(0.0, 0.7, (len(scored.t), len(CX_ITEMS)))
    cx_survey = SURVEY_KEYS.index(CX_SURVEY)
    for i, when in enumerate(submitted):
        survey = SURVEY_KEYS[scored.survey[i]]
        kind, response_id = kinds[scored.survey[i]], counters.response
        counters.response += 1
        customer = int(guests.ids[scored.guest[i]])
        touchpoint = company.touchpoints[TOUCHPOINT_KEYS[scored.touchpoint[i]]]
        guest_language = guests.language[scored.guest[i]]
        rows.responses.append({
            "id": response_id, "survey_id": company.surveys[survey], "version_id": company.versions[survey],
            "customer_id": customer, "touchpoint_id": touchpoint, "channel": RESPONSE_CHANNELS[scored.channel[i]],
            "locale": "zh" if guest_language == "zh" else "en", "submitted_at": when, "completed": True,
            "created_at": when,
        })
        score = float(scored.score[i])
        rows.answers.append({"response_id": response_id, "question_key": kind, "metric": kind, "number": score,
                             "text": None})
        if scored.survey[i] == cx_survey:
            for (key, _, _), noise in zip(CX_ITEMS, cx_noise[i], strict=True):
                agree = float(min(5.0, max(1.0, round(3.6 + 0.45 * (score - 7.5) + noise))))
                rows.answers.append({"response_id": response_id, "question_key": key, "metric": "rating",
                                     "number": agree, "text": None})
        if not commented[i]:
            continue
        text = writer.comment(TOUCHPOINT_KEYS[scored.touchpoint[i]], TONES[tone[i]], languages[i],
                              HOTELS[scored.hotel[i]], int(scored.nights[i]))
        rows.answers.append({"response_id": response_id, "question_key": "comment", "metric": "text",
                             "number": None, "text": text})
        rows.feedback.append(_feedback(customer, touchpoint, "survey", "survey", f"response:{response_id}:comment",
                                       text, languages[i], when, rating=score, response_id=response_id))
        rows.comments += 1


def contact_rows(rng: np.random.Generator, company: Company, guests: Guests, contacts: Contacts,
                 writer: CommentWriter) -> list[Row]:
    """The text of each ticket, chat and call, tied to the touchpoint it is about."""
    languages = _languages(rng, guests, contacts.guest)
    out: list[Row] = []
    for i, when in enumerate(moments(company, contacts.t + 0.004)):
        channel, hotel, topic = CONTACT_CHANNELS[contacts.channel[i]], HOTELS[contacts.hotel[i]], contacts.topic[i]
        reference = f"{CONTACT_PREFIX[channel]}-{int(contacts.number[i]):07d}"
        if channel == "call":
            text = writer.call_note(topic, languages[i], hotel)
        else:
            text = writer.ticket(topic, languages[i], hotel, booking_reference(int(contacts.booking[i])))
        out.append(_feedback(int(guests.ids[contacts.guest[i]]), company.touchpoints[topic], CONTACT_SOURCES[channel],
                             channel, reference, text, languages[i], when))
    return out


def review_rows(rng: np.random.Generator, company: Company, guests: Guests, bookings: Bookings,
                writer: CommentWriter, counters: Counters) -> list[Row]:
    """Public reviews after some stays, with a 1–5 rating that follows the experience."""
    chosen = np.nonzero((bookings.departure < company.span_days) & (rng.random(len(bookings.t)) < 0.05))[0]
    t = bookings.departure[chosen] + rng.uniform(0.5, 10.0, len(chosen))
    chosen, t = chosen[t < company.span_days], t[t < company.span_days]
    stay = np.array([TP[k] for k in STAY_TPS])
    first = stay[rng.integers(0, len(stay), len(chosen))]
    second = stay[rng.integers(0, len(stay), len(chosen))]
    guest = bookings.guest[chosen]
    rating = to_scale(latent(rng, guests, guest, first, t, company.start, company.span_days) - 0.2, "csat")
    tone = tone_of(rating, "csat")
    languages = _languages(rng, guests, guest)
    out: list[Row] = []
    for i, when in enumerate(moments(company, t)):
        if languages[i] == "zh":
            source = "ctrip" if rng.random() < 0.7 else "dianping"
        else:
            source = "tripadvisor" if rng.random() < 0.6 else "google"
        text = writer.review((TOUCHPOINT_KEYS[first[i]], TOUCHPOINT_KEYS[second[i]]), TONES[tone[i]], languages[i],
                             HOTELS[bookings.hotel[chosen[i]]], int(bookings.nights[chosen[i]]))
        out.append(_feedback(int(guests.ids[guest[i]]), company.touchpoints[TOUCHPOINT_KEYS[first[i]]], source,
                             "review", f"R{counters.review:08d}", text, languages[i], when, rating=float(rating[i])))
        counters.review += 1
    return out


def social_rows(rng: np.random.Generator, company: Company, guests: Guests, writer: CommentWriter,
                counters: Counters) -> list[Row]:
    """Posts mentioning the brand by guests whose social handle is known (complaints travel)."""
    begin = np.maximum(guests.signup, 0.0)
    counts = rng.poisson(0.45 * (company.span_days - begin) / 365.0) * guests.has_social
    guest = np.repeat(np.arange(len(guests.ids)), counts)
    t = begin[guest] + rng.random(len(guest)) * (company.span_days - begin[guest])
    about = np.array([TP[k] for k in TOUCHPOINT_KEYS])[rng.integers(0, len(TOUCHPOINT_KEYS), len(guest))]
    tone = tone_of(to_scale(latent(rng, guests, guest, about, t, company.start, company.span_days) - 0.6, "nps"), "nps")
    hotel = row_choice(rng, hotel_weights(guests)[guest])
    languages = _languages(rng, guests, guest)
    out: list[Row] = []
    for i, when in enumerate(moments(company, t)):
        country = MARKETS[guests.market[guest[i]]].country
        source = {"CN": "weibo", "HK": "instagram"}.get(country, "twitter")
        text = writer.social(TOUCHPOINT_KEYS[about[i]], TONES[tone[i]], languages[i], HOTELS[hotel[i]])
        out.append(_feedback(int(guests.ids[guest[i]]), company.touchpoints[TOUCHPOINT_KEYS[about[i]]], source,
                             "social", f"P{counters.post:08d}", text, languages[i], when))
        counters.post += 1
    return out
