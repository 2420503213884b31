"""What a write may say about an object besides its bytes and headers: a canned ACL and the
server-side encryption it asks for (PutObject, CopyObject, CreateMultipartUpload).

ACLs: buckets made since April 2023 have Object Ownership "bucket owner enforced", so ACLs are
off (Amazon S3 User Guide, "Controlling ownership of objects and disabling ACLs"): a write that
asks for a canned ACL other than ``private`` or ``bucket-owner-full-control`` is refused with
AccessControlListNotSupported, and those two change nothing. eventsim's buckets are all so.

Encryption: S3 encrypts every object; a write may name the method (``AES256``, ``aws:kms``,
``aws:kms:dsse``) and a KMS key, which the object keeps and GetObject and HeadObject report.
"""

from __future__ import annotations

from eventsim.errors import InvalidArgument
from eventsim.services.s3.errors import AccessControlListNotSupported

__all__ = ["check_acl", "encryption_headers"]

_CANNED_ACLS = frozenset({
    "private", "public-read", "public-read-write", "authenticated-read", "aws-exec-read",
    "bucket-owner-read", "bucket-owner-full-control",
})
_WITHOUT_ACLS = frozenset({"private", "bucket-owner-full-control"})
_ENCRYPTIONS = frozenset({"AES256", "aws:kms", "aws:kms:dsse"})


def check_acl(acl: str | None) -> None:
    """Refuse a canned ACL as a bucket with ACLs disabled does."""
    if acl is None or acl in _WITHOUT_ACLS:
        return
    if acl not in _CANNED_ACLS:
        raise InvalidArgument(f"Invalid canned ACL: {acl}",
                              ArgumentName="x-amz-acl", ArgumentValue=acl)
    raise AccessControlListNotSupported()


def encryption_headers(
    server_side_encryption: str | None, ssekms_key_id: str | None,
) -> dict[str, str]:
    """The stored headers of the encryption a write asks for (checked)."""
    headers: dict[str, str] = {}
    if server_side_encryption is not None:
        if server_side_encryption not in _ENCRYPTIONS:
            raise InvalidArgument("The encryption method specified is not supported",
                                  ArgumentName="x-amz-server-side-encryption",
                                  ArgumentValue=server_side_encryption)
        headers["ServerSideEncryption"] = server_side_encryption
    if ssekms_key_id is not None:
        if not (server_side_encryption or "").startswith("aws:kms"):
            raise InvalidArgument(
                "Server Side Encryption with KMS managed key requires HTTP header "
                "x-amz-server-side-encryption : aws:kms",
                ArgumentName="x-amz-server-side-encryption-aws-kms-key-id",
                ArgumentValue=ssekms_key_id)
        headers["SSEKMSKeyId"] = ssekms_key_id
    return headers
