"""Cues on service language (rules-2): implicit frustration, waiting, repeat contact, negation, thanks.

The last tests bound the figures on the held-out test split of the hand-labelled sets
(tests/data/service_text, docs/labelling-guideline.md); bench/bench_cues.py prints them all.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from centric.text import detect_effort, detect_emotions, enrich
from centric.text.clean import clean_text
from centric.text.cues import EMOTIONS, WEAK_KINDS

SETS = Path(__file__).resolve().parents[1] / "data" / "service_text"


def _names(text: str) -> set[str]:
    return {e.name for e in detect_emotions(text)}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("2 hours on hold and still no answer", "on_hold"),
        ("This is the fourth time I'm contacting you about the same router", "repeat_contact"),
        ("third email about my lost suitcase and still just an auto reply", "repeat_contact"),
        ("RE: RE: Missing parcel", "repeat_contact"),
        ("sat on the tarmac for 90 mins with no updates", "long_wait"),
        ("I've been waiting in this chat for 40 minutes", "long_wait"),
        ("6 weeks. SIX WEEKS waiting for a refund you promised in 7 days", "overdue"),
        ("Still no callback after 5 days (case 99120)", "overdue"),
        ("I have tried online, by phone and in store. None of them worked.", "multi_channel"),
        ("passed to you from billing, please don't transfer me again", "transferred"),
        ("I already tried all those steps with the last agent", "repeat_self"),
        ("engineer no show. took a day off work for this", "no_follow_up"),
        ("your chatbot keeps sending me back to the FAQ and there is no way to reach a human", "hard_process"),
        ("投诉了三次，每次都是已记录，然后就没下文了", "repeat_contact"),
        ("我昨天已经跟你们客服说过一遍了，怎么又要我重新说", "repeat_self"),
        ("等了二十分钟才有人回我", "long_wait"),
        ("排队排了两个小时", "long_wait"),
        ("退订的机票钱一个月了还没退回来", "overdue"),
        ("售前说找售后，售后说找商家，商家说找平台", "transferred"),
        ("燃气公司电话一直占线", "no_follow_up"),
        ("我在网上、电话和营业厅三个渠道都申请过", "multi_channel"),
    ],
)
def test_effort_in_service_language(text: str, kind: str) -> None:
    effort = detect_effort(clean_text(text).text)
    assert kind in {c.kind for c in effort.cues}
    assert effort.high


@pytest.mark.parametrize(
    "text",
    [
        "@AeroNord flight AN118 cancelled 40 minutes before boarding",  # a service failure, not customer effort
        "@FlyBlue 4 hour delay and a £5 food voucher",
        "@SafeCover claim paid in 4 days, really appreciate how easy you made it",
        "My rent is due tomorrow and the transfer still hasn't arrived",  # one weak cue only
        "又掉线了，这已经是今天第二次了",  # a recurring fault, not a repeated contact
        "第一次点这家，还算满意",
        "你们的快递员多次把包裹扔在门口",
        "I didn't have to call twice, it was sorted at once",  # negated
    ],
)
def test_no_high_effort_without_customer_effort(text: str) -> None:
    assert not detect_effort(clean_text(text).text).high


def test_weak_cues_count_only_together() -> None:
    one = detect_effort("the parcel still hasn't arrived")
    assert {c.kind for c in one.cues} <= WEAK_KINDS and not one.high
    assert detect_effort("still nothing, yet again").high


@pytest.mark.parametrize(
    ("text", "emotion"),
    [
        ("2 hours on hold and still no answer. What is the point of a phone line?", "frustration"),
        ("delayed. again. #FlyBlue never on time", "frustration"),
        ("why does this keep happening", "frustration"),
        ("Your colleague promised a call back on Monday. Nobody called. Again.", "frustration"),
        ("charged me £250 for a scratch that was there when I collected. rip off merchants", "anger"),
        ("your site says on time, the board says cancelled. Which is it?", "confusion"),
        ("12 years a customer and loyalty means nothing", "disappointment"),
        ("I left my passport in the safe and I fly tomorrow, can someone please check", "worry"),
        ("the new download feature is a game changer 👏", "delight"),
        ("家人们谁懂啊，外卖又送错了，这个月第三次了", "frustration"),
        ("唉，又是这个问题", "frustration"),
        ("你们这是欺诈消费者，我要去12315投诉", "anger"),
        ("到底是退到原账户还是退到余额？两个客服说的不一样", "confusion"),
        ("以前服务那么好，这次去感觉大不如前", "disappointment"),
        ("我的账号刚刚在别的手机上登录了，不是我本人，怎么办", "worry"),
        ("太好了，这么快就补发了，给你们点赞", "delight"),
        ("这次团建活动组织得太棒了，辛苦你们了！", "gratitude"),
    ],
)
def test_emotions_in_service_language(text: str, emotion: str) -> None:
    assert emotion in _names(clean_text(text).text)


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("Hi, is it possible to pay the balance by bank transfer rather than card? Thanks", "gratitude"),
        ("Please cancel the direct debit from next month. Thank you.", "gratitude"),
        ("ok thanks, I'll wait for the email", "gratitude"),
        ("thanks for nothing", "gratitude"),
        ("这网速我真的会谢，视频一直转圈", "gratitude"),
        ("东西收到了，跟描述的一样，没有失望", "disappointment"),
        ("I was not disappointed at all", "disappointment"),
        ("no worries, it can wait", "worry"),
        ("麻烦帮我备注一下，别放快递柜", "frustration"),
        ("Thanks again, we'd love to stay again next year", "frustration"),
        ("I'm not happy with the refund", "delight"),
    ],
)
def test_negation_formulaic_thanks_and_false_friends(text: str, absent: str) -> None:
    assert absent not in _names(clean_text(text).text)


def test_real_thanks_after_a_fix_is_gratitude() -> None:
    assert "gratitude" in _names("Perfect, that solved it. Thanks a lot for your help!")
    assert "gratitude" in _names("@TelcoMax engineer came this morning and internet is back. thanks Dave!")
    assert "gratitude" in _names("好的，问题解决了，谢谢亲！")


def test_enrich_reports_implicit_complaints_as_effortful_and_frustrated() -> None:
    result = enrich("@SkyJetAir 2 hours on hold and still no answer. What is the point of a phone line?")
    assert result.effort.high and "frustration" in {e.name for e in result.emotions}
    zh = enrich("@京东客服 一个退货问题我前前后后沟通了一个礼拜，换了五个客服，每个都让我重新描述")
    assert zh.effort.high and "frustration" in {e.name for e in zh.emotions}


def _test_split(language: str) -> list[dict]:
    rows = [json.loads(line) for line in (SETS / f"{language}.jsonl").read_text(encoding="utf-8").splitlines()]
    return [r for r in rows if int(r["id"].split("-")[1]) % 3 != 0]  # ids divisible by 3 are the dev split


@pytest.mark.parametrize(("language", "effort_recall", "emotion_recall"), [("en", 0.75, 0.70), ("zh", 0.85, 0.75)])
def test_figures_on_the_held_out_test_split(language: str, effort_recall: float, emotion_recall: float) -> None:
    rows = _test_split(language)
    assert len(rows) == 227
    tp = fp = fn = 0
    found = gold = hit = 0
    for row in rows:
        text = clean_text(row["text"]).text
        high = detect_effort(text).high
        tp += high and row["high_effort"]
        fp += high and not row["high_effort"]
        fn += not high and row["high_effort"]
        names = _names(text)
        found += len(names)
        gold += len(row["emotions"])
        hit += len(names & set(row["emotions"]))
    assert tp / (tp + fn) >= effort_recall and tp / (tp + fp) >= 0.9
    assert hit / gold >= emotion_recall and hit / found >= 0.8


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_labelled_sets_follow_their_format(language: str) -> None:
    lines = (SETS / f"{language}.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    assert len(rows) >= 320 and len({r["id"] for r in rows}) == len(rows) == len({r["text"] for r in rows})
    for row in rows:
        assert set(row) <= {"id", "text", "channel", "sentiment", "emotions", "high_effort", "notes"}
        assert row["id"].startswith(f"{language}-") and row["text"].strip()
        assert row["channel"] in ("tweet", "chat", "ticket_subject", "survey_comment", "email")
        assert row["sentiment"] in ("negative", "neutral", "positive", "mixed")
        assert set(row["emotions"]) <= set(EMOTIONS) and isinstance(row["high_effort"], bool)
        assert clean_text(row["text"]).text  # nothing the pipeline would reduce to nothing
