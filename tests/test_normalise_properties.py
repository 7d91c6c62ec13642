"""Property tests: no digit survives, and number readings agree with an independent implementation."""

from __future__ import annotations

import re
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from broadcast.speech.normalise import normalise, unspeakable
from broadcast.speech.numbers import cardinal

# ---------------------------------------------------------------------------------------------
# An independent reading, recursive by powers of ten (the package reads iteratively by groups of
# three). It restates the conventions from DOMAIN.md, not the package's code.

UNITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
POWERS = [(10**9, "tỷ"), (10**6, "triệu"), (10**3, "nghìn")]


def below_hundred(n: int) -> str:
    if n < 10:
        return UNITS[n]
    tens, unit = divmod(n, 10)
    head = "mười" if tens == 1 else UNITS[tens] + " mươi"
    if unit == 0:
        return head
    if unit == 5:
        tail = "lăm"
    elif unit == 1 and tens > 1:
        tail = "mốt"
    elif unit == 4 and tens > 1:
        tail = "tư"
    else:
        tail = UNITS[unit]
    return head + " " + tail


def below_thousand(n: int, padded: bool) -> str:
    """`padded`: something bigger was said before, so zeros in hundreds and tens are spoken."""
    hundreds, rest = divmod(n, 100)
    if hundreds == 0 and not padded:
        return below_hundred(rest)
    out = UNITS[hundreds] + " trăm"
    if rest == 0:
        return out
    if rest < 10:
        return out + " linh " + UNITS[rest]
    return out + " " + below_hundred(rest)


def reference(n: int, padded: bool = False) -> str:
    if n == 0 and not padded:
        return "không"
    for power, name in POWERS:
        if n >= power:
            high, low = divmod(n, power)
            said = reference(high, padded) + " " + name
            return said if low == 0 else said + " " + reference(low, True)
    return below_thousand(n, padded)


def test_reference_agrees_on_the_domain_examples():
    assert reference(21) == "hai mươi mốt"
    assert reference(105) == "một trăm linh năm"
    assert reference(2018) == "hai nghìn không trăm mười tám"
    assert reference(1_500_000) == "một triệu năm trăm nghìn"


def test_every_integer_below_ten_thousand():
    for n in range(10_000):
        assert cardinal(n) == reference(n), n


@given(st.integers(min_value=0, max_value=10**6))
def test_integers_up_to_a_million(n):
    assert cardinal(n) == reference(n)


@given(st.integers(min_value=0, max_value=10**12))
def test_large_integers(n):
    assert cardinal(n) == reference(n)


def dotted(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@settings(max_examples=300)
@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(["plain", "dotted"]))
def test_no_digit_survives(n, style):
    written = str(n) if style == "plain" else dotted(n)
    out = normalise(f"Xã thu {written} đồng.")
    assert not re.search(r"\d", out), (written, out)
    assert unspeakable(out) == []


@given(st.integers(min_value=0, max_value=10**6))
def test_number_in_a_sentence_reads_like_the_reference(n):
    assert normalise(f"tiếp nhận {dotted(n)} hồ sơ") == f"tiếp nhận {reference(n)} hồ sơ"


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)))
def test_dates_leave_no_digits(day):
    d, m, y = day.day, day.month, day.year
    out = normalise(f"Ngày {d:02d}/{m}/{y} và từ {d}/{m} đến {d}/{m}/{y}")
    assert not re.search(r"\d", out), out
    assert "ngày ngày" not in out.lower()


@given(
    st.integers(min_value=0, max_value=99),
    st.integers(min_value=0, max_value=99),
    st.integers(min_value=1900, max_value=2099),
)
def test_impossible_dates_are_left_written_and_flagged(d, m, y):
    try:
        date(y, m, d)
    except ValueError:
        pass
    else:
        return
    written = f"{d}/{m}/{y}"
    out = normalise(f"Ngày {written} họp")
    assert written in out, out
    assert written in unspeakable(out)


@given(st.integers(min_value=0, max_value=9999), st.integers(min_value=0, max_value=99))
def test_decimals_and_percentages_leave_no_digits(whole, part):
    out = normalise(f"đạt {whole},{part}% và {whole}/{part + 1} điểm")
    assert not re.search(r"\d", out), out
