"""pytest plugin (entry point ``pytest11``): fixtures only; the logic is in `eventsim.testing`."""
