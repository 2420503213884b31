"""What a write may say about an object besides its bytes and headers: a canned ACL, the
server-side encryption and the storage class it asks for (PutObject, CopyObject,
CreateMultipartUpload).

ACLs: buckets made since April 2023 have Object Ownership "bucket owner enforced", so ACLs are
off (Amazon S3 User Guide, "Controlling ownership of objects and disabling ACLs"): a write that
asks for a canned ACL other than ``private`` or ``bucket-owner-full-control`` is refused with
AccessControlListNotSupported, and those two change nothing. eventsim's buckets are all so.

Encryption: S3 encrypts every object; a write may name the method (``AES256``, ``aws:kms``,
``aws:kms:dsse``) and a KMS key, which the object keeps and GetObject and HeadObject report.

Storage classes: an object keeps the class it was written with; GetObject and HeadObject report
it unless it is STANDARD, listings show it, and an object in an archive class (GLACIER,
DEEP_ARCHIVE) cannot be read (InvalidObjectState) since eventsim does not restore objects.
"""

from __future__ import annotations

from eventsim.errors import InvalidArgument
from eventsim.services.s3.errors import AccessControlListNotSupported, InvalidStorageClass

__all__ = ["ARCHIVED", "ENCRYPTIONS", "check_acl", "class_headers", "encryption_headers"]

_CANNED_ACLS = frozenset({
    "private", "public-read", "public-read-write", "authenticated-read", "aws-exec-read",
    "bucket-owner-read", "bucket-owner-full-control",
})
_WITHOUT_ACLS = frozenset({"private", "bucket-owner-full-control"})
ENCRYPTIONS = frozenset({"AES256", "aws:kms", "aws:kms:dsse"})
"""The server-side encryption methods S3 takes (also as a bucket's default)."""
_STORAGE_CLASSES = frozenset({
    "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
    "GLACIER", "DEEP_ARCHIVE", "GLACIER_IR",
})
"""The classes of general-purpose buckets (botocore's enum also lists Outposts, Snow, Express
One Zone and others, which such a bucket refuses)."""
ARCHIVED = frozenset({"GLACIER", "DEEP_ARCHIVE"})
"""Classes whose objects must be restored before they can be read."""


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
        if server_side_encryption not in ENCRYPTIONS:
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


def class_headers(storage_class: str | None) -> dict[str, str]:
    """The stored header of the storage class a write asks for (none for STANDARD)."""
    if storage_class is None or storage_class == "STANDARD":
        return {}
    if storage_class not in _STORAGE_CLASSES:
        raise InvalidStorageClass(storage_class)
    return {"StorageClass": storage_class}
