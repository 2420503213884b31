"""A bucket's settings besides notifications and versioning: tags, policy, CORS, default
encryption, ACLs, Object Ownership and Block Public Access (`BucketSettingsOperations`, a part
of `S3Service`).

Each setting is one JSON value in ``bucket_settings``, under its name. A bucket without a row
for a setting has what S3 gives a new bucket today:

- tags, policy, CORS: none (the Get operations answer NoSuchTagSet, NoSuchBucketPolicy,
  NoSuchCORSConfiguration);
- default encryption: SSE-S3, as for every bucket since January 2023; DeleteBucketEncryption
  returns to it (Amazon S3 API Reference, DeleteBucketEncryption);
- Block Public Access: all four settings on, as for new buckets since April 2023;
  DeletePublicAccessBlock stores ``null``, after which GetPublicAccessBlock answers
  NoSuchPublicAccessBlockConfiguration;
- Object Ownership: BucketOwnerEnforced, ACLs off (every bucket since April 2023; see
  `eventsim.services.s3.write_options`), and no other can be put: ACL reads answer the owner's
  FULL_CONTROL, ACL writes are taken only when they grant nothing more.

eventsim keeps a bucket policy but does not enforce it: requests are allowed whatever it says.
What S3 checks when a policy is put is checked: that it is a JSON object with a Statement, and
that a public one (`is_public_policy`) is refused while BlockPublicPolicy is on. A CORS
configuration is kept and answered, not applied to browsers' requests. A default encryption
is kept and answered; objects written without one are not given it.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from typing import Any

from eventsim.errors import InvalidArgument, InvalidRequest, MalformedXML, NotImplementedOperation
from eventsim.services.base import ServiceContext
from eventsim.services.s3.errors import (
    AccessControlListNotSupported,
    MalformedPolicy,
    NoSuchBucketPolicy,
    NoSuchCORSConfiguration,
    NoSuchPublicAccessBlockConfiguration,
    NoSuchTagSet,
    PublicPolicyBlocked,
)
from eventsim.services.s3.objects import NO_TAGS, OWNER, require_bucket
from eventsim.services.s3.tagging import BUCKET_TAGS, parse_tag_set, tag_set
from eventsim.services.s3.versioning import load_current
from eventsim.services.s3.write_options import ENCRYPTIONS, check_acl

__all__ = ["BucketSettingsOperations", "is_public_policy"]

LOG = logging.getLogger(__name__)

_TAGGING = "tagging"
_POLICY = "policy"
_CORS = "cors"
_ENCRYPTION = "encryption"
_PUBLIC_ACCESS_BLOCK = "public_access_block"

_DEFAULT_ENCRYPTION: dict[str, Any] = {
    "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
    "BucketKeyEnabled": False,
}
_BLOCKS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
_CORS_METHODS = frozenset({"GET", "PUT", "HEAD", "POST", "DELETE"})
_MAX_CORS_RULES = 100
_OWNERSHIPS = frozenset({"BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"})
_NOT_A_POLICY = "Policies must be valid JSON and the first byte must be '{'"
_OWNER_GRANT = ("CanonicalUser", OWNER["ID"], "FULL_CONTROL")


def is_public_policy(policy: dict[str, Any]) -> bool:
    """Whether a statement of the policy allows anyone: Effect Allow, Principal ``"*"`` (or
    ``{"AWS": "*"}``) and no Condition. S3 looks deeper (a condition may or may not make a
    statement non-public); this is the common case, and what GetBucketPolicyStatus and
    BlockPublicPolicy go by here."""
    statements = policy.get("Statement")
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        if isinstance(principal, dict):
            principal = principal.get("AWS")
        anyone = principal == "*" or (isinstance(principal, list) and "*" in principal)
        if anyone and "Condition" not in statement:
            return True
    return False


def _parse_policy(text: str | None) -> dict[str, Any]:
    """A bucket policy's document, with S3's MalformedPolicy messages for what is not one."""
    try:
        document = json.loads(text) if text and text[0] == "{" else None
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise MalformedPolicy(_NOT_A_POLICY)
    if "Statement" not in document:
        raise MalformedPolicy("Missing required field Statement")
    if not document["Statement"]:
        raise MalformedPolicy("Could not parse the policy: Statement is empty!")
    return document


def _checked_cors(configuration: dict[str, Any]) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = configuration.get("CORSRules") or []
    if not rules or len(rules) > _MAX_CORS_RULES:
        raise MalformedXML()
    for rule in rules:
        if not rule.get("AllowedMethods") or not rule.get("AllowedOrigins"):
            raise MalformedXML()
        for method in rule["AllowedMethods"]:
            if method not in _CORS_METHODS:
                raise InvalidRequest("Found unsupported HTTP method in CORS config. "
                                     f"Unsupported method is {method}")
    return rules


def _checked_encryption(configuration: dict[str, Any]) -> dict[str, Any]:
    """The one rule of a ServerSideEncryptionConfiguration, as GetBucketEncryption answers it."""
    rules = configuration.get("Rules") or []
    if len(rules) != 1:
        raise MalformedXML()
    default = rules[0].get("ApplyServerSideEncryptionByDefault") or {}
    algorithm = default.get("SSEAlgorithm")
    if algorithm not in ENCRYPTIONS:
        raise MalformedXML()
    if "KMSMasterKeyID" in default and not algorithm.startswith("aws:kms"):
        raise InvalidArgument("a KMSMasterKeyID is not applicable if the default sse algorithm "
                              "is not aws:kms or aws:kms:dsse",
                              ArgumentName="ApplyServerSideEncryptionByDefault")
    return {"ApplyServerSideEncryptionByDefault": dict(default),
            "BucketKeyEnabled": bool(rules[0].get("BucketKeyEnabled", False))}


def _check_acl_write(
    acl: str | None, access_control_policy: dict[str, Any] | None, full_control: str | None,
    *other_grants: str | None,
) -> None:
    """Refuse an ACL write that grants more than the owner's FULL_CONTROL, as a bucket with
    ACLs disabled does. S3 takes "bucket-owner-full-control ... or an equivalent form of this
    ACL expressed in the XML format" (Amazon S3 API Reference, PutObject, x-amz-acl)."""
    check_acl(acl)
    if any(grant is not None for grant in other_grants):
        raise AccessControlListNotSupported()
    if full_control is not None and any(
        grantee.strip().replace('"', "") != f"id={OWNER['ID']}"
        for grantee in full_control.split(",")
    ):
        raise AccessControlListNotSupported()
    if access_control_policy is not None:
        given = access_control_policy.get("Grants") or []
        if not given or any(_grant(grant) != _OWNER_GRANT for grant in given):
            raise AccessControlListNotSupported()


def _grant(grant: dict[str, Any]) -> tuple[Any, Any, Any]:
    grantee = grant.get("Grantee") or {}
    return grantee.get("Type"), grantee.get("ID"), grant.get("Permission")


def _owner_acl() -> dict[str, Any]:
    return {"Owner": dict(OWNER), "Grants": [{
        "Grantee": {"ID": OWNER["ID"], "DisplayName": OWNER["DisplayName"],
                    "Type": "CanonicalUser"},
        "Permission": "FULL_CONTROL"}]}


# -- inside units --------------------------------------------------------------------------


def _stored(conn: sqlite3.Connection, bucket: str, name: str) -> str | None:
    """A setting's JSON text, or None when the bucket has none stored (NoSuchBucket if there
    is no bucket)."""
    row = conn.execute("SELECT value FROM bucket_settings WHERE bucket = ? AND name = ?",
                       (bucket, name)).fetchone()
    if row is None:
        require_bucket(conn, bucket)
        return None
    return str(row["value"])


def _public_access_block(conn: sqlite3.Connection, bucket: str) -> dict[str, bool] | None:
    """The bucket's Block Public Access settings; None once deleted."""
    stored = _stored(conn, bucket, _PUBLIC_ACCESS_BLOCK)
    if stored is None:
        return dict.fromkeys(_BLOCKS, True)
    value: dict[str, bool] | None = json.loads(stored)
    return value


class BucketSettingsOperations:
    """Tagging, policy, CORS, encryption, ACL, ownership controls and public access block
    operations of buckets (a part of `S3Service`)."""

    _ctx: ServiceContext

    # -- storage -----------------------------------------------------------------------------

    async def _read_setting(self, bucket: str, name: str) -> str | None:
        return await self._ctx.db.read(lambda conn: _stored(conn, bucket, name))

    async def _write_setting(self, bucket: str, name: str, value: Any) -> dict[str, Any]:
        text = json.dumps(value)

        def unit(conn: sqlite3.Connection) -> None:
            require_bucket(conn, bucket)
            conn.execute("INSERT OR REPLACE INTO bucket_settings (bucket, name, value) "
                         "VALUES (?,?,?)", (bucket, name, text))

        await self._ctx.db.write(unit)
        return {}

    async def _drop_setting(self, bucket: str, name: str) -> dict[str, Any]:
        def unit(conn: sqlite3.Connection) -> None:
            require_bucket(conn, bucket)
            conn.execute("DELETE FROM bucket_settings WHERE bucket = ? AND name = ?",
                         (bucket, name))

        await self._ctx.db.write(unit)
        return {}

    # -- tags --------------------------------------------------------------------------------

    async def put_bucket_tagging(self, *, bucket: str, tagging: dict[str, Any]) -> dict[str, Any]:
        """PutBucketTagging: the bucket's tags become the TagSet given (an empty one removes
        them)."""
        tags = parse_tag_set(tagging, BUCKET_TAGS)
        if tags == NO_TAGS:
            return await self._drop_setting(bucket, _TAGGING)
        return await self._write_setting(bucket, _TAGGING, json.loads(tags))

    async def get_bucket_tagging(self, *, bucket: str) -> dict[str, Any]:
        """GetBucketTagging: NoSuchTagSet for a bucket without tags."""
        stored = await self._read_setting(bucket, _TAGGING)
        if stored is None:
            raise NoSuchTagSet(bucket)
        return {"TagSet": tag_set(stored)}

    async def delete_bucket_tagging(self, *, bucket: str) -> dict[str, Any]:
        """DeleteBucketTagging."""
        return await self._drop_setting(bucket, _TAGGING)

    # -- policy ------------------------------------------------------------------------------

    async def put_bucket_policy(
        self, *, bucket: str, policy: str | None = None,
        confirm_remove_self_bucket_access: bool | None = None,
    ) -> dict[str, Any]:
        """PutBucketPolicy: the policy is kept as given, not enforced (see the module's
        docstring); a public one is refused while the bucket's BlockPublicPolicy is on."""
        public = is_public_policy(_parse_policy(policy))
        text = json.dumps(policy)
        caller = f"arn:aws:iam::{self._ctx.account_id}:user/eventsim"

        def unit(conn: sqlite3.Connection) -> None:
            blocks = _public_access_block(conn, bucket)
            if public and blocks is not None and blocks["BlockPublicPolicy"]:
                raise PublicPolicyBlocked(caller, bucket)
            conn.execute("INSERT OR REPLACE INTO bucket_settings (bucket, name, value) "
                         "VALUES (?,?,?)", (bucket, _POLICY, text))

        await self._ctx.db.write(unit)
        return {}

    async def get_bucket_policy(self, *, bucket: str) -> dict[str, Any]:
        """GetBucketPolicy: the policy's text as it was put."""
        return {"Policy": await self._policy(bucket)}

    async def delete_bucket_policy(self, *, bucket: str) -> dict[str, Any]:
        """DeleteBucketPolicy."""
        return await self._drop_setting(bucket, _POLICY)

    async def get_bucket_policy_status(self, *, bucket: str) -> dict[str, Any]:
        """GetBucketPolicyStatus: whether the policy is public (`is_public_policy`);
        NoSuchBucketPolicy for a bucket without one."""
        return {"PolicyStatus": {"IsPublic": is_public_policy(json.loads(
            await self._policy(bucket)))}}

    async def _policy(self, bucket: str) -> str:
        stored = await self._read_setting(bucket, _POLICY)
        if stored is None:
            raise NoSuchBucketPolicy(bucket)
        text: str = json.loads(stored)
        return text

    # -- CORS --------------------------------------------------------------------------------

    async def put_bucket_cors(
        self, *, bucket: str, cors_configuration: dict[str, Any],
    ) -> dict[str, Any]:
        """PutBucketCors: kept and answered, not applied to requests."""
        return await self._write_setting(bucket, _CORS, _checked_cors(cors_configuration))

    async def get_bucket_cors(self, *, bucket: str) -> dict[str, Any]:
        """GetBucketCors: NoSuchCORSConfiguration for a bucket without one."""
        stored = await self._read_setting(bucket, _CORS)
        if stored is None:
            raise NoSuchCORSConfiguration(bucket)
        return {"CORSRules": json.loads(stored)}

    async def delete_bucket_cors(self, *, bucket: str) -> dict[str, Any]:
        """DeleteBucketCors."""
        return await self._drop_setting(bucket, _CORS)

    # -- default encryption ------------------------------------------------------------------

    async def put_bucket_encryption(
        self, *, bucket: str, server_side_encryption_configuration: dict[str, Any],
    ) -> dict[str, Any]:
        """PutBucketEncryption: one rule, kept and answered."""
        rule = _checked_encryption(server_side_encryption_configuration)
        return await self._write_setting(bucket, _ENCRYPTION, rule)

    async def get_bucket_encryption(self, *, bucket: str) -> dict[str, Any]:
        """GetBucketEncryption: SSE-S3 unless another default was put."""
        stored = await self._read_setting(bucket, _ENCRYPTION)
        rule = _DEFAULT_ENCRYPTION if stored is None else json.loads(stored)
        return {"ServerSideEncryptionConfiguration": {"Rules": [rule]}}

    async def delete_bucket_encryption(self, *, bucket: str) -> dict[str, Any]:
        """DeleteBucketEncryption: back to SSE-S3."""
        return await self._drop_setting(bucket, _ENCRYPTION)

    # -- ACLs (disabled) ---------------------------------------------------------------------

    async def get_bucket_acl(self, *, bucket: str) -> dict[str, Any]:
        """GetBucketAcl: the owner's FULL_CONTROL, as every bucket with ACLs disabled answers."""
        await self._ctx.db.read(lambda conn: require_bucket(conn, bucket))
        return _owner_acl()

    async def put_bucket_acl(
        self, *, bucket: str, acl: str | None = None,
        access_control_policy: dict[str, Any] | None = None,
        grant_full_control: str | None = None, grant_read: str | None = None,
        grant_read_acp: str | None = None, grant_write: str | None = None,
        grant_write_acp: str | None = None,
    ) -> dict[str, Any]:
        """PutBucketAcl: an ACL granting only the owner's FULL_CONTROL changes nothing; any
        other is AccessControlListNotSupported."""
        await self._ctx.db.read(lambda conn: require_bucket(conn, bucket))
        _check_acl_write(acl, access_control_policy, grant_full_control, grant_read,
                         grant_read_acp, grant_write, grant_write_acp)
        return {}

    async def get_object_acl(
        self, *, bucket: str, key: str, version_id: str | None = None,
    ) -> dict[str, Any]:
        """GetObjectAcl: the bucket owner's FULL_CONTROL (the owner owns every object)."""
        await self._ctx.db.read(lambda conn: load_current(
            conn, bucket, key, version_id, with_body=False, method="GET"))
        return _owner_acl()

    async def put_object_acl(
        self, *, bucket: str, key: str, version_id: str | None = None, acl: str | None = None,
        access_control_policy: dict[str, Any] | None = None,
        grant_full_control: str | None = None, grant_read: str | None = None,
        grant_read_acp: str | None = None, grant_write: str | None = None,
        grant_write_acp: str | None = None,
    ) -> dict[str, Any]:
        """PutObjectAcl: as PutBucketAcl, for an object that exists."""
        await self._ctx.db.read(lambda conn: load_current(
            conn, bucket, key, version_id, with_body=False, method="PUT"))
        _check_acl_write(acl, access_control_policy, grant_full_control, grant_read,
                         grant_read_acp, grant_write, grant_write_acp)
        return {}

    # -- Object Ownership --------------------------------------------------------------------

    async def get_bucket_ownership_controls(self, *, bucket: str) -> dict[str, Any]:
        """GetBucketOwnershipControls: BucketOwnerEnforced."""
        await self._ctx.db.read(lambda conn: require_bucket(conn, bucket))
        return {"OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}}

    async def put_bucket_ownership_controls(
        self, *, bucket: str, ownership_controls: dict[str, Any],
    ) -> dict[str, Any]:
        """PutBucketOwnershipControls: BucketOwnerEnforced, which every bucket has; the settings
        that enable ACLs are not implemented."""
        rules = ownership_controls.get("Rules") or []
        if len(rules) != 1 or rules[0].get("ObjectOwnership") not in _OWNERSHIPS:
            raise MalformedXML()
        await self._ctx.db.read(lambda conn: require_bucket(conn, bucket))
        ownership = rules[0]["ObjectOwnership"]
        if ownership != "BucketOwnerEnforced":
            raise NotImplementedOperation(
                f"eventsim does not implement ObjectOwnership {ownership}: its buckets have "
                "ACLs disabled (BucketOwnerEnforced) and cannot enable them")
        return {}

    async def delete_bucket_ownership_controls(self, *, bucket: str) -> dict[str, Any]:
        """DeleteBucketOwnershipControls would enable ACLs (ObjectWriter): not implemented."""
        await self._ctx.db.read(lambda conn: require_bucket(conn, bucket))
        raise NotImplementedOperation(
            "eventsim does not implement DeleteBucketOwnershipControls: its buckets have ACLs "
            "disabled (BucketOwnerEnforced) and cannot enable them")

    # -- Block Public Access -----------------------------------------------------------------

    async def put_public_access_block(
        self, *, bucket: str, public_access_block_configuration: dict[str, Any],
    ) -> dict[str, Any]:
        """PutPublicAccessBlock: the four settings (those left out are off)."""
        given = public_access_block_configuration
        if not any(name in given for name in _BLOCKS):
            raise InvalidRequest("Must specify at least one configuration.")
        blocks = {name: bool(given.get(name, False)) for name in _BLOCKS}
        return await self._write_setting(bucket, _PUBLIC_ACCESS_BLOCK, blocks)

    async def get_public_access_block(self, *, bucket: str) -> dict[str, Any]:
        """GetPublicAccessBlock: all four on unless changed; none once deleted."""
        blocks = await self._ctx.db.read(lambda conn: _public_access_block(conn, bucket))
        if blocks is None:
            raise NoSuchPublicAccessBlockConfiguration(bucket)
        return {"PublicAccessBlockConfiguration": blocks}

    async def delete_public_access_block(self, *, bucket: str) -> dict[str, Any]:
        """DeletePublicAccessBlock: no settings, so nothing is blocked."""
        return await self._write_setting(bucket, _PUBLIC_ACCESS_BLOCK, None)
