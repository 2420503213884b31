"""S3 bucket settings: one sequence of boto3 calls against moto's server and eventsim's gateway.

Tags, policy and policy status, CORS, default encryption, ACLs, Object Ownership and Block
Public Access of one bucket, then the bucket deleted and made again. Each step's answers must
agree in shape (keys and value types) or in error code and HTTP status. Steps that read a
setting answer the names of the facts that hold about it (`_facts`), or its entries, as the
keys of a mapping: a shape keeps keys, so the two servers must agree on the values too.

moto's buckets are the buckets of before 2023: no default encryption, no Block Public Access
and no Object Ownership, ACLs on. Since January 2023 every bucket is encrypted with SSE-S3,
and since April 2023 a new bucket blocks all public access and has ACLs disabled; eventsim is
held to that (MOTO_IS_WRONG, with the AWS page that says so), as it is where moto takes what
S3 refuses.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from compare import Outcome, assert_agrees, run_steps  # type: ignore[import-not-found]

BUCKET = "bucket-settings-differential"
BLOCKS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
PUBLIC_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
    "Resource": f"arn:aws:s3:::{BUCKET}/*"}]})
ONE_ACCOUNT_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
    "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{BUCKET}/*"}]})
CORS_RULES = [
    {"ID": "uploads", "AllowedHeaders": ["*"], "AllowedMethods": ["PUT", "POST"],
     "AllowedOrigins": ["https://example.com"], "ExposeHeaders": ["ETag"],
     "MaxAgeSeconds": 3000},
    {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]},
]
KMS_RULE = {"ApplyServerSideEncryptionByDefault": {
    "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "arn:aws:kms:us-east-1:000000000000:key/k1"},
    "BucketKeyEnabled": True}
SSE_S3_RULE = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
               "BucketKeyEnabled": False}

_GUIDE = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/"
_API = "https://docs.aws.amazon.com/AmazonS3/latest/API/"


def _facts(**checks: bool) -> dict[str, Any]:
    """The names of the checks that hold (their answer's shape keeps the names only)."""
    return {name: {} for name, holds in checks.items() if holds}


def _answered_204(response: dict[str, Any]) -> dict[str, Any]:
    return _facts(answered_204=response["ResponseMetadata"]["HTTPStatusCode"] == 204)


def _tags(c: Any) -> dict[str, Any]:
    return {f'{t["Key"]}={t["Value"]}': {} for t in c.get_bucket_tagging(Bucket=BUCKET)["TagSet"]}


def _set_tags(c: Any, *pairs: tuple[str, str]) -> Any:
    return c.put_bucket_tagging(Bucket=BUCKET, Tagging={
        "TagSet": [{"Key": k, "Value": v} for k, v in pairs]})


def _blocks(c: Any) -> dict[str, Any]:
    """The Block Public Access settings that are on."""
    given = c.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]
    return {name: {} for name in BLOCKS if given.get(name)}


def _policy_status(c: Any) -> dict[str, Any]:
    return _facts(public=c.get_bucket_policy_status(Bucket=BUCKET)["PolicyStatus"]["IsPublic"])


def _encryption(c: Any) -> dict[str, Any]:
    rules = c.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"]
    return _facts(one_rule=len(rules) == 1, sse_s3=rules == [SSE_S3_RULE],
                  kms_as_put=rules == [KMS_RULE])


def _put_encryption(c: Any, default: dict[str, Any]) -> Any:
    return c.put_bucket_encryption(Bucket=BUCKET, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": default}]})


def _owner_full_control(answer: dict[str, Any]) -> dict[str, Any]:
    owner = answer["Owner"]["ID"]
    return _facts(owner_has_full_control=any(
        g["Grantee"].get("Type") == "CanonicalUser" and g["Grantee"].get("ID") == owner
        and g["Permission"] == "FULL_CONTROL" for g in answer["Grants"]))


def _ownership(c: Any) -> dict[str, Any]:
    rules = c.get_bucket_ownership_controls(Bucket=BUCKET)["OwnershipControls"]["Rules"]
    return {rule["ObjectOwnership"]: {} for rule in rules}


STEPS: list[tuple[str, Callable[[Any], Any]]] = [
    ("create_bucket", lambda c: c.create_bucket(Bucket=BUCKET)),
    # -- tags
    ("get_tagging_none", _tags),
    ("put_tagging", lambda c: _set_tags(c, ("team", "data"), ("cost", "centre"))),
    ("tags", _tags),
    ("put_tagging_aws_prefix", lambda c: _set_tags(c, ("aws:owner", "me"))),
    ("put_tagging_duplicate_key", lambda c: _set_tags(c, ("a", "1"), ("a", "2"))),
    ("tags_kept_after_refusals", _tags),
    ("put_tagging_empty", lambda c: _set_tags(c)),
    ("get_tagging_after_empty", _tags),
    ("put_tagging_again", lambda c: _set_tags(c, ("a", "1"))),
    ("delete_tagging", lambda c: _answered_204(c.delete_bucket_tagging(Bucket=BUCKET))),
    ("get_tagging_after_delete", _tags),
    # moto takes 51 tags: the delete after it leaves both servers without tags again.
    ("put_fifty_one_tags", lambda c: _set_tags(c, *((f"k{i}", "v") for i in range(51)))),
    ("delete_tagging_after_fifty_one", lambda c: c.delete_bucket_tagging(Bucket=BUCKET)),
    # -- policy and Block Public Access
    ("get_policy_none", lambda c: c.get_bucket_policy(Bucket=BUCKET)),
    ("get_policy_status_none", _policy_status),
    ("public_access_block_of_a_new_bucket", _blocks),
    ("put_public_policy_while_blocked", lambda c: c.put_bucket_policy(
        Bucket=BUCKET, Policy=PUBLIC_POLICY)),
    ("delete_public_access_block", lambda c: _answered_204(
        c.delete_public_access_block(Bucket=BUCKET))),
    ("get_public_access_block_after_delete", _blocks),
    ("put_policy_not_json", lambda c: c.put_bucket_policy(Bucket=BUCKET, Policy="not json")),
    ("put_policy_without_statement", lambda c: c.put_bucket_policy(Bucket=BUCKET, Policy="{}")),
    ("put_one_account_policy", lambda c: c.put_bucket_policy(Bucket=BUCKET,
                                                             Policy=ONE_ACCOUNT_POLICY)),
    ("one_account_policy_status", _policy_status),
    ("put_public_policy", lambda c: c.put_bucket_policy(Bucket=BUCKET, Policy=PUBLIC_POLICY)),
    ("public_policy_status", _policy_status),
    ("policy_text_kept", lambda c: _facts(
        as_put=c.get_bucket_policy(Bucket=BUCKET)["Policy"] == PUBLIC_POLICY)),
    ("delete_policy", lambda c: _answered_204(c.delete_bucket_policy(Bucket=BUCKET))),
    ("get_policy_after_delete", lambda c: c.get_bucket_policy(Bucket=BUCKET)),
    ("put_public_access_block", lambda c: c.put_public_access_block(
        Bucket=BUCKET, PublicAccessBlockConfiguration={"BlockPublicAcls": True,
                                                       "RestrictPublicBuckets": False})),
    ("public_access_block_as_put", _blocks),
    ("put_public_access_block_empty", lambda c: c.put_public_access_block(
        Bucket=BUCKET, PublicAccessBlockConfiguration={})),
    # -- CORS
    ("get_cors_none", lambda c: c.get_bucket_cors(Bucket=BUCKET)),
    # Refusals first: moto drops a bucket's configuration when it refuses a new one.
    ("put_cors_unsupported_method", lambda c: c.put_bucket_cors(
        Bucket=BUCKET, CORSConfiguration={"CORSRules": [
            {"AllowedMethods": ["PATCH"], "AllowedOrigins": ["*"]}]})),
    ("put_cors_a_hundred_and_one_rules", lambda c: c.put_bucket_cors(
        Bucket=BUCKET, CORSConfiguration={"CORSRules": [CORS_RULES[1]] * 101})),
    ("get_cors_after_refusals", lambda c: c.get_bucket_cors(Bucket=BUCKET)),
    ("put_cors", lambda c: c.put_bucket_cors(Bucket=BUCKET,
                                             CORSConfiguration={"CORSRules": CORS_RULES})),
    ("cors_rules", lambda c: _facts(
        as_put=c.get_bucket_cors(Bucket=BUCKET)["CORSRules"] == CORS_RULES)),
    ("delete_cors", lambda c: _answered_204(c.delete_bucket_cors(Bucket=BUCKET))),
    ("get_cors_after_delete", lambda c: c.get_bucket_cors(Bucket=BUCKET)),
    # -- default encryption
    ("encryption_of_a_new_bucket", _encryption),
    ("put_encryption_kms", lambda c: c.put_bucket_encryption(
        Bucket=BUCKET, ServerSideEncryptionConfiguration={"Rules": [KMS_RULE]})),
    ("encryption_as_put", _encryption),
    # moto takes both of these; the put after them gives both servers the same rule again.
    ("put_encryption_unknown_algorithm", lambda c: _put_encryption(c, {"SSEAlgorithm": "DES"})),
    ("put_encryption_sse_s3_with_a_kms_key", lambda c: _put_encryption(
        c, {"SSEAlgorithm": "AES256", "KMSMasterKeyID": "k1"})),
    ("put_encryption_kms_again", lambda c: c.put_bucket_encryption(
        Bucket=BUCKET, ServerSideEncryptionConfiguration={"Rules": [KMS_RULE]})),
    ("encryption_as_put_again", _encryption),
    ("delete_encryption", lambda c: _answered_204(c.delete_bucket_encryption(Bucket=BUCKET))),
    ("encryption_after_delete", _encryption),
    # -- ACLs
    ("get_bucket_acl", lambda c: _owner_full_control(c.get_bucket_acl(Bucket=BUCKET))),
    ("put_bucket_acl_private", lambda c: c.put_bucket_acl(Bucket=BUCKET, ACL="private")),
    ("put_object", lambda c: c.put_object(Bucket=BUCKET, Key="k", Body=b"x") and None),
    ("get_object_acl", lambda c: _owner_full_control(c.get_object_acl(Bucket=BUCKET, Key="k"))),
    ("get_object_acl_missing_key", lambda c: c.get_object_acl(Bucket=BUCKET, Key="missing")),
    ("put_object_acl_owner_full_control", lambda c: c.put_object_acl(
        Bucket=BUCKET, Key="k", ACL="bucket-owner-full-control")),
    ("put_object_acl_missing_key", lambda c: c.put_object_acl(Bucket=BUCKET, Key="missing",
                                                              ACL="private")),
    ("put_bucket_acl_public_read", lambda c: c.put_bucket_acl(Bucket=BUCKET,
                                                              ACL="public-read")),
    ("put_object_acl_public_read", lambda c: c.put_object_acl(Bucket=BUCKET, Key="k",
                                                              ACL="public-read")),
    ("put_object_acl_grant_to_all_users", lambda c: c.put_object_acl(
        Bucket=BUCKET, Key="k", GrantRead=f'uri="{ALL_USERS}"')),
    # -- Object Ownership
    ("ownership_of_a_new_bucket", _ownership),
    ("put_ownership_enforced", lambda c: c.put_bucket_ownership_controls(
        Bucket=BUCKET, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})),
    ("ownership_as_put", _ownership),
    # -- the bucket deleted with its settings, and made again
    ("put_tagging_before_delete", lambda c: _set_tags(c, ("a", "1"))),
    ("put_cors_before_delete", lambda c: c.put_bucket_cors(
        Bucket=BUCKET, CORSConfiguration={"CORSRules": CORS_RULES})),
    ("delete_object", lambda c: c.delete_object(Bucket=BUCKET, Key="k")),
    ("delete_bucket", lambda c: _answered_204(c.delete_bucket(Bucket=BUCKET))),
    ("get_tagging_missing_bucket", _tags),
    ("get_cors_missing_bucket", lambda c: c.get_bucket_cors(Bucket=BUCKET)),
    ("get_acl_missing_bucket", lambda c: c.get_bucket_acl(Bucket=BUCKET)),
    ("recreate_bucket", lambda c: c.create_bucket(Bucket=BUCKET)),
    ("get_tagging_after_recreate", _tags),
    ("get_cors_after_recreate", lambda c: c.get_bucket_cors(Bucket=BUCKET)),
]


def _ok(facts: dict[str, Any]) -> Callable[[Outcome], bool]:
    return lambda got: got == ("ok", facts)


def _error(code: str, status: int) -> Callable[[Outcome], bool]:
    return lambda got: got == ("error", (code, status))


_ACLS_OFF = (f"a bucket with ACLs disabled (Object Ownership BucketOwnerEnforced, the default "
             f"since April 2023) refuses an ACL granting access with "
             f"AccessControlListNotSupported ({_GUIDE}object-ownership-error-responses.html); "
             "moto's buckets have ACLs on")

MOTO_IS_WRONG: dict[str, tuple[str, Callable[[Outcome], bool]]] = {
    "put_fifty_one_tags": (
        f"a bucket has at most 50 tags ({_GUIDE}CostAllocTagging.html); S3 answers BadRequest "
        "'Bucket tag count cannot be greater than 50'; moto takes 51",
        _error("BadRequest", 400),
    ),
    "public_access_block_of_a_new_bucket": (
        "new buckets have all four Block Public Access settings on since April 2023 "
        f"({_GUIDE}access-control-block-public-access.html); moto's have none",
        _ok({name: {} for name in BLOCKS}),
    ),
    "put_public_policy_while_blocked": (
        "BlockPublicPolicy 'causes Amazon S3 to reject calls to PUT Bucket policy if the "
        f"specified bucket policy allows public access' ({_API}"
        "API_PublicAccessBlockConfiguration.html), with AccessDenied; moto's new bucket blocks "
        "nothing",
        _error("AccessDenied", 403),
    ),
    "put_policy_not_json": (
        f"the policy is 'a JSON document' ({_API}API_PutBucketPolicy.html); S3 refuses other "
        "text with MalformedPolicy, 'Policies must be valid JSON and the first byte must be "
        "'{'' (as S3 answered in https://github.com/aws/aws-cli/issues/2779); moto stores it",
        _error("MalformedPolicy", 400),
    ),
    "put_policy_without_statement": (
        "a policy's Statement element 'is required' (https://docs.aws.amazon.com/IAM/latest/"
        "UserGuide/reference_policies_elements_statement.html); S3 answers MalformedPolicy, "
        "'Missing required field Statement'; moto stores the policy",
        _error("MalformedPolicy", 400),
    ),
    "encryption_of_a_new_bucket": (
        "every bucket is encrypted with SSE-S3 since January 2023 and GetBucketEncryption "
        f"says so ({_GUIDE}default-bucket-encryption.html); moto answers "
        "ServerSideEncryptionConfigurationNotFoundError",
        _ok({"one_rule": {}, "sse_s3": {}}),
    ),
    "put_encryption_unknown_algorithm": (
        "SSEAlgorithm is AES256, aws:kms or aws:kms:dsse for a general purpose bucket "
        f"({_API}API_ServerSideEncryptionByDefault.html); S3 answers MalformedXML; moto "
        "stores 'DES'",
        _error("MalformedXML", 400),
    ),
    "put_encryption_sse_s3_with_a_kms_key": (
        "KMSMasterKeyID 'is allowed if and only if SSEAlgorithm is set to aws:kms or "
        f"aws:kms:dsse' ({_API}API_ServerSideEncryptionByDefault.html); S3 answers "
        "InvalidArgument; moto stores it",
        _error("InvalidArgument", 400),
    ),
    "encryption_after_delete": (
        "DeleteBucketEncryption 'resets the default encryption for the bucket as server-side "
        f"encryption with Amazon S3 managed keys (SSE-S3)' ({_API}"
        "API_DeleteBucketEncryption.html); moto answers "
        "ServerSideEncryptionConfigurationNotFoundError",
        _ok({"one_rule": {}, "sse_s3": {}}),
    ),
    "put_bucket_acl_public_read": (_ACLS_OFF, _error("AccessControlListNotSupported", 400)),
    "put_object_acl_public_read": (_ACLS_OFF, _error("AccessControlListNotSupported", 400)),
    "put_object_acl_grant_to_all_users": (_ACLS_OFF,
                                          _error("AccessControlListNotSupported", 400)),
    "get_tagging_after_recreate": (
        "a new bucket has no tags: GetBucketTagging answers NoSuchTagSet, 'There is no tag set "
        f"associated with the bucket' ({_API}API_GetBucketTagging.html); moto keeps a deleted "
        "bucket's tags under its ARN and gives them to the next bucket of that name",
        _error("NoSuchTagSet", 404),
    ),
    "ownership_of_a_new_bucket": (
        "Object Ownership is BucketOwnerEnforced for new buckets since April 2023 "
        f"({_GUIDE}about-object-ownership.html); moto answers OwnershipControlsNotFoundError",
        _ok({"BucketOwnerEnforced": {}}),
    ),
}


@pytest.fixture(scope="module")
def outcomes(clients: Callable[[str], tuple[Any, Any]]) -> dict[str, tuple[Outcome, Outcome]]:
    """Every step run in order against moto and eventsim: name -> (moto's, eventsim's)."""
    moto, ours = clients("s3")
    return run_steps(moto, ours, STEPS)


@pytest.mark.parametrize("step", [pytest.param(name, id=name) for name, _ in STEPS])
def test_eventsim_answers_bucket_settings_calls_as_moto_does(
    outcomes: dict[str, tuple[Outcome, Outcome]], step: str,
) -> None:
    assert_agrees(step, *outcomes[step], MOTO_IS_WRONG)


@pytest.mark.parametrize("step, facts", [
    pytest.param("tags", {"team=data": {}, "cost=centre": {}}, id="tags"),
    pytest.param("tags_kept_after_refusals", {"team=data": {}, "cost=centre": {}}, id="tags-kept"),
    pytest.param("delete_tagging", {"answered_204": {}}, id="delete-tagging"),
    pytest.param("one_account_policy_status", {}, id="not-public"),
    pytest.param("public_policy_status", {"public": {}}, id="public"),
    pytest.param("policy_text_kept", {"as_put": {}}, id="policy-text"),
    pytest.param("public_access_block_as_put", {"BlockPublicAcls": {}}, id="blocks"),
    pytest.param("cors_rules", {"as_put": {}}, id="cors"),
    pytest.param("encryption_as_put", {"one_rule": {}, "kms_as_put": {}}, id="encryption"),
    pytest.param("get_bucket_acl", {"owner_has_full_control": {}}, id="bucket-acl"),
    pytest.param("get_object_acl", {"owner_has_full_control": {}}, id="object-acl"),
])
def test_every_fact_checked_inside_a_step_holds_on_moto(
    outcomes: dict[str, tuple[Outcome, Outcome]], step: str, facts: dict[str, Any],
) -> None:
    """The facts steps check are S3's behaviour; moto shows each, so agreeing means holding."""
    moto, _ = outcomes[step]
    assert moto == ("ok", facts)
