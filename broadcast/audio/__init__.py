"""Audio: decoding and encoding through ffmpeg, the jingle, loudness and the programme mix.

Audio inside the package is a float32 mono numpy array in [-1, 1] at the station's sample rate.
"""
