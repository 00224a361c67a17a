"""The staff UI's catalogs: complete in Chinese, no English left outside them, formats by locale."""

from __future__ import annotations

import re
from datetime import date, datetime

from babel.messages.pofile import read_po

from centric import i18n
from centric.i18n import catalog, catalog_files

_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w*)\}")


def test_every_marked_message_has_a_chinese_translation():
    gaps = catalog.missing("zh", [*catalog.template_messages(), *catalog.python_messages()])
    assert gaps == [], "untranslated (run `python -m centric.i18n.catalog stub zh/AREA.po PATH`):\n" + "\n".join(
        f"{m.where}: {m.id!r}" for m in gaps[:40])


def test_no_template_shows_english_outside_the_catalog():
    bare = catalog.bare_text()
    assert bare == [], "wrap these in _() or {% trans %}:\n" + "\n".join(bare[:60])


def test_translations_keep_their_placeholders_and_agree_across_files():
    seen: dict[tuple[str, str | None], str] = {}
    for path in catalog_files("zh"):
        with path.open("rb") as handle:
            for entry in read_po(handle):
                if not entry.id or not entry.string:
                    continue
                ids = entry.id if isinstance(entry.id, tuple | list) else (entry.id,)
                strings = entry.string if isinstance(entry.string, tuple | list) else (entry.string,)
                wanted = {m for text in ids for m in _PLACEHOLDER.findall(text)}
                for text in strings:
                    assert {m for m in _PLACEHOLDER.findall(text)} <= wanted, (path.name, ids[0], text)
                    assert {m for m in _PLACEHOLDER.findall(text)} >= {m for m in _PLACEHOLDER.findall(ids[-1])}, (
                        path.name, ids[0], text)
                key = (ids[0], entry.context)
                assert seen.setdefault(key, strings[0]) == strings[0], f"{ids[0]!r} translated two ways"


def test_the_bare_text_check_catches_what_it_should(tmp_path):
    page = tmp_path / "page.html"
    page.write_text('<h1>{{ _("Cases") }}</h1>\n<p title="Hover text">Open cases: {{ n }}</p>\n'
                    '<td class="{{ cls }}">NPS</td><script>var x = "Not shown";</script>\n'
                    '{% trans %}Inside trans{% endtrans %}<input placeholder="{{ _(\'Search\') }}">\n')
    problems = catalog.bare_text([page])
    assert problems == [f"{page}:2: Hover text", f"{page}:2: Open cases:"]


def test_locale_switches_messages_and_formats():
    with i18n.use_locale("zh-CN"):
        assert i18n.gettext("Log out") == "退出登录"
        assert i18n.format_day(date(2026, 12, 2)) == "2026年12月2日"
        assert i18n.format_number(12345.678, 1) == "12,345.7"
    with i18n.use_locale("fr"):
        assert i18n.current() == "en" and i18n.gettext("Log out") == "Log out"
        assert i18n.format_day(datetime(2026, 12, 2, 8, 30)) == "Dec 2, 2026"
        assert i18n.format_share(0.425, 1) == "42.5%"
    assert i18n.pick_locale(i18n.LANGUAGES, None, "de-DE,zh-TW;q=0.8,en;q=0.5") == "zh"


def test_a_message_with_a_context_is_extracted_with_it(tmp_path):
    page = tmp_path / "page.html"
    page.write_text('<button>{{ pgettext("verb", "Change") }}</button><td>{{ _("Change") }}</td>\n')
    found = {(m.id, m.context) for m in catalog.template_messages([page])}
    assert found == {("Change", "verb"), ("Change", None)}


def test_dates_given_as_iso_text_are_formatted_and_other_text_is_kept():
    with i18n.use_locale("zh"):
        assert i18n.format_day("2026-12-02") == "2026年12月2日"
        assert i18n.format_day("2026-12-02T08:30:00") == "2026年12月2日"
        assert i18n.format_day("soon") == "soon"
    with i18n.use_locale("en"):
        assert i18n.format_moment("2026-12-02T08:30:00").startswith("Dec 2, 2026")
