"""Respondent-page texts in each supported language, and choosing the respondent's locale."""

from __future__ import annotations

from centric.i18n import pick_locale, ranked_languages

__all__ = ["LANGUAGE_NAMES", "UI", "pick_locale", "ranked_languages", "texts"]

UI: dict[str, dict[str, str]] = {
    "en": {
        "next": "Next", "submit": "Send", "required": "required", "optional": "optional",
        "needs_answer": "Please answer this question.",
        "scale_range": "Please choose a number from {min} to {max}.",
        "pick_option": "Please choose one of the options.",
        "pick_one": "Please choose only one option.",
        "too_long": "Please shorten your answer to {max} characters.",
        "fix_errors": "Please check the highlighted questions.",
        "thanks_title": "Thank you!", "thanks": "Your answers have been saved.",
        "review": "Glad you liked it! Would you share your experience in a review?",
        "review_link": "Write a review",
        "ideas": "Thank you for your honesty. Tell us how we could improve:",
        "ideas_link": "Share an idea",
        "already": "You have answered this survey already. Thank you!",
        "closed_title": "This survey is closed", "closed": "Thank you for your interest; it no longer takes answers.",
        "not_found_title": "Survey not found", "not_found": "Please check the link you followed.",
        "forbidden_title": "This link cannot be used",
        "too_many_title": "Too many answers", "too_many":
        "We received many answers from your network in a short time. Please try again in an hour.",
        "too_large_title": "Too much text", "too_large": "Your answers are too long to be sent. Please shorten them.",
        "busy_title": "Please try again", "busy": "We could not save your answers just now. Please send them again.",
        "expired": "This page has expired. Please open the survey link again.",
        "stars": "{n} of {max} stars", "your_score": "Your score", "skip_to_form": "Skip to the questions",
        "honeypot": "Leave this field empty",
        "preview": "Preview — answers are not saved.",
        "language": "Language",
    },
    "zh": {
        "next": "下一步", "submit": "提交", "required": "必答", "optional": "选答",
        "needs_answer": "请回答此问题。",
        "scale_range": "请选择 {min} 到 {max} 之间的数字。",
        "pick_option": "请选择一个选项。",
        "pick_one": "请只选择一个选项。",
        "too_long": "请将回答缩短到 {max} 个字符以内。",
        "fix_errors": "请检查标出的问题。",
        "thanks_title": "谢谢！", "thanks": "您的回答已保存。",
        "review": "很高兴您满意！愿意写一条评价分享您的体验吗？",
        "review_link": "写评价",
        "ideas": "感谢您的坦诚。请告诉我们如何改进：",
        "ideas_link": "提出建议",
        "already": "您已经回答过此问卷。谢谢！",
        "closed_title": "此问卷已关闭", "closed": "感谢关注，此问卷已不再收集回答。",
        "not_found_title": "找不到问卷", "not_found": "请检查您打开的链接。",
        "forbidden_title": "此链接无法使用",
        "too_many_title": "提交过于频繁", "too_many": "短时间内收到来自您网络的大量回答，请一小时后再试。",
        "too_large_title": "内容过长", "too_large": "您的回答过长，无法提交，请缩短后再试。",
        "busy_title": "请重试", "busy": "暂时无法保存您的回答，请再次提交。",
        "expired": "此页面已过期，请重新打开问卷链接。",
        "stars": "{n} / {max} 星", "your_score": "您的评分", "skip_to_form": "跳到问题",
        "honeypot": "请勿填写此栏",
        "preview": "预览——回答不会被保存。",
        "language": "语言",
    },
}
LANGUAGE_NAMES = {"en": "English", "zh": "中文"}


def texts(locale: str) -> dict[str, str]:
    """UI texts in ``locale`` (English for languages without a translation yet)."""
    return UI.get(locale.split("-")[0], UI["en"])
