"""Audio: ffmpeg (decode, streamed encode), the jingle, loudness, the programme mix, mastering, the
manifest beside each audio file, the audio_out/ layout, and a person's recordings.

Audio inside the package is a float32 mono numpy array in [-1, 1] at the station's sample rate.
"""
