"""The resource policy evaluator: principals, actions, SourceArn wildcards, SourceAccount and
Deny, on statements as AddPermission writes them."""

from __future__ import annotations

from typing import Any

from eventsim.services.lambda_.policy import invocation_allowed
from eventsim.services.lambda_.shapes import statement

FUNCTION = "arn:aws:lambda:us-east-1:000000000000:function:f"
BUCKET = "arn:aws:s3:::uploads"


def _allowed(statements: list[dict[str, Any]], principal: str = "s3.amazonaws.com",
             source_arn: str = BUCKET, source_account: str | None = "000000000000") -> bool:
    return invocation_allowed(statements, principal=principal, source_arn=source_arn,
                              source_account=source_account)


def test_no_statement_allows_nothing() -> None:
    assert not _allowed([])


def test_a_service_principal_statement_allows_that_service_only() -> None:
    made = [statement(statement_id="s", action="lambda:InvokeFunction",
                      principal="s3.amazonaws.com", resource=FUNCTION)]
    assert _allowed(made)
    assert not _allowed(made, principal="sns.amazonaws.com")


def test_source_arn_conditions_match_with_wildcards_and_nothing_else() -> None:
    exact = [statement(statement_id="s", action="lambda:InvokeFunction",
                       principal="s3.amazonaws.com", resource=FUNCTION, source_arn=BUCKET)]
    assert _allowed(exact)
    assert not _allowed(exact, source_arn="arn:aws:s3:::other")
    wild = [statement(statement_id="s", action="lambda:InvokeFunction",
                      principal="s3.amazonaws.com", resource=FUNCTION,
                      source_arn="arn:aws:s3:::upl*")]
    assert _allowed(wild)
    assert not _allowed(wild, source_arn="arn:aws:s3:::thumbnails")
    one = [statement(statement_id="s", action="lambda:InvokeFunction",
                     principal="s3.amazonaws.com", resource=FUNCTION,
                     source_arn="arn:aws:s3:::uploads-?")]
    assert _allowed(one, source_arn="arn:aws:s3:::uploads-1")
    assert not _allowed(one, source_arn="arn:aws:s3:::uploads-12")


def test_source_account_must_equal_and_must_be_known() -> None:
    made = [statement(statement_id="s", action="lambda:InvokeFunction",
                      principal="s3.amazonaws.com", resource=FUNCTION,
                      source_account="000000000000")]
    assert _allowed(made)
    assert not _allowed(made, source_account="111111111111")
    assert not _allowed(made, source_account=None)  # a condition on a missing key fails


def test_actions_other_than_invoke_do_not_allow_invoking_but_wildcards_do() -> None:
    for action, allowed in (("lambda:GetFunction", False), ("lambda:*", True),
                            ("lambda:invokefunction", True), ("*", True)):
        made = [statement(statement_id="s", action=action, principal="s3.amazonaws.com",
                          resource=FUNCTION)]
        assert _allowed(made) is allowed, action


def test_a_matching_deny_wins_over_an_allow() -> None:
    allow = statement(statement_id="a", action="lambda:InvokeFunction", principal="*",
                      resource=FUNCTION)
    deny = {**statement(statement_id="d", action="lambda:InvokeFunction",
                        principal="s3.amazonaws.com", resource=FUNCTION, source_arn=BUCKET),
            "Effect": "Deny"}
    assert _allowed([allow])
    assert not _allowed([allow, deny])
    assert _allowed([allow, deny], source_arn="arn:aws:s3:::other")
