"""Vietnamese readings of numbers (Northern standard): cardinals, decimals, digits, ordinals, months, Roman."""

from __future__ import annotations

import re

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")

_BILLION = 10**9
_SCALES = ("", "nghìn", "triệu")
# Beyond this an announcer reads the digits: nobody says "một tỷ tỷ".
MAX_CARDINAL = 10**18 - 1


def _triple(g: int, full: bool) -> list[str]:
    """One group of three digits. `full`: a non-leading group, so "không trăm" and "linh" are said."""
    hundreds, tens, units = g // 100, g // 10 % 10, g % 10
    words: list[str] = []
    if hundreds or full:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if hundreds or full:
                words.append("linh")
            words.append(DIGITS[units])
    elif tens == 1:
        words.append("mười")
        if units:
            # "mười lăm", but "mười bốn" and "mười một" (no "mốt"/"tư" after "mười").
            words.append("lăm" if units == 5 else DIGITS[units])
    else:
        words += [DIGITS[tens], "mươi"]
        if units:
            words.append({1: "mốt", 4: "tư", 5: "lăm"}.get(units, DIGITS[units]))
    return words


def _below_billion(n: int, full: bool) -> list[str]:
    groups = []
    while n:
        groups.append(n % 1000)
        n //= 1000
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        g = groups[index]
        if g == 0:
            continue
        words += _triple(g, full or index != len(groups) - 1)
        if _SCALES[index]:
            words.append(_SCALES[index])
    return words


def _words(n: int, full: bool) -> list[str]:
    if n >= _BILLION:
        high, low = divmod(n, _BILLION)
        words = _words(high, full) + ["tỷ"]
        return words + (_below_billion(low, True) if low else [])
    return _below_billion(n, full)


def cardinal(n: int) -> str:
    """21 → "hai mươi mốt", 105 → "một trăm linh năm", 2018 → "hai nghìn không trăm mười tám"."""
    if n < 0:
        return "âm " + cardinal(-n)
    if n == 0:
        return "không"
    if n > MAX_CARDINAL:
        return digits(str(n))
    return " ".join(_words(n, False))


def digits(text: str) -> str:
    """Digit by digit: "0220" → "không hai hai không"; non-digits are ignored."""
    return " ".join(DIGITS[ord(c) - 48] for c in text if "0" <= c <= "9")


def number_string(text: str) -> str:
    """A written integer: leading zeros are dropped ("05" → "năm") unless it is a code ("0012")."""
    text = text.replace(".", "")
    if len(text) >= 4 and text[0] == "0" or len(text) > 18:
        return digits(text)
    return cardinal(int(text))


def decimal(integer: str, fraction: str) -> str:
    """5,3 → "năm phẩy ba"; 87,65 → "… phẩy sáu mươi lăm"; 0,05 → "không phẩy không năm"."""
    if len(fraction) <= 2 and fraction[0] != "0":
        tail = cardinal(int(fraction))
    else:
        tail = digits(fraction)
    return f"{number_string(integer)} phẩy {tail}"


def ordinal(n: int) -> str:
    """The word after "thứ": 1 → "nhất", 4 → "tư", otherwise the cardinal."""
    return {1: "nhất", 4: "tư"}.get(n) or cardinal(n)


def month(n: int) -> str:
    """The word after "tháng": 4 → "tư"; January is "một" (not "giêng") in administrative reading."""
    return "tư" if n == 4 else cardinal(n)


_ROMAN = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def roman(text: str) -> int | None:
    """Value of a well-formed Roman numeral, else None ("IIII", "" and "IC" are not numerals)."""
    if not text or not _ROMAN.fullmatch(text):
        return None
    total = 0
    for i, c in enumerate(text):
        value = _ROMAN_VALUES[c]
        nxt = _ROMAN_VALUES[text[i + 1]] if i + 1 < len(text) else 0
        total += -value if value < nxt else value
    return total
