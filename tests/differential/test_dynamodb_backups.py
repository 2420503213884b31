"""DynamoDB point-in-time recovery settings (Describe/UpdateContinuousBackups): one sequence of
boto3 calls against moto's server and eventsim's gateway, compared by shape or by error code
and HTTP status, and the statuses both answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError  # type: ignore[import-untyped]
from compare import Outcome, assert_agrees, run_steps  # type: ignore[import-not-found]

from eventsim.testing import ThreadedSimulator

Step = tuple[str, Callable[[Any], Any]]


def _status(c: Any, table: str = "orders") -> str:
    answer = c.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    pitr = answer["PointInTimeRecoveryDescription"]
    return f'{answer["ContinuousBackupsStatus"]}/{pitr["PointInTimeRecoveryStatus"]}/' \
           f'{pitr.get("RecoveryPeriodInDays")}'


def _update(c: Any, enabled: bool, **extra: Any) -> Any:
    return c.update_continuous_backups(TableName="orders", PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": enabled, **extra})


STEPS: list[Step] = [
    # CreateTable's answer is compared in test_dynamodb.py; here only that it succeeds.
    ("create_table", lambda c: bool(c.create_table(
        TableName="orders", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}]))),
    ("describe_off", lambda c: c.describe_continuous_backups(TableName="orders")),
    ("status_off", lambda c: {_status(c): True}),
    ("enable", lambda c: _update(c, True)),
    ("status_on", lambda c: {_status(c): True}),
    ("enable_with_period", lambda c: _update(c, True, RecoveryPeriodInDays=7)),
    ("status_seven_days", lambda c: {_status(c): True}),
    ("disable", lambda c: _update(c, False)),
    ("status_off_again", lambda c: {_status(c): True}),
    ("missing_table", lambda c: c.describe_continuous_backups(TableName="nope")),
    ("update_missing_table", lambda c: c.update_continuous_backups(
        TableName="nope", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})),
]


@pytest.fixture(scope="module")
def outcomes(clients: Callable[[str], tuple[Any, Any]]) -> dict[str, tuple[Outcome, Outcome]]:
    return run_steps(*clients("dynamodb"), STEPS)


@pytest.mark.parametrize("step", [pytest.param(name, id=name) for name, _ in STEPS])
def test_eventsim_answers_backup_settings_as_moto_does(
    outcomes: dict[str, tuple[Outcome, Outcome]], step: str,
) -> None:
    assert_agrees(step, *outcomes[step], {})


def test_the_statuses_are_dynamodb_s(outcomes: dict[str, tuple[Outcome, Outcome]]) -> None:
    assert outcomes["status_on"][1] == ("ok", {"ENABLED/ENABLED/35": "bool"})
    assert outcomes["status_seven_days"][1] == ("ok", {"ENABLED/ENABLED/7": "bool"})
    assert outcomes["status_off_again"][1] == ("ok", {"ENABLED/DISABLED/None": "bool"})
    assert outcomes["missing_table"][1] == ("error", ("TableNotFoundException", 400))


def test_a_recovery_period_outside_1_to_35_days_is_refused(
    eventsim_server: ThreadedSimulator,
) -> None:
    c = eventsim_server.client("dynamodb")
    with pytest.raises(ClientError) as raised:
        _update(c, True, RecoveryPeriodInDays=36)
    assert raised.value.response["Error"]["Code"] == "ValidationException"
