"""Function names and ARNs."""

from __future__ import annotations

__all__ = ["function_name_from_arn"]


def function_name_from_arn(name_or_arn: str) -> str:
    """``arn:aws:lambda:r:a:function:NAME[:qualifier]`` or ``NAME`` -> NAME."""
    if name_or_arn.startswith("arn:"):
        parts = name_or_arn.split(":")
        if len(parts) >= 7 and parts[5] == "function":
            return parts[6]
    return name_or_arn.split(":")[0]
