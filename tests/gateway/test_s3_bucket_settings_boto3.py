"""A bucket's settings through boto3 against a running gateway: tags, policy and policy status,
CORS, default encryption, ACLs (disabled, as on every bucket made since April 2023), Object
Ownership and Block Public Access, their round trips, S3's errors, and their going with the
bucket."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from eventsim.services.s3.objects import OWNER

OWNER_ACL = {
    "Owner": OWNER,
    "Grants": [{"Grantee": {"ID": OWNER["ID"], "DisplayName": OWNER["DisplayName"],
                            "Type": "CanonicalUser"},
                "Permission": "FULL_CONTROL"}],
}
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
NOT_A_POLICY = "Policies must be valid JSON and the first byte must be '{'"
SSE_S3 = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
                     "BucketKeyEnabled": False}]}
ALL_BLOCKED = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
               "RestrictPublicBuckets": True}


def _error(call: Callable[[], Any]) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as exc:
        call()
    response = exc.value.response
    return (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"],
            response["Error"]["Message"])


def _status(response: dict[str, Any]) -> int:
    return int(response["ResponseMetadata"]["HTTPStatusCode"])


def _tag_set(*pairs: tuple[str, str]) -> dict[str, Any]:
    return {"TagSet": [{"Key": k, "Value": v} for k, v in pairs]}


def _tags(s3: Any, bucket: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=bucket)["TagSet"]}


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _anyone_may_read(bucket: str) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{bucket}/*"}


def _rule(**fields: Any) -> dict[str, Any]:
    return {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"], **fields}


# -- tags ----------------------------------------------------------------------------------


def test_put_bucket_tagging_replaces_the_tags_and_delete_removes_them(s3: Any,
                                                                     bucket: str) -> None:
    s3.put_bucket_tagging(Bucket=bucket, Tagging=_tag_set(("team", "data"), ("stage", "dev")))
    assert _tags(s3, bucket) == {"team": "data", "stage": "dev"}
    s3.put_bucket_tagging(Bucket=bucket, Tagging=_tag_set(("cost", ""), ("a:aws:b", "ok")))
    assert _tags(s3, bucket) == {"cost": "", "a:aws:b": "ok"}
    assert _status(s3.delete_bucket_tagging(Bucket=bucket)) == 204
    assert _error(lambda: s3.get_bucket_tagging(Bucket=bucket)) == (
        "NoSuchTagSet", 404, "The TagSet does not exist")


def test_a_bucket_without_tags_is_no_such_tag_set(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_tagging(Bucket=bucket)
    assert exc.value.response["Error"] == {
        "Code": "NoSuchTagSet", "Message": "The TagSet does not exist", "BucketName": bucket}


def test_an_empty_tag_set_removes_the_bucket_tags(s3: Any, bucket: str) -> None:
    s3.put_bucket_tagging(Bucket=bucket, Tagging=_tag_set(("a", "1")))
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": []})
    assert _error(lambda: s3.get_bucket_tagging(Bucket=bucket))[0] == "NoSuchTagSet"


def test_a_bucket_takes_fifty_tags(s3: Any, bucket: str) -> None:
    s3.put_bucket_tagging(Bucket=bucket, Tagging=_tag_set(*((f"k{i}", "v") for i in range(50))))
    assert len(_tags(s3, bucket)) == 50


@pytest.mark.parametrize("tag_set, code, message", [
    pytest.param(_tag_set(*((f"k{i}", "v") for i in range(51))), "BadRequest",
                 "Bucket tag count cannot be greater than 50", id="fifty-one-tags"),
    pytest.param(_tag_set(("aws:owner", "me")), "InvalidTag",
                 "System tags cannot be added/updated by requester", id="aws-prefix"),
    pytest.param(_tag_set(("a", "1"), ("a", "2")), "InvalidTag",
                 "Cannot provide multiple Tags with the same key", id="duplicate"),
    pytest.param(_tag_set(("k" * 129, "v")), "InvalidTag",
                 "The TagKey you have provided is too long, max 128", id="long-key"),
    pytest.param(_tag_set(("k", "v" * 257)), "InvalidTag",
                 "The TagValue you have provided is too long, max 256", id="long-value"),
])
def test_bucket_tags_beyond_s3s_limits_are_refused_and_the_old_ones_kept(
    s3: Any, bucket: str, tag_set: dict[str, Any], code: str, message: str,
) -> None:
    s3.put_bucket_tagging(Bucket=bucket, Tagging=_tag_set(("kept", "yes")))
    assert _error(lambda: s3.put_bucket_tagging(Bucket=bucket, Tagging=tag_set)) == (
        code, 400, message)
    assert _tags(s3, bucket) == {"kept": "yes"}


# -- policy --------------------------------------------------------------------------------


def test_put_bucket_policy_keeps_the_text_as_given(s3: Any, bucket: str) -> None:
    text = ('{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Deny", "Principal": "*",'
            f' "Action": "s3:*", "Resource": "arn:aws:s3:::{bucket}/*",'
            ' "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]\n}')
    s3.put_bucket_policy(Bucket=bucket, Policy=text)
    assert s3.get_bucket_policy(Bucket=bucket)["Policy"] == text
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": False}


def test_a_bucket_without_a_policy_is_no_such_bucket_policy(s3: Any, bucket: str) -> None:
    expected = ("NoSuchBucketPolicy", 404, "The bucket policy does not exist")
    assert _error(lambda: s3.get_bucket_policy(Bucket=bucket)) == expected
    assert _error(lambda: s3.get_bucket_policy_status(Bucket=bucket)) == expected


def test_delete_bucket_policy_removes_it(s3: Any, bucket: str) -> None:
    s3.put_bucket_policy(Bucket=bucket,
                         Policy=_policy({**_anyone_may_read(bucket), "Effect": "Deny"}))
    assert _status(s3.delete_bucket_policy(Bucket=bucket)) == 204
    assert _error(lambda: s3.get_bucket_policy(Bucket=bucket))[0] == "NoSuchBucketPolicy"
    assert _status(s3.delete_bucket_policy(Bucket=bucket)) == 204  # none left: still fine


@pytest.mark.parametrize("policy, message", [
    pytest.param("not json", NOT_A_POLICY, id="not-json"),
    pytest.param("[]", NOT_A_POLICY, id="array"),
    pytest.param(" " + _policy(_anyone_may_read("b")), NOT_A_POLICY, id="leading-space"),
    pytest.param('{"Statement": ', NOT_A_POLICY, id="truncated"),
    pytest.param("{}", "Missing required field Statement", id="no-statement"),
    pytest.param('{"Statement": []}', "Could not parse the policy: Statement is empty!",
                 id="empty-statement"),
])
def test_a_policy_that_is_not_a_policy_document_is_malformed_policy(
    s3: Any, bucket: str, policy: str, message: str,
) -> None:
    assert _error(lambda: s3.put_bucket_policy(Bucket=bucket, Policy=policy)) == (
        "MalformedPolicy", 400, message)
    assert _error(lambda: s3.get_bucket_policy(Bucket=bucket))[0] == "NoSuchBucketPolicy"


def test_a_public_policy_is_refused_while_block_public_policy_is_on(s3: Any,
                                                                   bucket: str) -> None:
    public = _policy(_anyone_may_read(bucket))
    assert _error(lambda: s3.put_bucket_policy(Bucket=bucket, Policy=public)) == (
        "AccessDenied", 403,
        "User: arn:aws:iam::000000000000:user/eventsim is not authorized to perform: "
        f's3:PutBucketPolicy on resource: "arn:aws:s3:::{bucket}" because public policies are '
        "blocked by the BlockPublicPolicy block public access setting.")
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        **ALL_BLOCKED, "BlockPublicPolicy": False})
    s3.put_bucket_policy(Bucket=bucket, Policy=public)
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": True}


@pytest.mark.parametrize("change, public", [
    pytest.param({}, True, id="principal-star"),
    pytest.param({"Principal": {"AWS": "*"}}, True, id="aws-star"),
    pytest.param({"Principal": {"AWS": ["*"]}}, True, id="aws-star-list"),
    pytest.param({"Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}, False,
                 id="with-condition"),
    pytest.param({"Effect": "Deny"}, False, id="deny"),
    pytest.param({"Principal": {"AWS": "arn:aws:iam::111122223333:root"}}, False,
                 id="one-account"),
])
def test_a_policy_is_public_when_it_allows_anyone_without_a_condition(
    s3: Any, bucket: str, change: dict[str, Any], public: bool,
) -> None:
    s3.delete_public_access_block(Bucket=bucket)
    statement = {**_anyone_may_read(bucket), **change}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Statement": statement}))
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": public}


# -- CORS ----------------------------------------------------------------------------------


def test_put_bucket_cors_round_trips_and_delete_removes_it(s3: Any, bucket: str) -> None:
    rules = [
        {"ID": "browser-uploads", "AllowedHeaders": ["*"], "AllowedMethods": ["PUT", "POST"],
         "AllowedOrigins": ["https://example.com"], "ExposeHeaders": ["ETag"],
         "MaxAgeSeconds": 3000},
        _rule(),
    ]
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == rules
    assert _status(s3.delete_bucket_cors(Bucket=bucket)) == 204
    assert _error(lambda: s3.get_bucket_cors(Bucket=bucket)) == (
        "NoSuchCORSConfiguration", 404, "The CORS configuration does not exist")


def test_a_cors_rule_with_another_method_is_invalid_request(s3: Any, bucket: str) -> None:
    assert _error(lambda: s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={
        "CORSRules": [_rule(AllowedMethods=["GET", "PATCH"])]})) == (
        "InvalidRequest", 400,
        "Found unsupported HTTP method in CORS config. Unsupported method is PATCH")


def test_a_bucket_takes_a_hundred_cors_rules(s3: Any, bucket: str) -> None:
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [_rule()] * 100})
    assert len(s3.get_bucket_cors(Bucket=bucket)["CORSRules"]) == 100


@pytest.mark.parametrize("rules", [
    pytest.param([], id="no-rules"),
    pytest.param([_rule()] * 101, id="a-hundred-and-one"),
    pytest.param([_rule(AllowedOrigins=[])], id="no-origins"),
    pytest.param([_rule(AllowedMethods=[])], id="no-methods"),
])
def test_a_cors_configuration_s3_cannot_take_is_malformed_xml(
    s3: Any, bucket: str, rules: list[dict[str, Any]],
) -> None:
    assert _error(lambda: s3.put_bucket_cors(
        Bucket=bucket, CORSConfiguration={"CORSRules": rules}))[:2] == ("MalformedXML", 400)
    assert _error(lambda: s3.get_bucket_cors(Bucket=bucket))[0] == "NoSuchCORSConfiguration"


# -- default encryption --------------------------------------------------------------------


def test_a_new_bucket_is_encrypted_with_sse_s3(s3: Any, bucket: str) -> None:
    answer = s3.get_bucket_encryption(Bucket=bucket)
    assert answer["ServerSideEncryptionConfiguration"] == SSE_S3


def test_put_bucket_encryption_round_trips_and_delete_returns_to_sse_s3(s3: Any,
                                                                       bucket: str) -> None:
    rule = {"ApplyServerSideEncryptionByDefault": {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": "arn:aws:kms:us-east-1:000000000000:key/1234"},
        "BucketKeyEnabled": True}
    s3.put_bucket_encryption(Bucket=bucket,
                             ServerSideEncryptionConfiguration={"Rules": [rule]})
    assert s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"] == {
        "Rules": [rule]}
    assert _status(s3.delete_bucket_encryption(Bucket=bucket)) == 204
    assert s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"] == SSE_S3


def test_a_bucket_key_left_out_is_answered_off(s3: Any, bucket: str) -> None:
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms:dsse"}}]})
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"][
        "Rules"][0]
    assert rule == {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms:dsse"},
                    "BucketKeyEnabled": False}


def test_a_kms_key_with_sse_s3_is_invalid_argument(s3: Any, bucket: str) -> None:
    assert _error(lambda: s3.put_bucket_encryption(
        Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256",
                                                    "KMSMasterKeyID": "key"}}]})) == (
        "InvalidArgument", 400, "a KMSMasterKeyID is not applicable if the default sse "
        "algorithm is not aws:kms or aws:kms:dsse")


@pytest.mark.parametrize("rules", [
    pytest.param([{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "DES"}}],
                 id="unknown-algorithm"),
    pytest.param([{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}] * 2,
                 id="two-rules"),
    pytest.param([], id="no-rule"),
    pytest.param([{"BucketKeyEnabled": True}], id="no-default"),
])
def test_an_encryption_configuration_s3_cannot_take_is_malformed_xml(
    s3: Any, bucket: str, rules: list[dict[str, Any]],
) -> None:
    assert _error(lambda: s3.put_bucket_encryption(
        Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": rules}))[:2] == (
        "MalformedXML", 400)
    assert s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"] == SSE_S3


# -- ACLs ----------------------------------------------------------------------------------


def test_the_bucket_and_object_acls_give_the_owner_full_control(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    for answer in (s3.get_bucket_acl(Bucket=bucket), s3.get_object_acl(Bucket=bucket, Key="k")):
        assert {k: v for k, v in answer.items() if k != "ResponseMetadata"} == OWNER_ACL


def test_the_acl_of_a_missing_key_is_no_such_key(s3: Any, bucket: str) -> None:
    assert _error(lambda: s3.get_object_acl(Bucket=bucket, Key="missing"))[:2] == (
        "NoSuchKey", 404)
    assert _error(lambda: s3.put_object_acl(Bucket=bucket, Key="missing", ACL="private"))[
        :2] == ("NoSuchKey", 404)


@pytest.mark.parametrize("acl", ["private", "bucket-owner-full-control"])
def test_an_acl_of_the_owners_full_control_changes_nothing(s3: Any, bucket: str,
                                                           acl: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3.put_bucket_acl(Bucket=bucket, ACL=acl)
    s3.put_object_acl(Bucket=bucket, Key="k", ACL=acl)
    s3.put_bucket_acl(Bucket=bucket, AccessControlPolicy=OWNER_ACL)
    s3.put_object_acl(Bucket=bucket, Key="k", AccessControlPolicy=OWNER_ACL)
    s3.put_bucket_acl(Bucket=bucket, GrantFullControl=f'id="{OWNER["ID"]}"')
    answer = s3.get_object_acl(Bucket=bucket, Key="k")
    assert answer["Grants"] == OWNER_ACL["Grants"]


@pytest.mark.parametrize("given", [
    pytest.param({"ACL": "public-read"}, id="public-read"),
    pytest.param({"ACL": "authenticated-read"}, id="authenticated-read"),
    pytest.param({"GrantRead": f'uri="{ALL_USERS}"'}, id="grant-header"),
    pytest.param({"GrantFullControl": f'id="{OWNER["ID"]}", uri="{ALL_USERS}"'},
                 id="full-control-to-all-users"),
    pytest.param({"AccessControlPolicy": {**OWNER_ACL, "Grants": [
        *OWNER_ACL["Grants"],
        {"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": "READ"}]}},
        id="xml-granting-all-users"),
])
def test_an_acl_granting_more_is_access_control_list_not_supported(
    s3: Any, bucket: str, given: dict[str, Any],
) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    expected = ("AccessControlListNotSupported", 400, "The bucket does not allow ACLs")
    assert _error(lambda: s3.put_bucket_acl(Bucket=bucket, **given)) == expected
    assert _error(lambda: s3.put_object_acl(Bucket=bucket, Key="k", **given)) == expected


def test_an_unknown_canned_acl_is_invalid_argument(s3: Any, bucket: str) -> None:
    assert _error(lambda: s3.put_bucket_acl(Bucket=bucket, ACL="everyone"))[:2] == (
        "InvalidArgument", 400)


# -- Object Ownership ----------------------------------------------------------------------


def test_a_bucket_is_owner_enforced_and_stays_so(s3: Any, bucket: str) -> None:
    enforced = {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    assert s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"] == enforced
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls=enforced)
    assert s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"] == enforced


@pytest.mark.parametrize("ownership", ["BucketOwnerPreferred", "ObjectWriter"])
def test_ownership_that_would_enable_acls_is_not_implemented(s3: Any, bucket: str,
                                                             ownership: str) -> None:
    code, status, message = _error(lambda: s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": ownership}]}))
    assert (code, status) == ("NotImplemented", 501)
    assert ownership in message
    code, status, _ = _error(lambda: s3.delete_bucket_ownership_controls(Bucket=bucket))
    assert (code, status) == ("NotImplemented", 501)


def test_an_unknown_object_ownership_is_malformed_xml(s3: Any, bucket: str) -> None:
    assert _error(lambda: s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "Nobody"}]}))[:2] == (
        "MalformedXML", 400)


# -- Block Public Access -------------------------------------------------------------------


def test_a_new_bucket_blocks_all_public_access(s3: Any, bucket: str) -> None:
    answer = s3.get_public_access_block(Bucket=bucket)
    assert answer["PublicAccessBlockConfiguration"] == ALL_BLOCKED


def test_put_public_access_block_turns_off_what_it_leaves_out(s3: Any, bucket: str) -> None:
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "RestrictPublicBuckets": False})
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "IgnorePublicAcls": False, "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False}


def test_after_delete_public_access_block_there_is_none(s3: Any, bucket: str) -> None:
    assert _status(s3.delete_public_access_block(Bucket=bucket)) == 204
    assert _error(lambda: s3.get_public_access_block(Bucket=bucket)) == (
        "NoSuchPublicAccessBlockConfiguration", 404,
        "The public access block configuration was not found")
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=ALL_BLOCKED)
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == \
        ALL_BLOCKED


def test_an_empty_public_access_block_is_invalid_request(s3: Any, bucket: str) -> None:
    assert _error(lambda: s3.put_public_access_block(
        Bucket=bucket, PublicAccessBlockConfiguration={})) == (
        "InvalidRequest", 400, "Must specify at least one configuration.")


# -- the bucket ----------------------------------------------------------------------------


@pytest.mark.parametrize("call", [
    pytest.param(lambda s3: s3.get_bucket_tagging(Bucket="no-such-bucket"), id="tagging"),
    pytest.param(lambda s3: s3.put_bucket_tagging(Bucket="no-such-bucket",
                                                  Tagging=_tag_set(("a", "1"))),
                 id="put-tagging"),
    pytest.param(lambda s3: s3.delete_bucket_tagging(Bucket="no-such-bucket"),
                 id="delete-tagging"),
    pytest.param(lambda s3: s3.put_bucket_policy(
        Bucket="no-such-bucket", Policy=_policy(_anyone_may_read("no-such-bucket"))),
                 id="put-policy"),
    pytest.param(lambda s3: s3.get_bucket_policy_status(Bucket="no-such-bucket"),
                 id="policy-status"),
    pytest.param(lambda s3: s3.put_bucket_cors(Bucket="no-such-bucket",
                                               CORSConfiguration={"CORSRules": [_rule()]}),
                 id="put-cors"),
    pytest.param(lambda s3: s3.get_bucket_encryption(Bucket="no-such-bucket"), id="encryption"),
    pytest.param(lambda s3: s3.get_bucket_acl(Bucket="no-such-bucket"), id="acl"),
    pytest.param(lambda s3: s3.put_bucket_acl(Bucket="no-such-bucket", ACL="private"),
                 id="put-acl"),
    pytest.param(lambda s3: s3.get_object_acl(Bucket="no-such-bucket", Key="k"),
                 id="object-acl"),
    pytest.param(lambda s3: s3.get_bucket_ownership_controls(Bucket="no-such-bucket"),
                 id="ownership"),
    pytest.param(lambda s3: s3.get_public_access_block(Bucket="no-such-bucket"),
                 id="public-access-block"),
    pytest.param(lambda s3: s3.delete_public_access_block(Bucket="no-such-bucket"),
                 id="delete-public-access-block"),
])
def test_the_settings_of_a_missing_bucket_are_no_such_bucket(
    s3: Any, call: Callable[[Any], Any],
) -> None:
    assert _error(lambda: call(s3)) == ("NoSuchBucket", 404,
                                        "The specified bucket does not exist")


def test_deleting_a_bucket_drops_its_settings(s3: Any, bucket: str) -> None:
    s3.put_bucket_tagging(Bucket=bucket, Tagging=_tag_set(("a", "1")))
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [_rule()]})
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=_policy(_anyone_may_read(bucket)))
    s3.delete_bucket(Bucket=bucket)
    s3.create_bucket(Bucket=bucket)
    assert _error(lambda: s3.get_bucket_tagging(Bucket=bucket))[0] == "NoSuchTagSet"
    assert _error(lambda: s3.get_bucket_cors(Bucket=bucket))[0] == "NoSuchCORSConfiguration"
    assert _error(lambda: s3.get_bucket_policy(Bucket=bucket))[0] == "NoSuchBucketPolicy"
    assert s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"] == SSE_S3
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == \
        ALL_BLOCKED
