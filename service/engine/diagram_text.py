"""Labels on BPMN diagrams: width estimates and Chinese line breaking (a closing mark never
starts a line, an opening one never ends it, no lone last character)."""
from __future__ import annotations

import re
import unicodedata

CLOSING = frozenset("，。、；：！？）》」』”’,.;:!?)")  # never starts a line
OPENING = frozenset("（《「『“‘(")  # never ends a line


def is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def text_width(text: str, size: float) -> float:
    """An estimate (no font metrics offline): a CJK character is 1 em, anything else 0.6 em."""
    return sum(size if is_wide(ch) else .6 * size for ch in text)


def _greedy(text: str, width: float, size: float) -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        tokens: list[str] = []  # a Latin word, or one CJK character with its punctuation
        for tok in re.findall(r"[!-~]+\s*|\s+|.", paragraph):
            if tokens and (tok[0] in CLOSING or tokens[-1][-1] in OPENING):
                tokens[-1] += tok
            else:
                tokens.append(tok)
        line = ""
        for tok in tokens:
            if line.strip() and text_width((line + tok).rstrip(), size) > width:
                lines.append(line.rstrip())
                line = tok.lstrip()
            else:
                line += tok
            while len(line) > 1 and text_width(line.rstrip(), size) > width:  # a too-long word
                cut = next(i for i in range(len(line) - 1, 0, -1)
                           if text_width(line[:i], size) <= width or i == 1)
                lines.append(line[:cut])
                line = line[cut:]
        if line.strip():
            lines.append(line.rstrip())
    return lines


def _lone(line: str) -> bool:
    return len(line.rstrip("".join(CLOSING))) == 1


def wrap(text: str, width: float, size: float, max_lines: int = 99) -> list[str]:
    """Lines of at most ``width``, without a lone last character, cut with … if too many."""
    lines = _greedy(text, width, size)
    if 1 < len(lines) <= max_lines and _lone(lines[-1]):
        for narrower in (_greedy(text, width - k * size, size) for k in (1, 2, 3)):
            if len(narrower) == len(lines) and not _lone(narrower[-1]):
                return narrower
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and text_width(last + "…", size) > width:
            last = last[:-1]
        lines = lines[:max_lines - 1] + [last + "…"]
    return lines
