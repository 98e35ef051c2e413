"""boto3 and the UserMigration trigger: an unknown user signs in with USER_PASSWORD_AUTH and
is migrated (the in-test Lambda server checks the old password), a wrong old password is
refused with the function's error, and an unknown user's ForgotPassword migrates them as
RESET_REQUIRED, sends a code, and the new password signs in.

Usage: python3 boto3_user_migration.py <endpoint-url> <pool-id> <client-id>
"""
import json
import sys
import urllib.request

import boto3
from botocore.exceptions import ClientError

endpoint, pool_id, client_id = sys.argv[1:4]
idp = boto3.client(
    "cognito-idp",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="AKIDEXAMPLE",
    aws_secret_access_key="secret",
)

# Sign-in migration: tokens at once, and the user now exists, CONFIRMED.
out = idp.initiate_auth(
    ClientId=client_id,
    AuthFlow="USER_PASSWORD_AUTH",
    AuthParameters={"USERNAME": "oldtimer", "PASSWORD": "Legacy-passw0rd"},
    ClientMetadata={"origin": "boto3"},
)
assert "IdToken" in out["AuthenticationResult"], out
user = idp.admin_get_user(UserPoolId=pool_id, Username="oldtimer")
assert user["UserStatus"] == "CONFIRMED", user
attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
assert attributes["email"] == "oldtimer@example.com", attributes
assert attributes["email_verified"] == "true", attributes

# The old system refuses a wrong password: the function's error.
try:
    idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "stranger", "PASSWORD": "Wr0ng-passw0rd"},
    )
    raise AssertionError("a refused migration signed in")
except ClientError as error:
    assert error.response["Error"]["Code"] == "UserLambdaValidationException", error.response
    assert (
        error.response["Error"]["Message"] == "UserMigration failed with error Bad password."
    ), error.response

# Forgot-password migration: RESET_REQUIRED, a code by e-mail, then the new password works.
out = idp.forgot_password(ClientId=client_id, Username="forgetful")
details = out["CodeDeliveryDetails"]
assert details["DeliveryMedium"] == "EMAIL", details
assert details["Destination"] == "f***@e***", details
user = idp.admin_get_user(UserPoolId=pool_id, Username="forgetful")
assert user["UserStatus"] == "RESET_REQUIRED", user
url = f"{endpoint}/_emulator/messages?userPoolId={pool_id}&username=forgetful"
with urllib.request.urlopen(url) as response:
    messages = json.load(response)["messages"]
code = messages[-1]["code"]
idp.confirm_forgot_password(
    ClientId=client_id,
    Username="forgetful",
    ConfirmationCode=code,
    Password="Fresh-passw0rd!",
)
out = idp.initiate_auth(
    ClientId=client_id,
    AuthFlow="USER_PASSWORD_AUTH",
    AuthParameters={"USERNAME": "forgetful", "PASSWORD": "Fresh-passw0rd!"},
)
assert "AccessToken" in out["AuthenticationResult"], out
print("boto3 user migration OK")
