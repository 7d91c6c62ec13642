"""Speech: Vietnamese text normalisation, the lexicon, synthesis engines and their cache."""
