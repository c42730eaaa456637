"""Plain paragraphs are rendered without Markdown's converter, into exactly what the converter makes."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from statuspress import markup

WORDS = ["Queue", "deploy", "sign-in", "é", "日本語", "1.", "2)", "-", "--", "=", "===", "+", "http://a.example/b",
         "ops@example.com", "(see", "it)", "don't", '"quoted"', "50%", "$5", "Done!", "why?", "a/b", "*", "_x_",
         "`c`", "#", "&amp;", "<b>", "[x]", "|", "~~~", "\\", "\t", "  ", "    code", "\n", "> "]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(" ".join), min_size=1, max_size=4),
       st.sampled_from(["\n\n", "\n", "\n\n\n", " \n\n"]), st.sampled_from(["", "\n", "\n\n", " "]))
@example(["We are investigating errors.", "The API is back: 99.9% of requests succeed (since 10:00)."], "\n\n", "\n")
@example(["Dashboard", "==="], "\n", "")
@example(["Fixed", "- one"], "\n\n", "")
def test_plain_text_is_what_markdown_makes_of_it(paragraphs: list[str], between: str, end: str) -> None:
    text = between.join(paragraphs) + end
    plain = markup._plain(text)
    if plain is not None:
        assert plain == markup._convert(text, "https://status.example.com/")


def test_only_plain_text_skips_the_converter() -> None:
    assert markup._plain("We are investigating.\n\nFixed at 10:00 (UTC).\n") == (
        "<p>We are investigating.</p>\n<p>Fixed at 10:00 (UTC).</p>")
    for text in ("1. One", "- One", "A *b*", "Two  spaces", "Line\nbreak", "A & B", "See [x](y)", "    code"):
        assert markup._plain(text) is None, text


# What `markup.plain` accepts, as the pattern it replaced: a letter, then letters, digits, single spaces
# inside and the punctuation that no Markdown pattern starts with.
PLAIN = re.compile(r"""[^\W\d_](?:[^\W_]|[.,;:'"?!()/%+=@$-]| (?=[^ ]))*""")
CHARACTERS = "aZé日1٣²½_ .,;:'\"?!()/%+=@$-\n\t*#<>&`[]~\\|\u00a0\u2003"


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.sampled_from(CHARACTERS), max_size=12) | st.text(max_size=12))
@example("²nd")  # a digit, not a decimal one: a letter to str.isalnum, and to the pattern
@example("٣ apples")  # an Arabic-Indic decimal digit: not a letter to either
@example("a b ")
@example("snake_case")
def test_plain_paragraphs_are_those_of_the_pattern(paragraph: str) -> None:
    assert markup.plain(paragraph) == bool(PLAIN.fullmatch(paragraph))
