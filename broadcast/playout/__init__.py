"""Playout: the runner that turns schedule slots into sound on the zones' sinks and rows in the as-run log.

`runner.Runner` holds the policies (pre-roll, misfire, priority, emergency); `service` wires it to
APScheduler, signals and the local control socket; `sinks/` are the adapters to the world.
"""
