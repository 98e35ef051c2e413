"""Decrypts a custom sender trigger's code with the AWS Encryption SDK and a KMS master key
provider, as a CustomEmailSender/CustomSMSSender function does. KMS is reached at
AWS_ENDPOINT_URL_KMS (the test's fake KMS). Usage: encryption_sdk_decrypt.py KEY_ARN CODE_B64
"""
import base64
import sys

import aws_encryption_sdk
from aws_encryption_sdk import CommitmentPolicy

key_arn, code = sys.argv[1], sys.argv[2]
client = aws_encryption_sdk.EncryptionSDKClient(
    # The policy AWS's custom sender examples use; REQUIRE_DECRYPT would accept it too.
    commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
)
provider = aws_encryption_sdk.StrictAwsKmsMasterKeyProvider(key_ids=[key_arn])
plaintext, header = client.decrypt(source=base64.b64decode(code), key_provider=provider)
print("suite", hex(header.algorithm.algorithm_id))
print("code", plaintext.decode())
