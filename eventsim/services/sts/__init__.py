"""AWS STS: who the caller is (the one question handlers ask of it)."""
