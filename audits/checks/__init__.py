"""Checks: pure functions from observed facts, a rule set and the monitoring point to drafts of
findings. No I/O and no ORM here, so each is tested with plain data and any date."""
