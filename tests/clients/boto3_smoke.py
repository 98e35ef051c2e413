"""boto3 against the emulator: parses our responses and our errors.

Usage: python3 boto3_smoke.py <endpoint-url>
"""
import sys

import boto3
from botocore.exceptions import ClientError

endpoint = sys.argv[1]
idp = boto3.client(
    "cognito-idp",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="AKIDEXAMPLE",
    aws_secret_access_key="secret",
)

pool = idp.create_user_pool(PoolName="boto3-pool", UsernameAttributes=["email"])["UserPool"]
assert pool["Id"].startswith("us-east-1_"), pool["Id"]
assert pool["CreationDate"].year >= 2024, pool["CreationDate"]  # a real datetime, parsed from epoch seconds
assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 8

client = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="app", GenerateSecret=True)["UserPoolClient"]
assert len(client["ClientId"]) == 26 and client["ClientSecret"]

for i in range(5):
    idp.admin_create_user(
        UserPoolId=pool["Id"],
        Username=f"user{i}@example.com",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "name", "Value": f"User {i}"}],
    )

paginator = idp.get_paginator("list_users")
pages = list(paginator.paginate(UserPoolId=pool["Id"], Filter='email ^= "user"', PaginationConfig={"PageSize": 2}))
emails = sorted(
    a["Value"] for page in pages for u in page["Users"] for a in u["Attributes"] if a["Name"] == "email"
)
assert emails == [f"user{i}@example.com" for i in range(5)], emails
assert len(pages) == 3, len(pages)

user = idp.admin_get_user(UserPoolId=pool["Id"], Username="user3@example.com")
assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD", user["UserStatus"]

try:
    idp.describe_user_pool(UserPoolId="us-east-1_doesnotexist")
    raise SystemExit("expected ResourceNotFoundException")
except idp.exceptions.ResourceNotFoundException as e:
    assert e.response["Error"]["Message"] == "User pool us-east-1_doesnotexist does not exist.", e.response
    assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 400

try:
    idp.admin_get_user(UserPoolId=pool["Id"], Username="nobody@example.com")
    raise SystemExit("expected UserNotFoundException")
except idp.exceptions.UserNotFoundException as e:
    assert e.response["Error"]["Message"] == "User does not exist.", e.response

try:
    idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH", AuthParameters={})
except ClientError as e:
    assert e.response["Error"]["Code"] in ("NotImplementedException", "InvalidParameterException", "NotAuthorizedException"), e.response

print("boto3 OK")
