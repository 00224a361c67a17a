import pytest

from centric.text import assess_actionability, detect_effort, detect_emotions, enrich


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("I had to call three times before anyone helped", "repeat_contact"),
        ("I was transferred around between departments", "transferred"),
        ("Kept on hold for 45 minutes", "on_hold"),
        ("I had to repeat myself to every agent", "repeat_self"),
        ("Still waiting for my refund", "still_waiting"),
        ("转了好几次都没解决", "transferred"),
        ("打了好几次电话", "repeat_contact"),
        ("等了一个多小时", "long_wait"),
        ("申请退款到现在一直没处理", "still_waiting"),
    ],
)
def test_effort_cues(text: str, kind: str) -> None:
    effort = detect_effort(text)
    assert kind in {c.kind for c in effort.cues}
    assert effort.score >= 0.5
    assert effort.high


def test_no_effort_in_ordinary_praise() -> None:
    effort = detect_effort("Lovely staff and great coffee")
    assert effort.score == 0.0
    assert not effort.high


def test_ease_lowers_effort() -> None:
    assert (
        detect_effort("still waiting, but the app was easy").score
        < detect_effort("still waiting").score
    )


@pytest.mark.parametrize(
    ("text", "emotion"),
    [
        ("This is absolutely unacceptable, I'm furious", "anger"),
        ("So frustrating, I'm fed up", "frustration"),
        ("I don't understand my bill, it's confusing", "confusion"),
        ("Really disappointed with the quality", "disappointment"),
        ("Absolutely love it, amazing!", "delight"),
        ("Thank you so much for the help", "gratitude"),
        ("太失望了", "disappointment"),
        ("气死我了", "anger"),
        ("非常感谢", "gratitude"),
        ("看不懂这个账单", "confusion"),
    ],
)
def test_emotions(text: str, emotion: str) -> None:
    assert emotion in {e.name for e in detect_emotions(text)}


def test_negated_emotion_is_ignored() -> None:
    assert "disappointment" not in {e.name for e in detect_emotions("I was not disappointed")}
    assert "delight" not in {e.name for e in detect_emotions("不满意")}


def test_actionable_complaint_and_request() -> None:
    complaint = enrich("Charged twice and nobody replied to my emails. Absolutely unacceptable.")
    assert complaint.actionable
    assert "complaint" in complaint.actionable_reasons
    request = enrich("Could you please send me a copy of my invoice?")
    assert request.actionable
    assert "request" in request.actionable_reasons
    churn = enrich("I'm cancelling my subscription and switching to another provider")
    assert "churn_risk" in churn.actionable_reasons
    zh = enrich("请尽快给我退款，等了一个星期了")
    assert zh.actionable


def test_praise_is_not_actionable() -> None:
    assert not enrich("Great food and friendly staff, thanks!").actionable
    assert not enrich("东西很好，物流也快").actionable


def test_mild_negative_without_cues_is_not_a_complaint() -> None:
    effort = detect_effort("a bit salty")
    assert assess_actionability("a bit salty", -0.3, effort, ()).actionable is False
