"""Noise rules: what changes between two immediate fetches is learned and dropped, and nothing more."""

from __future__ import annotations

from monitor.items import PageContent
from monitor.detect.page_noise import confirm, drop, learn, line_shape, matches, needs_confirming

ARTICLE = "main/article/p"
ASIDE = "main/aside.latest-posts/ul/li"
LETTER = [(f"Paragraph {n} of the open letter, unchanged.", ARTICLE) for n in range(1, 9)]


def content(*lines: tuple[str, str], items: tuple[tuple[str, str], ...] = ()) -> PageContent:
    return PageContent(lines=tuple(t for t, _ in lines), line_paths=tuple(p for _, p in lines),
                       items=tuple(t for t, _ in items), item_paths=tuple(p for _, p in items))


def test_shape_wildcards_numbers_and_tokens_only():
    shape = line_shape("Viewed 3,001 times, token a8F3kq0Zx9LmPq2wRt7Y")
    assert matches(("line:" + shape,), "Viewed 12,345 times, token Zz9Xq1Lm0Pq2wRt7Ya8F", "p")
    assert not matches(("line:" + shape,), "Viewed 3,001 people, token a8F3kq0Zx9LmPq2wRt7Y", "p")


def test_a_ticking_line_teaches_its_shape_not_its_place():
    first = content(*LETTER, ("Page built 2026-01-02 10:00:01.123", ARTICLE))
    second = content(*LETTER, ("Page built 2026-01-02 10:00:01.456", ARTICLE))
    found = learn(first, second)
    assert found.lines == ("Page built 2026-01-02 10:00:01.123", "Page built 2026-01-02 10:00:01.456")
    [rule] = found.rules
    assert rule.startswith("line:")
    later = content(*LETTER, ("Page built 2026-03-04 18:22:09.001", ARTICLE))
    assert drop(later, found.rules).lines == tuple(t for t, _ in LETTER)  # the letter itself is untouched


def test_a_rotating_box_teaches_its_place():
    posts = ["Hong Kong: five years on", "Why we stand with Uyghur families", "Tibet: the monks", "Write for Rights"]
    first = content(*LETTER, *((p, ASIDE) for p in posts[0:3]))
    second = content(*LETTER, *((p, ASIDE) for p in posts[1:4]))
    found = learn(first, second)
    assert found.rules == ("path:" + ASIDE,)
    unseen = content(*LETTER, ("A post never seen before", ASIDE))
    assert drop(unseen, found.rules).lines == tuple(t for t, _ in LETTER)


def test_a_changed_paragraph_in_a_big_place_drops_only_itself():
    first = content(*LETTER, ("Quote of the day: courage.", ARTICLE))
    second = content(*LETTER, ("Quote of the day: hope.", ARTICLE))
    found = learn(first, second)
    assert all(r.startswith("line:^") for r in found.rules)  # never "path:" + ARTICLE: that is the letter
    assert drop(second, found.rules).lines == tuple(t for t, _ in LETTER)


def test_identical_fetches_learn_nothing_and_items_are_dropped_too():
    page = content(*LETTER, items=(("Ma Jian, writer", "ul/li"),))
    assert learn(page, page).rules == ()
    dropped = drop(page, ("path:ul",))
    assert dropped.items == () and dropped.lines == page.lines


SIGNERS = "main/article/ul/li"


def letter_with(*signers: str) -> PageContent:
    return content(*LETTER, *((s, SIGNERS) for s in signers), items=tuple((s, SIGNERS) for s in signers))


def test_a_signatory_who_joins_between_the_two_fetches_is_a_change_once_a_third_fetch_confirms_it():
    # Seen in a crash campaign: a real signatory landed between the noise check's two fetches and was learned
    # as noise, so its list_item_added never came. A third fetch tells a change (it stays) from noise.
    first, second = letter_with("Ada, writer"), letter_with("Ada, writer", "Ma Jian, writer")
    guessed = learn(first, second)
    assert needs_confirming(guessed)
    found = confirm(first, second, letter_with("Ada, writer", "Ma Jian, writer"))
    assert found.rules == () and found.lines == ()
    assert drop(second, found.rules).items == ("Ada, writer", "Ma Jian, writer")


def test_a_line_that_changes_again_on_the_third_fetch_is_noise():
    quote = "main/article/blockquote"
    first = content(*LETTER, ("Quote of the moment: one", quote))
    second = content(*LETTER, ("Quote of the moment: two", quote))
    third = content(*LETTER, ("Quote of the moment: three", quote))
    assert needs_confirming(learn(first, second))
    found = confirm(first, second, third)
    assert matches(found.rules, "Quote of the moment: three", quote)
    assert not matches(found.rules, LETTER[0][0], ARTICLE)


def test_a_ticking_counter_needs_no_third_fetch():
    first = content(*LETTER, ("Viewed 3,001 times", ARTICLE))
    second = content(*LETTER, ("Viewed 3,002 times", ARTICLE))
    assert not needs_confirming(learn(first, second))
