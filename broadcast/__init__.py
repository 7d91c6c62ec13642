"""broadcast: a commune radio station's CCHC column, from bulletin text to logged airplay."""

__version__ = "0.1.0"
