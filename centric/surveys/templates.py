"""Ready survey templates: proven question sets a manager starts from and then edits.

Wording follows the usual published forms: the NPS "likelihood to recommend" question
(Reichheld 2003), top-2-box CSAT on 1–5, CES 2.0 agreement on 1–7 (Dixon et al. 2010).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from centric.errors import NotFound

REASON = {"en": "What is the main reason for your score?", "zh": "您给出这个分数的主要原因是什么？"}
IMPROVE = {"en": "What is the one thing we could do better?", "zh": "我们最应该改进的一件事是什么？"}
AGREE = ({"en": "Strongly disagree", "zh": "非常不同意"}, {"en": "Strongly agree", "zh": "非常同意"})
LIKELY = ({"en": "Not at all likely", "zh": "完全不可能"}, {"en": "Extremely likely", "zh": "极有可能"})
SATISFIED = ({"en": "Very dissatisfied", "zh": "非常不满意"}, {"en": "Very satisfied", "zh": "非常满意"})


@dataclass(frozen=True)
class SurveyTemplate:
    key: str
    name: str
    kind: str  # the survey's headline metric: nps | csat | ces | custom
    description: str
    questions: list[dict[str, Any]]
    options: dict[str, Any] = field(default_factory=dict)


def _hidden(key: str) -> dict[str, Any]:
    return {"key": key, "type": "hidden"}


TEMPLATES: dict[str, SurveyTemplate] = {t.key: t for t in [
    SurveyTemplate(
        "relationship-nps", "Relationship NPS", "nps",
        "How loyal customers are overall; ask every 6–12 months.",
        [
            {"key": "nps", "type": "nps", "required": True, "low_label": LIKELY[0], "high_label": LIKELY[1],
             "label": {"en": "How likely are you to recommend us to a friend or colleague?",
                       "zh": "您向朋友或同事推荐我们的可能性有多大？"}},
            {"key": "comment", "type": "text", "label": REASON},
            {"key": "improve", "type": "text", "label": IMPROVE,
             "show_if": {"question": "nps", "op": "lte", "value": 6}},
        ],
    ),
    SurveyTemplate(
        "support-csat", "Post-support CSAT", "csat",
        "Satisfaction right after a support ticket is solved; carries the ticket id.",
        [
            {"key": "csat", "type": "csat", "required": True, "low_label": SATISFIED[0],
             "high_label": SATISFIED[1],
             "label": {"en": "How satisfied are you with the support you received?",
                       "zh": "您对获得的支持服务满意吗？"}},
            {"key": "resolved", "type": "choice", "options": ["yes", "partly", "no"],
             "option_labels": {"yes": {"en": "Yes", "zh": "是"}, "partly": {"en": "Partly", "zh": "部分解决"},
                               "no": {"en": "No", "zh": "否"}},
             "label": {"en": "Was your issue resolved?", "zh": "您的问题解决了吗？"}},
            {"key": "comment", "type": "text", "label": REASON},
            _hidden("ticket_id"),
        ],
    ),
    SurveyTemplate(
        "onboarding-ces", "Post-onboarding CES", "ces",
        "Customer effort once onboarding is complete.",
        [
            {"key": "ces", "type": "ces", "required": True, "low_label": AGREE[0], "high_label": AGREE[1],
             "label": {"en": "The company made it easy for me to handle my issue.",
                       "zh": "公司让我轻松地解决了问题。"}},
            {"key": "hardest", "type": "text", "show_if": {"question": "ces", "op": "lte", "value": 4},
             "label": {"en": "What was the hardest part of getting started?", "zh": "入门过程中最困难的是什么？"}},
            {"key": "comment", "type": "text", "label": {"en": "Anything else you would like to tell us?",
                                                          "zh": "还有什么想告诉我们的吗？"}},
        ],
    ),
    SurveyTemplate(
        "enps", "Employee NPS (eNPS)", "custom",
        "How likely employees are to recommend the company as a place to work. Stored as a 0–10 "
        "rating (not as customer NPS) so it never mixes into customer scores; anonymous by default.",
        [
            {"key": "enps", "type": "rating", "min": 0, "max": 10, "required": True,
             "low_label": LIKELY[0], "high_label": LIKELY[1],
             "label": {"en": "How likely are you to recommend working here to a friend?",
                       "zh": "您向朋友推荐来这里工作的可能性有多大？"}},
            {"key": "comment", "type": "text", "label": REASON},
            _hidden("team"),
        ],
        # Colleagues often share one office address: allow more answers per address.
        {"rate_limit_per_hour": 500},
    ),
    SurveyTemplate(
        "happiness", "Customer happiness", "csat",
        "A short pulse: satisfaction, star rating of the product, what went well.",
        [
            {"key": "csat", "type": "csat", "required": True, "low_label": SATISFIED[0],
             "high_label": SATISFIED[1],
             "label": {"en": "Overall, how happy are you with us?", "zh": "总体而言，您对我们满意吗？"}},
            {"key": "product_stars", "type": "rating", "display": "stars", "min": 1, "max": 5,
             "label": {"en": "How would you rate the product?", "zh": "您如何评价我们的产品？"}},
            {"key": "went_well", "type": "choice", "multiple": True,
             "options": ["staff", "speed", "quality", "price"],
             "option_labels": {"staff": {"en": "Friendly staff", "zh": "员工友好"},
                               "speed": {"en": "Speed", "zh": "速度"},
                               "quality": {"en": "Quality", "zh": "质量"},
                               "price": {"en": "Price", "zh": "价格"}},
             "label": {"en": "What went well? (choose any)", "zh": "哪些方面做得好？（可多选）"}},
            {"key": "comment", "type": "text", "label": IMPROVE},
        ],
    ),
    SurveyTemplate(
        "cx-index", "CX index (needs, ease, enjoyment)", "nps",
        "Three agreement items for the CX index plus the recommendation question that weights them "
        "(see Mirror › CX index); keep the item keys so the index finds them.",
        [
            {"key": "nps", "type": "nps", "required": True, "low_label": LIKELY[0], "high_label": LIKELY[1],
             "label": {"en": "How likely are you to recommend us to a friend or colleague?",
                       "zh": "您向朋友或同事推荐我们的可能性有多大？"}},
            *({"key": key, "type": "rating", "min": 1, "max": 5, "required": True, "low_label": AGREE[0],
               "high_label": AGREE[1], "label": label} for key, label in (
                ("cx_needs", {"en": "They gave me what I needed.", "zh": "他们提供了我所需要的。"}),
                ("cx_ease", {"en": "They were easy to deal with.", "zh": "与他们打交道很轻松。"}),
                ("cx_enjoy", {"en": "Dealing with them was enjoyable.", "zh": "与他们打交道令人愉快。"}))),
            {"key": "comment", "type": "text", "label": REASON},
        ],
    ),
]}


def get_template(key: str) -> SurveyTemplate:
    if key not in TEMPLATES:
        raise NotFound(f"unknown survey template {key!r}", field="template")
    return TEMPLATES[key]
