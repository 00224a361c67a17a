"""What guests do: bookings (purchases), stays, website visits and contacts with support.

Bookings follow the BG/NBD story (Fader, Hardie & Lee 2005): while "alive" a guest books
as a Poisson process with their own rate λ ~ Gamma, and after each booking lapses for
good with their own probability p ~ Beta — so CLV and churn models find real signal.
Unhappy guests lapse sooner. Times are float days since the start of the window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from centric.demo.company import (
    BOOKING_TPS,
    DEFAULT_HOTEL_PREFERENCE,
    HOTEL_PREFERENCE,
    HOTELS,
    LAUNCH_DAYS_BEFORE_END,
    MARKETS,
    PERSONAS,
)
from centric.demo.people import Guests

MAX_BOOKINGS = 48
CONTACT_CHANNELS = ("chat", "ticket", "call")
CONTACT_TPS = ("live-chat", "support-email", "support-phone")
BOOKING_TOPICS = ("web-booking", "app-booking", "reservations-call", "refunds")
STAY_TOPICS = ("billing", "housekeeping", "room", "loyalty", "check-in", "refunds")


@dataclass(frozen=True)
class Bookings:
    guest: np.ndarray  # index into the block's guests
    t: np.ndarray  # when booked (days)
    channel: np.ndarray  # index into BOOKING_TPS
    hotel: np.ndarray  # index into HOTELS
    nights: np.ndarray
    value: np.ndarray  # GBP
    arrival: np.ndarray
    number: np.ndarray  # global booking number, for references

    @property
    def departure(self) -> np.ndarray:
        return self.arrival + self.nights


@dataclass(frozen=True)
class Contacts:
    guest: np.ndarray
    t: np.ndarray
    channel: np.ndarray  # index into CONTACT_CHANNELS
    topic: list[str]  # touchpoint key the contact is about
    hotel: np.ndarray
    number: np.ndarray
    booking: np.ndarray  # number of the booking the contact is about


def row_choice(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One draw per row of a matrix of (unnormalised) probabilities."""
    if len(probabilities) == 0:
        return np.zeros(0, dtype=np.int64)
    cumulative = np.cumsum(probabilities, axis=1)
    draws = rng.random(len(probabilities)) * cumulative[:, -1]
    return (draws[:, None] > cumulative).sum(axis=1)


def hotel_weights(guests: Guests) -> np.ndarray:
    """Per guest, the chance of staying at each hotel."""
    table = np.array([HOTEL_PREFERENCE.get(m.country, DEFAULT_HOTEL_PREFERENCE) for m in MARKETS])
    return table[guests.market]


def make_bookings(rng: np.random.Generator, guests: Guests, span_days: float, first_number: int) -> Bookings:
    count = len(guests.ids)
    rate = np.array([p.purchases_per_year for p in PERSONAS])[guests.persona] / 365.0
    rate = rate * rng.gamma(3.0, 1 / 3.0, count)
    a, b = (np.array([p.dropout[k] for p in PERSONAS])[guests.persona] for k in (0, 1))
    dropout = np.clip(rng.beta(a, b) * np.exp(-0.9 * guests.mood), 0.005, 0.95)
    lifetime = rng.geometric(dropout)  # bookings made before lapsing
    # Long-standing members may have lapsed before the window opened.
    asleep = (guests.signup < 0) & (rng.random(count) < 0.22 + 0.25 * (guests.signup < -3 * 365))
    begin = np.maximum(guests.signup, 0.0)
    gaps = rng.exponential(1.0, size=(count, MAX_BOOKINGS)) / rate[:, None]
    new = guests.signup >= 0  # new members book when they join
    gaps[new, 0] = rng.exponential(3.0, int(new.sum()))
    times = begin[:, None] + np.cumsum(gaps, axis=1)
    keep = (times < span_days) & (np.arange(MAX_BOOKINGS)[None, :] < lifetime[:, None]) & ~asleep[:, None]
    guest, _ = np.nonzero(keep)
    t = times[keep]
    persona = guests.persona[guest]
    channel = row_choice(rng, np.array([p.booking_mix for p in PERSONAS])[persona])
    hotel = row_choice(rng, hotel_weights(guests)[guest])
    low, high = (np.array([p.nights[k] for p in PERSONAS])[persona] for k in (0, 1))
    nights = rng.integers(low, high + 1)
    lead = rng.exponential(np.array([p.lead_days for p in PERSONAS])[persona])
    spend = rng.gamma(6.0, 1 / 6.0, count)[guest]  # Gamma-Gamma: each guest has a typical spend
    nightly = np.array([h.nightly for h in HOTELS])[hotel] * np.array([p.rate_factor for p in PERSONAS])[persona]
    value = np.round(nights * nightly * spend * rng.lognormal(0.0, 0.15, len(t)), 2)
    number = first_number + np.arange(len(t))
    return Bookings(guest, t, channel, hotel, nights, value, t + lead + 0.6, number)


def launch_impact(t: np.ndarray, span_days: float, recovery: float = 70.0) -> np.ndarray:
    """1 on the day the new booking system launched, fading back to 0 (none before)."""
    since = t - (span_days - LAUNCH_DAYS_BEFORE_END)
    return np.where(since >= 0, np.exp(-np.maximum(since, 0) / recovery), 0.0)


def make_contacts(rng: np.random.Generator, guests: Guests, bookings: Bookings, span_days: float,
                  first_number: int) -> Contacts:
    """Support contacts: some about a booking, some about a stay; more after the launch."""
    online = bookings.channel < 2
    chance = 0.07 + 0.22 * launch_impact(bookings.t, span_days) * online - 0.03 * guests.mood[bookings.guest]
    about_booking = rng.random(len(bookings.t)) < np.clip(chance, 0.01, 0.6)
    stayed = bookings.departure < span_days
    about_stay = stayed & (rng.random(len(bookings.t)) < np.clip(
        0.06 + 0.12 * launch_impact(bookings.departure, span_days) - 0.03 * guests.mood[bookings.guest], 0.01, 0.5))
    rows_b = np.nonzero(about_booking)[0]
    rows_s = np.nonzero(about_stay)[0]
    t = np.concatenate([bookings.t[rows_b] + rng.uniform(0.02, 3.0, len(rows_b)),
                        bookings.departure[rows_s] + rng.uniform(0.1, 6.0, len(rows_s))])
    topics_b = [BOOKING_TOPICS[c] if r > 0.25 else "refunds"
                for c, r in zip(bookings.channel[rows_b], rng.random(len(rows_b)), strict=True)]
    topics_s = [STAY_TOPICS[k] for k in rng.choice(len(STAY_TOPICS), len(rows_s), p=(0.35, 0.15, 0.12, 0.13, 0.1,
                                                                                     0.15))]
    source_rows = np.concatenate([rows_b, rows_s])
    channel = rng.choice(len(CONTACT_CHANNELS), len(t), p=(0.4, 0.35, 0.25))
    keep = t < span_days
    order = np.argsort(t[keep], kind="stable")
    picked = np.nonzero(keep)[0][order]
    topics = topics_b + topics_s
    return Contacts(
        guest=bookings.guest[source_rows][picked], t=t[picked], channel=channel[picked],
        topic=[topics[i] for i in picked], hotel=bookings.hotel[source_rows][picked],
        number=first_number + np.arange(len(picked)), booking=bookings.number[source_rows][picked],
    )


def browsing_visits(rng: np.random.Generator, guests: Guests, span_days: float) -> tuple[np.ndarray, np.ndarray]:
    """Website visits that did not end in a booking: (guest index, time)."""
    begin = np.maximum(guests.signup, 0.0)
    counts = rng.poisson(0.8 * (span_days - begin) / 365.0)
    guest = np.repeat(np.arange(len(guests.ids)), counts)
    t = begin[guest] + rng.random(len(guest)) * (span_days - begin[guest])
    return guest, t


def booking_reference(number: int) -> str:
    return f"HPB{number:07d}"


BOOKING_SOURCES = {"web-booking": "booking-engine", "app-booking": "mobile-app", "reservations-call": "reservations"}
CONTACT_SOURCES = {"chat": "livechat", "ticket": "helpdesk", "call": "callcenter"}
CONTACT_PREFIX = {"chat": "CHT", "ticket": "TCK", "call": "CALL"}


def booking_touchpoint(channel: int) -> str:
    return BOOKING_TPS[channel]
