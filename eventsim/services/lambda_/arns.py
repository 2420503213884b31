"""Function names and ARNs, with or without a qualifier (a version number, ``$LATEST`` or an
alias name)."""

from __future__ import annotations

import functools

__all__ = ["function_name_from_arn", "function_ref", "split_ref"]


@functools.lru_cache(maxsize=4096)
def split_ref(name_or_arn: str) -> tuple[str, str | None]:
    """``NAME``, ``NAME:QUALIFIER``, ``ACCOUNT:function:NAME[:QUALIFIER]`` or a full ARN ->
    (NAME, QUALIFIER or None). Remembered: the engine asks it of the same few names at every
    event (the permission check, the invoke queue)."""
    parts = name_or_arn.split(":")
    if name_or_arn.startswith("arn:") and len(parts) >= 7 and parts[5] == "function":
        return parts[6], (parts[7] if len(parts) > 7 and parts[7] else None)
    if len(parts) >= 3 and parts[1] == "function":
        return parts[2], (parts[3] if len(parts) > 3 and parts[3] else None)
    return parts[0], (parts[1] if len(parts) > 1 and parts[1] else None)


def function_name_from_arn(name_or_arn: str) -> str:
    """``arn:aws:lambda:r:a:function:NAME[:qualifier]`` or ``NAME`` -> NAME."""
    return split_ref(name_or_arn)[0]


def function_ref(name_or_arn: str) -> str:
    """A function ARN or name -> ``NAME`` or ``NAME:QUALIFIER``: how the engine's queues name
    what to invoke, so that a target ARN with a qualifier invokes that version or alias."""
    name, qualifier = split_ref(name_or_arn)
    return name if qualifier is None else f"{name}:{qualifier}"
