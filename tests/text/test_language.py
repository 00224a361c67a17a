import pytest

from centric.text import detect_language, language_profile


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The delivery was late and the driver was rude.", "en"),
        ("ok", "en"),
        ("送餐太慢了，饭都凉了", "zh"),
        ("这家店的服务态度非常好", "zh"),
        ("Le service était très lent et le personnel désagréable", "und"),
        ("この店はとても美味しいです", "und"),
        ("배송이 너무 늦었어요", "und"),
        ("Доставка опоздала на час", "und"),
        ("", "und"),
        ("12345 !!! ...", "und"),
        ("😀👍", "und"),
    ],
)
def test_detects_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_mixed_text_reports_dominant_language_and_mixed() -> None:
    profile = language_profile("这个手机很好用，电池也耐用 but the charger broke")
    assert profile.language == "zh"
    assert profile.mixed
    english = language_profile("The hotel was great overall, 早餐很好")
    assert english.language == "en"
    assert english.mixed


def test_single_language_is_not_mixed() -> None:
    assert not language_profile("Great service, thank you").mixed
    assert not language_profile("服务很好，谢谢").mixed
