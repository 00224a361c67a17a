"""The demo hotel group's own themes, added to the default taxonomy before enrichment.

A real installation edits its taxonomy the same way (Themes → taxonomy, or
``centric text taxonomy import``); the default one knows retail, banking and support.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.feedback.models import Theme
from centric.themes.taxonomy import create_theme

HOTEL_THEMES: tuple[tuple[str, str | None, str, dict[str, list[str]]], ...] = (
    ("stay", None, "Hotel stay", {"en": ["hotel", "stay"], "zh": ["酒店", "入住体验"]}),
    ("front_desk", "stay", "Check-in and check-out", {
        "en": ["check-in", "check in", "check-out", "check out", "reception", "front desk", "receptionist",
               "key card", "key cards", "upgraded", "late check-out"],
        "zh": ["入住", "退房", "前台", "房卡", "升级", "办理"]}),
    ("room", "stay", "Room comfort", {
        "en": ["room", "bed", "shower", "noisy", "air conditioning", "view", "quiet", "soundproofing"],
        "zh": ["房间", "床", "淋浴", "洗澡", "空调", "隔音", "景色", "吵"]}),
    ("housekeeping", "stay", "Housekeeping", {
        "en": ["housekeeping", "towels", "cleaned", "spotless", "turndown", "made up", "extra bed", "cot"],
        "zh": ["打扫", "毛巾", "干净", "开床", "加床", "婴儿床", "客房服务"]}),
    ("breakfast", "stay", "Breakfast and restaurant", {
        "en": ["breakfast", "buffet", "restaurant", "dim sum", "coffee", "pancake"],
        "zh": ["早餐", "餐厅", "点心", "咖啡", "自助餐"]}),
    ("wifi", "stay", "Wi-Fi", {"en": ["wi-fi", "wifi", "internet", "video calls"],
                               "zh": ["wi-fi", "网速", "掉线", "网络"]}),
    ("concierge", "stay", "Concierge", {"en": ["concierge"], "zh": ["礼宾"]}),
    ("booking", None, "Booking", {
        "en": ["booking", "booked", "reservation", "reservations", "booking confirmation", "book online"],
        "zh": ["预订", "订房", "订单", "预订确认"]}),
    ("loyalty", None, "Loyalty programme", {"en": ["loyalty", "points", "member", "membership", "status"],
                                            "zh": ["积分", "会员", "会籍"]}),
)


def add_hotel_themes(session: Session) -> int:
    """Create the hotel themes that do not exist yet; returns how many were added."""
    added = 0
    for name, parent, label, keywords in HOTEL_THEMES:
        path = f"{parent}/{name}" if parent else name
        if session.scalar(select(Theme.id).where(Theme.name == path)) is not None:
            continue
        create_theme(session, name, parent, {"label": label, "keywords": keywords})
        added += 1
    return added
