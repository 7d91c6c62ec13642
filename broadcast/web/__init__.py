"""The editor's console: a Vietnamese web front end over broadcast.app (`broadcast web`)."""
