"""The same module in a later layer: its files are extracted last, so it wins."""

WORD = "hello from the newer layer"
