"""The spam and profanity score of public posts."""

from __future__ import annotations

from centric.text.spam import PENDING_THRESHOLD, spam_score


def test_ordinary_ideas_score_low_in_both_languages():
    for text in ("Let guests pick their pillow type when they book a room",
                 "Late checkout for loyalty members on Sundays would be great",
                 "希望会员可以在周日延迟退房", "App 里可以直接选房间和枕头"):
        result = spam_score(text)
        assert result.score < 0.3, (text, result)
        assert not result.pending


def test_links_and_contact_details_send_a_post_to_moderation():
    result = spam_score("Great idea! Visit https://cheap-rooms.example and www.deals.xyz now")
    assert "links" in result.reasons
    assert result.pending
    assert spam_score("加微信 abc123 了解赚钱兼职").pending
    assert spam_score("Contact me at someone@example.com or +1 555 010 9999, cheap loan").pending


def test_profanity_in_english_and_chinese():
    assert "profanity" in spam_score("this is shit").reasons
    assert "profanity" in spam_score("这个服务太傻逼了").reasons
    assert spam_score("THIS HOTEL IS SHIT AND YOU ARE IDIOTS").pending


def test_repeats_and_shouting_add_up_but_alone_stay_below_the_threshold():
    repeats = spam_score("Please fix the wifi!!!!!!!!")
    assert repeats.reasons == ("repeats",)
    assert not repeats.pending
    shouting = spam_score("PLEASE FIX THE WIFI IN THE ROOMS")
    assert shouting.reasons == ("caps",)
    both = spam_score("PLEASE FIX THE WIFI IN THE ROOMS!!!!!!!!")
    assert both.score > max(repeats.score, shouting.score)
    assert 0.0 <= both.score <= 1.0
    assert PENDING_THRESHOLD == 0.6
