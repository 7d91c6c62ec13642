"""The rules in priority order: an earlier rule claims its span first, and no later rule touches it.

So the editor's override beats everything, document numbers are read before the lexicon could expand
their issuer code, phone numbers before plain numbers, dates before fractions, and so on.
"""

from __future__ import annotations

from broadcast.speech.normalise import dates, documents, phones, places, quantities, roman, text, web
from broadcast.speech.normalise.base import Rule

RULES: list[Rule] = [
    text.OVERRIDE,
    text.UNCLOSED_OVERRIDE,
    text.END_MARK,
    roman.HEADING,
    text.MARKUP,
    web.EMAIL,
    web.WEBSITE,
    web.CODE,
    documents.DOCUMENT_NUMBER,
    documents.DOCUMENT_YEAR_ONLY,
    places.ROAD,
    places.DISTRICT,
    roman.SECTION,
    dates.WEEKDAYS,
    text.LEXICON,
    phones.PHONE,
    phones.TOLL_FREE,
    phones.SHORT_PHONE,
    dates.DAY_LIST,
    dates.DATE_RANGE,
    dates.DATE,
    dates.QUARTER,
    dates.MONTH_YEAR,
    dates.DAY_MONTH,
    quantities.SCORE,
    dates.CLOCK,
    quantities.MAP_SCALE,
    dates.TIME,
    quantities.PERCENT,
    quantities.PERCENT_AFTER_OVERRIDE,
    quantities.FRACTION,
    quantities.ORDINAL,
    roman.AFTER_WORD,
    dates.MONTH,
    quantities.UNIT,
    quantities.MINUS,
    quantities.MINUS_SIGN,
    quantities.RANGE,
    roman.RANGE,
    quantities.SLASH,
    text.AND,
    text.SYMBOL,
    quantities.ARITHMETIC,
    quantities.SHORT_SCALE,
    quantities.NUMBER,
    text.ELLIPSIS,
    text.PAUSE,
    text.HYPHEN,
    text.STRAY_MARK,
]
