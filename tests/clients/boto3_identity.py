"""boto3 and cognito-identity's enhanced flow against the emulator: a guest's and a
signed-in user's credentials (unsigned calls, as an app makes them), OpenID tokens,
developer identities, and errors as botocore parses them.

Usage: python3 boto3_identity.py <endpoint-url>
"""
import datetime
import json
import sys
import urllib.request

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint = sys.argv[1]
keys = dict(region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")
idp = boto3.client("cognito-idp", endpoint_url=endpoint, **keys)
admin = boto3.client("cognito-identity", endpoint_url=endpoint, **keys)
# What an app holds: no AWS credentials at all.
app = boto3.client(
    "cognito-identity", endpoint_url=endpoint, region_name="us-east-1", config=Config(signature_version=UNSIGNED)
)


def introspect(access_key_id):
    with urllib.request.urlopen(f"{endpoint}/_emulator/credentials/{access_key_id}") as response:
        return json.load(response)


pool_id = idp.create_user_pool(PoolName="boto3-identity")["UserPool"]["Id"]
client_id = idp.create_user_pool_client(
    UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
)["UserPoolClient"]["ClientId"]
idp.admin_create_user(UserPoolId=pool_id, Username="pat", MessageAction="SUPPRESS")
idp.admin_set_user_password(UserPoolId=pool_id, Username="pat", Password="Passw0rd!", Permanent=True)
provider = f"cognito-idp.us-east-1.amazonaws.com/{pool_id}"

identity_pool = admin.create_identity_pool(
    IdentityPoolName="boto3",
    AllowUnauthenticatedIdentities=True,
    AllowClassicFlow=True,
    CognitoIdentityProviders=[{"ProviderName": provider, "ClientId": client_id, "ServerSideTokenCheck": True}],
    DeveloperProviderName="login.boto3.app",
)
identity_pool_id = identity_pool["IdentityPoolId"]
assert identity_pool["CognitoIdentityProviders"][0]["ServerSideTokenCheck"] is True
admin.set_identity_pool_roles(
    IdentityPoolId=identity_pool_id,
    Roles={
        "authenticated": "arn:aws:iam::000000000000:role/auth",
        "unauthenticated": "arn:aws:iam::000000000000:role/guest",
    },
)

# A guest.
guest = app.get_id(IdentityPoolId=identity_pool_id)["IdentityId"]
credentials = app.get_credentials_for_identity(IdentityId=guest)["Credentials"]
assert credentials["AccessKeyId"].startswith("ASIA") and len(credentials["AccessKeyId"]) == 20
assert len(credentials["SecretKey"]) == 40
expiration = credentials["Expiration"]  # a datetime, parsed from epoch seconds
assert isinstance(expiration, datetime.datetime), expiration
delta = expiration - datetime.datetime.now(datetime.timezone.utc)
assert 3500 < delta.total_seconds() <= 3600, delta
assert introspect(credentials["AccessKeyId"])["roleArn"] == "arn:aws:iam::000000000000:role/guest"
token = app.get_open_id_token(IdentityId=guest)
assert token["IdentityId"] == guest and token["Token"].count(".") == 2

# A signed-in user: the ID token as the login.
id_token = idp.admin_initiate_auth(
    UserPoolId=pool_id,
    ClientId=client_id,
    AuthFlow="ADMIN_USER_PASSWORD_AUTH",
    AuthParameters={"USERNAME": "pat", "PASSWORD": "Passw0rd!"},
)["AuthenticationResult"]["IdToken"]
user = app.get_id(IdentityPoolId=identity_pool_id, Logins={provider: id_token})["IdentityId"]
assert user != guest
assert app.get_id(IdentityPoolId=identity_pool_id, Logins={provider: id_token})["IdentityId"] == user
result = app.get_credentials_for_identity(IdentityId=user, Logins={provider: id_token})
issued = introspect(result["Credentials"]["AccessKeyId"])
assert issued["roleArn"] == "arn:aws:iam::000000000000:role/auth", issued
assert issued["identityId"] == user
described = admin.describe_identity(IdentityId=user)
assert described["Logins"] == [provider], described
assert isinstance(described["CreationDate"], datetime.datetime)
listed = admin.list_identities(IdentityPoolId=identity_pool_id, MaxResults=10)["Identities"]
assert {i["IdentityId"] for i in listed} == {guest, user}, listed

# Errors, as botocore reads them.
try:
    app.get_credentials_for_identity(IdentityId=user)
    raise AssertionError("no logins accepted")
except ClientError as e:
    assert e.response["Error"]["Code"] == "NotAuthorizedException", e.response
    assert e.response["Error"]["Message"].startswith("Logins don't match."), e.response
idp.admin_user_global_sign_out(UserPoolId=pool_id, Username="pat")
try:
    app.get_credentials_for_identity(IdentityId=user, Logins={provider: id_token})
    raise AssertionError("a signed-out token accepted")
except ClientError as e:
    assert e.response["Error"]["Message"] == "Token is inactive", e.response

# A developer-authenticated identity: the backend gets the token, the app the credentials.
developer = admin.get_open_id_token_for_developer_identity(
    IdentityPoolId=identity_pool_id, Logins={"login.boto3.app": "customer-42"}, TokenDuration=600
)
credentials = app.get_credentials_for_identity(
    IdentityId=developer["IdentityId"], Logins={"cognito-identity.amazonaws.com": developer["Token"]}
)["Credentials"]
assert introspect(credentials["AccessKeyId"])["roleArn"] == "arn:aws:iam::000000000000:role/auth"
found = admin.lookup_developer_identity(IdentityPoolId=identity_pool_id, DeveloperUserIdentifier="customer-42")
assert found["IdentityId"] == developer["IdentityId"]
assert found["DeveloperUserIdentifierList"] == ["customer-42"]

admin.delete_identity_pool(IdentityPoolId=identity_pool_id)
try:
    admin.describe_identity_pool(IdentityPoolId=identity_pool_id)
    raise AssertionError("deleted pool found")
except admin.exceptions.ResourceNotFoundException as e:
    assert e.response["Error"]["Message"] == f"IdentityPool '{identity_pool_id}' not found."

print("boto3 identity OK")
