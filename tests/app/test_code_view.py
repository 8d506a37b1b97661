"""Dockerfiles and diffs drawn as HTML: every line kept, escaped, coloured or numbered."""

from __future__ import annotations

from html.parser import HTMLParser

from ui.code_view import diff_html, dockerfile_html, log_html


class _Lines(HTMLParser):
    """The text of each line (a block span inside the pre) and its style; bold words."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[tuple[str, str]] = []
        self.bold: list[str] = []
        self._depth = 0
        self._in_bold = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "span":
            self._depth += 1
            if self._depth == 1:
                self.lines.append(("", dict(attrs).get("style") or ""))
        self._in_bold = tag == "b"

    def handle_endtag(self, tag: str) -> None:
        if tag == "span":
            self._depth -= 1
        if tag == "b":
            self._in_bold = False

    def handle_data(self, data: str) -> None:
        if self._depth:
            text, style = self.lines[-1]
            self.lines[-1] = (text + data, style)
        if self._in_bold:
            self.bold.append(data)


def _parse(markup: str) -> _Lines:
    parser = _Lines()
    parser.feed(markup)
    return parser


DIFF = """--- Dockerfile
+++ Dockerfile (no-cache)
@@ -3,2 +3,2 @@
 WORKDIR /app
-RUN pip install -r requirements.txt
+RUN pip install --no-cache-dir -r requirements.txt && echo '<done>'
"""


def test_a_diff_keeps_every_line_and_colours_added_and_removed_ones() -> None:
    parsed = _parse(diff_html(DIFF))
    assert [text for text, _ in parsed.lines] == DIFF.splitlines()
    styles = [style for _, style in parsed.lines]
    assert "font-weight: 600" in styles[0] and "font-weight: 600" in styles[1]
    assert "color" in styles[2]  # the hunk header
    assert "background" not in styles[3]  # context
    assert "255, 43, 43" in styles[4]  # removed: red
    assert "33, 195, 84" in styles[5]  # added: green


def test_markup_in_a_line_is_shown_not_interpreted() -> None:
    markup = diff_html("+RUN echo '<script>alert(1)</script>' && true\n")
    assert "<script>" not in markup
    assert _parse(markup).lines[0][0] == "+RUN echo '<script>alert(1)</script>' && true"


def test_a_dockerfile_is_numbered_with_its_instructions_in_bold() -> None:
    text = (
        "FROM python:3.11-slim\nRUN apt-get update \\\n    && apt-get install -y curl\n"
        "copy . /app\n"
    )
    parsed = _parse(dockerfile_html(text))
    assert [line for line, _ in parsed.lines] == [
        f"{n}  {line}" for n, line in enumerate(text.splitlines(), start=1)
    ]
    assert parsed.bold == ["FROM", "RUN", "copy"]  # a continuation line has no instruction


def test_the_box_is_named_for_screen_readers() -> None:
    markup = dockerfile_html("FROM x\n", "The no-cache Dockerfile")
    assert 'aria-label="The no-cache Dockerfile"' in markup


def test_a_log_is_kept_as_it_is_escaped() -> None:
    text = "Step 1/2 : FROM debian\n <b>not bold</b> & done\n"
    markup = log_html(text, "The log of build 7")
    assert "<b>" not in markup and 'aria-label="The log of build 7"' in markup
    parser = HTMLParser()
    seen: list[str] = []
    parser.handle_data = seen.append  # type: ignore[method-assign]
    parser.feed(markup)
    assert "".join(seen) == text
