"""Runtime clients eventsim ships for process execution environments (run as scripts)."""
