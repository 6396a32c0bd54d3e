"""The USSD page rule: whatever a screen says, every page fits 182 characters, keeps its
words whole where it can, and offers 9 Next / 0 Back as a phone expects."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from yagona.app.ussd.pages import PAGE_MAX, fit, paginate, wrap

NEXT, BACK = "9 Next", "0 Back"


def test_a_short_screen_is_one_page_with_its_footer() -> None:
    assert paginate(
        ["Balance: 10 so'm.", "1 Pay"], footer=["0 Back", "00 Main menu"], next_label=NEXT, back_label=BACK
    ) == ["Balance: 10 so'm.\n1 Pay\n0 Back\n00 Main menu"]


def test_a_long_screen_is_cut_at_lines_with_next_on_all_but_the_last() -> None:
    lines = [f"{n} Plan number {n} with a long name, 123 456.00 so'm" for n in range(1, 9)]
    pages = paginate(lines, next_label=NEXT, back_label=BACK)
    assert len(pages) > 1
    assert all(len(page) <= PAGE_MAX for page in pages)
    assert all(page.split("\n")[-2 if i else -1] == NEXT for i, page in enumerate(pages[:-1]))
    assert all(page.endswith(BACK) for page in pages[1:])  # no footer of its own: 0 Back on later pages
    assert not pages[0].endswith(BACK)
    shown = [line for page in pages for line in page.split("\n") if line not in (NEXT, BACK)]
    assert shown == lines  # nothing lost, nothing repeated, in order


def test_a_line_longer_than_a_page_is_cut_between_words() -> None:
    text = " ".join(["daqiqa"] * 60)
    pages = paginate([text], footer=["0 Orqaga"], next_label="9 Keyingi", back_label="0 Orqaga")
    assert all(len(page) <= PAGE_MAX for page in pages)
    words = [w for page in pages for line in page.split("\n")[:-1] for w in line.split() if w not in ("9", "Keyingi")]
    assert words.count("daqiqa") == 60


def test_wrap_cuts_a_word_longer_than_the_width() -> None:
    assert wrap("a " + "x" * 25, 10) == ["a", "x" * 10, "x" * 10, "x" * 5]


def test_fit_marks_a_cut_text() -> None:
    assert fit("short") == "short"
    cut = fit("y" * 300)
    assert len(cut) == PAGE_MAX and cut.endswith("…")


@given(
    st.lists(st.text(alphabet="abc дж'0123456789", min_size=0, max_size=400), min_size=1, max_size=12),
    st.sampled_from([[], ["0 Back", "00 Main menu"], ["0 Cancel"]]),
)
def test_every_page_fits_whatever_the_screen_says(lines: list[str], footer: list[str]) -> None:
    pages = paginate(lines, footer=footer, next_label=NEXT, back_label=BACK)
    assert all(len(page) <= PAGE_MAX for page in pages)
    assert all(NEXT in page.split("\n") for page in pages[:-1])
    assert NEXT not in pages[-1].split("\n") or NEXT in lines
