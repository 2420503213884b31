"""S3 object tags: one sequence of boto3 calls against moto's server and eventsim's gateway.

Each step's answers must agree in shape (keys and value types) or in error code and HTTP
status. Steps that read tags answer them as the keys of a mapping (``{"key=value": True}``):
a shape keeps keys, so the two servers must agree on the tags themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from compare import Outcome, assert_agrees, run_steps  # type: ignore[import-not-found]

BUCKET = "tagging-differential"


def _tags(c: Any, key: str) -> dict[str, bool]:
    return {f'{t["Key"]}={t["Value"]}': True
            for t in c.get_object_tagging(Bucket=BUCKET, Key=key)["TagSet"]}


def _copy(c: Any, key: str, **kwargs: Any) -> None:
    c.copy_object(Bucket=BUCKET, Key=key, CopySource=f"{BUCKET}/k", **kwargs)


def _set(c: Any, key: str, *pairs: tuple[str, str]) -> Any:
    return c.put_object_tagging(Bucket=BUCKET, Key=key, Tagging={
        "TagSet": [{"Key": k, "Value": v} for k, v in pairs]})


STEPS: list[tuple[str, Callable[[Any], Any]]] = [
    ("create_bucket", lambda c: c.create_bucket(Bucket=BUCKET)),
    ("put_with_tagging", lambda c: c.put_object(Bucket=BUCKET, Key="k", Body=b"x",
                                                Tagging="a=1&b=two%20words")),
    ("tags_from_the_put", lambda c: _tags(c, "k")),
    ("tag_count", lambda c: c.get_object(Bucket=BUCKET, Key="k")["TagCount"]),
    ("put_tagging", lambda c: _set(c, "k", ("c", "3"))),
    ("tags_replaced", lambda c: _tags(c, "k")),
    ("eleven_tags", lambda c: _set(c, "k", *((f"k{i}", "v") for i in range(11)))),
    ("aws_prefix", lambda c: _set(c, "k", ("aws:x", "v"))),
    ("tags_kept_after_refusals", lambda c: _tags(c, "k")),
    # The copies answer nothing here: their CopyObjectResult is not what this file compares
    # (moto adds the source's checksum to it, which eventsim does not store).
    ("copy_keeps_tags", lambda c: _copy(c, "copy")),
    ("copied_tags", lambda c: _tags(c, "copy")),
    ("copy_replacing_tags", lambda c: _copy(c, "replaced", TaggingDirective="REPLACE",
                                            Tagging="z=9")),
    ("replaced_tags", lambda c: _tags(c, "replaced")),
    ("overwrite", lambda c: c.put_object(Bucket=BUCKET, Key="copy", Body=b"new")),
    ("overwrite_drops_tags", lambda c: _tags(c, "copy")),
    ("delete_tagging", lambda c: c.delete_object_tagging(Bucket=BUCKET, Key="k")),
    ("tags_deleted", lambda c: _tags(c, "k")),
    ("get_tagging_missing_key", lambda c: _tags(c, "missing")),
    ("put_tagging_missing_key", lambda c: _set(c, "missing", ("a", "1"))),
    # Last: moto takes duplicate keys (the last wins), which would change what later steps see.
    ("duplicate_key", lambda c: _set(c, "k", ("a", "1"), ("a", "2"))),
]

MOTO_IS_WRONG = {
    "duplicate_key": (
        "S3 refuses a TagSet that names a key twice: InvalidTag, 'Cannot provide multiple Tags "
        "with the same key' (moto's own DuplicateTagKeys says so); moto keeps the last",
        lambda got: got == ("error", ("InvalidTag", 400)),
    ),
}


@pytest.fixture(scope="module")
def outcomes(clients: Callable[[str], tuple[Any, Any]]) -> dict[str, tuple[Outcome, Outcome]]:
    """Every step run in order against moto and eventsim: name -> (moto's, eventsim's)."""
    moto, ours = clients("s3")
    return run_steps(moto, ours, STEPS)


@pytest.mark.parametrize("step", [pytest.param(name, id=name) for name, _ in STEPS])
def test_eventsim_answers_tagging_calls_as_moto_does(
    outcomes: dict[str, tuple[Outcome, Outcome]], step: str,
) -> None:
    assert_agrees(step, *outcomes[step], MOTO_IS_WRONG)

