"""SQLite storage. Knows SQL and nothing of AWS."""

from eventsim.store.database import Database, Unit

__all__ = ["Database", "Unit"]
