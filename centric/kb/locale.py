"""The help centre's texts in English and Chinese, and choosing the visitor's language."""

from __future__ import annotations

from centric.surveys.locale import LANGUAGE_NAMES, pick_locale

LANGUAGES = ["en", "zh"]

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "help": "Help centre", "home_title": "How can we help?", "search_label": "Search the help centre",
        "search_hint": "For example: breakfast hours, Wi-Fi, late check-out", "search": "Search",
        "topics": "Topics", "recent": "Recently updated", "no_entries": "There is nothing here yet.",
        "entries_count": "{n} entries", "entry_one": "1 entry",
        "results_title": "Search results", "results_for": "Results for “{q}”", "results_count": "{n} results",
        "result_one": "1 result", "no_results": "We found nothing for “{q}”.",
        "try_other": "Try other words, or ask us: we are happy to help.", "empty_query": "Type a few words to search.",
        "still_need": "Still need help?", "chat": "Chat with us", "also_in": "Also in", "all_topics": "All topics",
        "more_in": "More in {category}", "updated": "Updated {date}", "faq": "Question", "article": "Article",
        "language": "Language", "skip": "Skip to the content", "breadcrumb": "You are here",
        "not_found_title": "Not found", "not_found": "This page does not exist or is no longer available.",
        "back_home": "Back to the help centre", "other": "Other questions",
    },
    "zh": {
        "help": "帮助中心", "home_title": "有什么可以帮您？", "search_label": "搜索帮助中心",
        "search_hint": "例如：早餐时间、无线网络、延迟退房", "search": "搜索",
        "topics": "主题", "recent": "最近更新", "no_entries": "这里还没有内容。",
        "entries_count": "{n} 篇", "entry_one": "1 篇",
        "results_title": "搜索结果", "results_for": "“{q}”的搜索结果", "results_count": "共 {n} 条结果",
        "result_one": "共 1 条结果", "no_results": "没有找到与“{q}”相关的内容。",
        "try_other": "请换个说法试试，或直接联系我们，我们很乐意帮忙。", "empty_query": "请输入要搜索的内容。",
        "still_need": "还需要帮助？", "chat": "在线咨询", "also_in": "其他语言", "all_topics": "全部主题",
        "more_in": "{category}的更多内容", "updated": "更新于 {date}", "faq": "常见问题", "article": "文章",
        "language": "语言", "skip": "跳到正文", "breadcrumb": "当前位置",
        "not_found_title": "找不到页面", "not_found": "此页面不存在或已不可用。",
        "back_home": "返回帮助中心", "other": "其他问题",
    },
}


def choose_locale(requested: str | None, remembered: str | None, accept_language: str | None) -> str:
    """``?lang=`` first, then the language chosen before (cookie), then Accept-Language, else English."""
    if requested and pick_locale(LANGUAGES, requested, None) == requested.lower().split("-")[0]:
        return pick_locale(LANGUAGES, requested, None)
    if remembered in LANGUAGES:
        return str(remembered)
    return pick_locale(LANGUAGES, None, accept_language)


def texts(locale: str) -> dict[str, str]:
    return TEXTS.get(locale, TEXTS["en"])


__all__ = ["LANGUAGES", "LANGUAGE_NAMES", "TEXTS", "choose_locale", "texts"]
