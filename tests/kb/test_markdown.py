"""Safe Markdown: raw HTML is text, only http(s), mailto and relative links, no outside images, bounded work."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from centric.kb.markdown import MAX_CHARS, plain_text, render, safe_url

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](java\tscript:alert(1))",
    "<javascript:alert(1)>",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[vb](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    '[t](/ok "title\\" onmouseover=\\"alert(1)")',
    "<a href='javascript:alert(1)'>x</a>",
    "<iframe src=//evil.example></iframe>",
    "[proto](//evil.example/steal)",
]


class _Tags(HTMLParser):
    """Every tag and attribute a browser would see in the HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markdown_gives_no_script_and_no_dangerous_link(text: str) -> None:
    parser = _Tags()
    parser.feed(str(render(text)))
    assert {tag for tag, _ in parser.tags} <= {"p", "a", "img", "em", "strong", "code"}
    for _tag, attrs in parser.tags:
        assert not [name for name, _ in attrs if name.startswith("on")]
        for name, value in attrs:
            if name in ("href", "src"):
                assert value is not None and safe_url(value) and not value.startswith("//"), value


def test_ordinary_markdown_renders() -> None:
    html = str(render("## Hours\n\n- **Breakfast**: 6:30–10:30\n- [Menu](/help/a/menu) · "
                      "[Mail](mailto:desk@hotel.example)\n\n| Day | Open |\n|---|---|\n| Sun | 7:00 |\n\n"
                      "![map](/static/map.png) ![ext](https://cdn.example/x.png)"))
    assert "<h2>Hours</h2>" in html and "<strong>Breakfast</strong>" in html and "<table>" in html
    assert '<a href="/help/a/menu">Menu</a>' in html and 'href="mailto:desk@hotel.example"' in html
    assert '<img src="/static/map.png" alt="map" loading="lazy">' in html
    assert 'src="https://cdn.example' not in html and '<a href="https://cdn.example/x.png" rel="nofollow' in html


def test_external_links_are_marked_and_plain_text_drops_syntax() -> None:
    assert 'rel="nofollow noopener noreferrer"' in str(render("[site](https://hotel.example)"))
    assert plain_text("# Title\n\nSome **bold** and `code` <b>x</b>.") == "Title Some bold and code <b>x</b>."
    assert plain_text("word " * 100, 30).endswith("…") and len(plain_text("word " * 100, 30)) <= 31


def test_huge_and_deeply_nested_bodies_are_cut_and_bounded() -> None:
    huge = render("a" * (MAX_CHARS * 3))
    assert len(str(huge)) < MAX_CHARS + 100
    nested = str(render("> " * 5_000 + "deep"))
    assert nested.count("<blockquote>") <= 25
    assert "<script" not in str(render("<" * 20_000 + "script>"))
