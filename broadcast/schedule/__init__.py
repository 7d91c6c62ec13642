"""The station's schedule (schedule.yaml) and the pure decisions made from it — data in, data out: the
current time is always an argument, nothing here plays, builds or writes.

`model` (the file's types), `validation` (load_schedule: every problem at once), `slots` (the calendar:
skips, turns), `planning` (a slot's programme under the caps), `misfire` (on time, late, missed).
"""
