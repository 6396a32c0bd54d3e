"""The pure rule of a USSD page: a phone shows at most 182 characters, so a screen that says
more is cut into pages at line (then word) boundaries, each but the last ending with "9 Next",
each after the first offering "0 Back". No I/O: unit-tested on its own."""

from __future__ import annotations

from collections.abc import Sequence

PAGE_MAX = 182  # characters a USSD page shows (the protocol's 182 seven-bit characters)


def size(lines: Sequence[str]) -> int:
    """What `lines` take on the screen, one per line."""
    return len("\n".join(lines))


def paginate(
    lines: Sequence[str],
    *,
    footer: Sequence[str] = (),
    next_label: str,
    back_label: str,
    limit: int = PAGE_MAX,
) -> list[str]:
    """The pages of a screen: its `lines`, then its `footer` on every page (on pages after the
    first, `back_label` when the screen has no footer of its own); "9 Next" on every page but
    the last. Every page is at most `limit` characters."""
    first_nav = list(footer)
    if size([*lines, *first_nav]) <= limit:
        return ["\n".join([*lines, *first_nav])]
    later_nav = list(footer) or [back_label]
    room = limit - max(size([next_label, *first_nav]), size([next_label, *later_nav])) - 1
    assert room >= 20, "the navigation leaves no room on the page"
    pages: list[list[str]] = [[]]
    for line in lines:
        for piece in wrap(line, room):
            if pages[-1] and size([*pages[-1], piece]) > room:
                pages.append([])
            pages[-1].append(piece)
    shown = []
    for number, body in enumerate(pages):
        nav = first_nav if number == 0 else later_nav
        if number < len(pages) - 1:
            nav = [next_label, *nav]
        shown.append("\n".join([*body, *nav]))
    return shown


def wrap(line: str, width: int) -> list[str]:
    """`line` in pieces of at most `width` characters, cut between words where it can."""
    assert width > 0
    if len(line) <= width:
        return [line]
    pieces: list[str] = []
    current = ""
    for word in line.split(" "):
        rest = word
        while len(rest) > width:  # a word longer than the page: cut it
            if current:
                pieces.append(current)
                current = ""
            pieces.append(rest[:width])
            rest = rest[width:]
        candidate = f"{current} {rest}" if current else rest
        if len(candidate) <= width:
            current = candidate
        else:
            pieces.append(current)
            current = rest
    if current:
        pieces.append(current)
    return pieces


def fit(text: str, limit: int = PAGE_MAX) -> str:
    """`text` cut to one page (an ellipsis shows it was cut): for the rare last word of a
    session that cannot be paged, like a refusal before any screen."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
