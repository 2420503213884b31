"""SQS AddPermission and RemovePermission: one sequence of boto3 calls against moto's server and
eventsim's gateway. Each step's answers must agree in shape or in error code and HTTP status;
the policy steps compare the statements themselves (ARNs made account-neutral), which both
servers write as SQS does."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from compare import Outcome, assert_agrees, run_steps  # type: ignore[import-not-found]

Step = tuple[str, Callable[[Any], Any]]


def _url(c: Any) -> str:
    return str(c.get_queue_url(QueueName="shared")["QueueUrl"])


def _add(c: Any, label: str, accounts: list[str], actions: list[str]) -> Any:
    return c.add_permission(QueueUrl=_url(c), Label=label, AWSAccountIds=accounts,
                            Actions=actions)


def _statements(c: Any) -> dict[str, bool]:
    """The policy's statements, as keys (a shape keeps keys: both must write the same)."""
    attributes = c.get_queue_attributes(QueueUrl=_url(c), AttributeNames=["Policy"])
    text = attributes.get("Attributes", {}).get("Policy")
    if text is None:
        return {"no policy": True}
    found = {}
    for statement in json.loads(text)["Statement"]:
        resource = statement["Resource"].rsplit(":", 1)[-1]
        found[json.dumps({**statement, "Resource": resource}, sort_keys=True)] = True
    return found


STEPS: list[Step] = [
    ("create_queue", lambda c: c.create_queue(QueueName="shared")),
    ("no_policy_yet", _statements),
    ("add_one", lambda c: _add(c, "send", ["111122223333"], ["SendMessage"])),
    ("add_two_accounts_two_actions", lambda c: _add(
        c, "read", ["111122223333", "444455556666"], ["ReceiveMessage", "DeleteMessage"])),
    ("statements_written", _statements),
    ("label_twice", lambda c: _add(c, "send", ["111122223333"], ["SendMessage"])),
    ("owner_only_action", lambda c: _add(c, "x", ["111122223333"], ["CreateQueue"])),
    ("too_many_actions", lambda c: _add(c, "y", ["111122223333"], ["SendMessage"] * 8)),
    ("no_accounts", lambda c: _add(c, "z", [], ["SendMessage"])),
    ("remove_one", lambda c: c.remove_permission(QueueUrl=_url(c), Label="send")),
    ("one_left", _statements),
    ("remove_unknown", lambda c: c.remove_permission(QueueUrl=_url(c), Label="nope")),
]


@pytest.fixture(scope="module")
def outcomes(clients: Callable[[str], tuple[Any, Any]]) -> dict[str, tuple[Outcome, Outcome]]:
    return run_steps(*clients("sqs"), STEPS)


@pytest.mark.parametrize("step", [pytest.param(name, id=name) for name, _ in STEPS])
def test_eventsim_answers_permission_calls_as_moto_does(
    outcomes: dict[str, tuple[Outcome, Outcome]], step: str,
) -> None:
    assert_agrees(step, *outcomes[step], {})


def test_the_statements_are_sqs_s(outcomes: dict[str, tuple[Outcome, Outcome]]) -> None:
    _, ours = outcomes["statements_written"]
    assert ours[0] == "ok" and len(ours[1]) == 2
    [one] = [json.loads(k) for k in outcomes["one_left"][1][1]]
    assert one == {"Sid": "read", "Effect": "Allow", "Resource": "shared",
                   "Action": ["SQS:ReceiveMessage", "SQS:DeleteMessage"],
                   "Principal": {"AWS": ["arn:aws:iam::111122223333:root",
                                         "arn:aws:iam::444455556666:root"]}}
