"""The evidence viewer's HTML: the method around the citation, cited and sibling lines marked, nothing wrapped."""

from __future__ import annotations

from app.evidence_view import MAX_METHOD_LINES, code_table, shown_range


def test_the_method_is_shown_when_short_else_the_citation_with_context():
    method = {"start_line": 40, "end_line": 70}
    assert shown_range(50, 52, method, 200) == (40, 70)
    long = {"start_line": 10, "end_line": 10 + MAX_METHOD_LINES + 5}
    assert shown_range(50, 52, long, 200) == (35, 67)
    assert shown_range(3, 4, None, 10) == (1, 10)  # clipped to the file


def test_cited_lines_and_other_items_of_the_same_file_are_marked_and_escaped():
    lines = ["if (a < b) {", "    fail(\"<img src=x>\");", "}"]
    html = code_table(lines, 41, "A.java", cited={42}, other={43})
    assert '<tr class="" data-line="41"><td class="n">41</td>' in html
    assert '<tr class="cited" data-line="42"><td class="n">42</td>' in html
    assert '<tr class="other" data-line="43">' in html
    assert "<img" not in html and "&lt;img" in html  # code is text, even inside a string literal
