"""S3 bucket settings through the Python API: they live in the SQLite file, so a restart keeps
them. (The wire behaviour is in tests/gateway/test_s3_bucket_settings_boto3.py and, compared
with moto, tests/differential/test_s3_bucket_settings.py.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eventsim import AwsError, Simulator, SimulatorConfig

POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::docs/*"}]})
CORS_RULES = [{"AllowedMethods": ["GET"], "AllowedOrigins": ["https://example.com"],
               "MaxAgeSeconds": 600}]
KMS_RULE = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                   "KMSMasterKeyID": "alias/docs"},
            "BucketKeyEnabled": True}


@pytest.mark.asyncio
async def test_bucket_settings_survive_a_restart(tmp_path: Path) -> None:
    config = SimulatorConfig(db=str(tmp_path / "state.db"), clock="virtual")
    async with Simulator(config) as first:
        s3 = first.s3
        await s3.create_bucket(bucket="docs")
        await s3.create_bucket(bucket="blocked")
        await s3.put_bucket_tagging(bucket="docs", tagging={"TagSet": [
            {"Key": "team", "Value": "data"}]})
        await s3.put_public_access_block(bucket="docs", public_access_block_configuration={
            "BlockPublicAcls": True})
        await s3.put_bucket_policy(bucket="docs", policy=POLICY)
        await s3.put_bucket_cors(bucket="docs", cors_configuration={"CORSRules": CORS_RULES})
        await s3.put_bucket_encryption(
            bucket="docs", server_side_encryption_configuration={"Rules": [KMS_RULE]})
        await s3.delete_public_access_block(bucket="blocked")
    async with Simulator(config) as second:
        s3 = second.s3
        assert await s3.get_bucket_tagging(bucket="docs") == {
            "TagSet": [{"Key": "team", "Value": "data"}]}
        assert await s3.get_bucket_policy(bucket="docs") == {"Policy": POLICY}
        assert await s3.get_bucket_policy_status(bucket="docs") == {
            "PolicyStatus": {"IsPublic": True}}
        assert await s3.get_bucket_cors(bucket="docs") == {"CORSRules": CORS_RULES}
        assert await s3.get_bucket_encryption(bucket="docs") == {
            "ServerSideEncryptionConfiguration": {"Rules": [KMS_RULE]}}
        assert await s3.get_public_access_block(bucket="docs") == {
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True, "IgnorePublicAcls": False, "BlockPublicPolicy": False,
                "RestrictPublicBuckets": False}}
        with pytest.raises(AwsError) as exc:
            await s3.get_public_access_block(bucket="blocked")
        assert exc.value.code == "NoSuchPublicAccessBlockConfiguration"
