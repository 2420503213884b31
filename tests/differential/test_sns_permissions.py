"""SNS AddPermission and RemovePermission: one sequence of boto3 calls against moto's server and
eventsim's gateway. Answers must agree in shape or in error code and HTTP status; the policy
steps compare the statements themselves (account-neutral), which both write as SNS does."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from compare import Outcome, assert_agrees, run_steps  # type: ignore[import-not-found]

Step = tuple[str, Callable[[Any], Any]]


def _arn(c: Any) -> str:
    return str(c.create_topic(Name="shared")["TopicArn"])  # idempotent: the topic's ARN


def _statements(c: Any) -> dict[str, bool]:
    """The policy's statements but the default one, as keys (a shape keeps keys)."""
    policy = json.loads(c.get_topic_attributes(TopicArn=_arn(c))["Attributes"]["Policy"])
    return {json.dumps({**s, "Resource": s["Resource"].rsplit(":", 1)[-1]}, sort_keys=True): True
            for s in policy["Statement"] if s["Sid"] != "__default_statement_ID"}


def _add(c: Any, label: str, accounts: list[str], actions: list[str]) -> Any:
    return c.add_permission(TopicArn=_arn(c), Label=label, AWSAccountId=accounts,
                            ActionName=actions)


STEPS: list[Step] = [
    ("create_topic", _arn),
    ("only_the_default", _statements),
    ("add_publish", lambda c: _add(c, "pub", ["111122223333"], ["Publish"])),
    ("add_two", lambda c: _add(c, "sub", ["111122223333", "444455556666"],
                               ["Subscribe", "Receive"])),
    ("statements_written", _statements),
    ("label_twice", lambda c: _add(c, "pub", ["111122223333"], ["Publish"])),
    ("action_out_of_scope", lambda c: _add(c, "x", ["111122223333"], ["CreateTopic"])),
    ("remove_one", lambda c: c.remove_permission(TopicArn=_arn(c), Label="pub")),
    ("one_left", _statements),
    ("remove_unknown", lambda c: c.remove_permission(TopicArn=_arn(c), Label="nope")),
]


@pytest.fixture(scope="module")
def outcomes(clients: Callable[[str], tuple[Any, Any]]) -> dict[str, tuple[Outcome, Outcome]]:
    return run_steps(*clients("sns"), STEPS)


@pytest.mark.parametrize("step", [pytest.param(name, id=name) for name, _ in STEPS])
def test_eventsim_answers_topic_permission_calls_as_moto_does(
    outcomes: dict[str, tuple[Outcome, Outcome]], step: str,
) -> None:
    assert_agrees(step, *outcomes[step], {})


def test_the_statement_left_is_sns_s(outcomes: dict[str, tuple[Outcome, Outcome]]) -> None:
    [one] = [json.loads(k) for k in outcomes["one_left"][1][1]]
    assert one == {"Sid": "sub", "Effect": "Allow", "Resource": "shared",
                   "Action": ["SNS:Subscribe", "SNS:Receive"],
                   "Principal": {"AWS": ["arn:aws:iam::111122223333:root",
                                         "arn:aws:iam::444455556666:root"]}}
