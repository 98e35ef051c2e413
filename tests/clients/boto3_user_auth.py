"""boto3 and choice-based sign-in (USER_AUTH): SELECT_CHALLENGE answered with PASSWORD,
PREFERRED_CHALLENGE=PASSWORD, and a passwordless EMAIL_OTP sign-in whose code is read from
the emulator's message endpoint.

Usage: python3 boto3_user_auth.py <endpoint-url>
"""
import json
import sys
import urllib.request

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
PASSWORD = "Perm4nent!pass"

pool_id = idp.create_user_pool(
    PoolName="user-auth",
    Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}},
)["UserPool"]["Id"]
client_id = idp.create_user_pool_client(
    UserPoolId=pool_id,
    ClientName="app",
    ExplicitAuthFlows=["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
)["UserPoolClient"]["ClientId"]
idp.admin_create_user(
    UserPoolId=pool_id,
    Username="gina",
    MessageAction="SUPPRESS",
    UserAttributes=[
        {"Name": "email", "Value": "gina@example.com"},
        {"Name": "email_verified", "Value": "true"},
    ],
)
idp.admin_set_user_password(UserPoolId=pool_id, Username="gina", Password=PASSWORD, Permanent=True)

# No preference: the choice.
started = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "gina"})
assert started["ChallengeName"] == "SELECT_CHALLENGE", started
assert started["AvailableChallenges"] == ["EMAIL_OTP", "PASSWORD_SRP", "PASSWORD"], started
signed_in = idp.respond_to_auth_challenge(
    ClientId=client_id,
    ChallengeName="SELECT_CHALLENGE",
    Session=started["Session"],
    ChallengeResponses={"USERNAME": "gina", "ANSWER": "PASSWORD", "PASSWORD": PASSWORD},
)
assert signed_in["AuthenticationResult"]["TokenType"] == "Bearer", signed_in

# PASSWORD up front; a wrong one is refused.
signed_in = idp.initiate_auth(
    ClientId=client_id,
    AuthFlow="USER_AUTH",
    AuthParameters={"USERNAME": "gina", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD},
)
assert idp.get_user(AccessToken=signed_in["AuthenticationResult"]["AccessToken"])["Username"] == "gina"
try:
    idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": "gina", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "Wr0ng!pass"},
    )
    raise AssertionError("a wrong password signed in")
except ClientError as e:
    assert e.response["Error"]["Code"] == "NotAuthorizedException", e.response

# EMAIL_OTP: a code by e-mail, read where the emulator keeps messages.
challenge = idp.initiate_auth(
    ClientId=client_id,
    AuthFlow="USER_AUTH",
    AuthParameters={"USERNAME": "gina", "PREFERRED_CHALLENGE": "EMAIL_OTP"},
)
assert challenge["ChallengeName"] == "EMAIL_OTP", challenge
assert challenge["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL", challenge
with urllib.request.urlopen(f"{endpoint}/_emulator/messages?userPoolId={pool_id}&username=gina") as r:
    messages = json.load(r)["messages"]
code = messages[-1]["code"]
assert messages[-1]["destination"] == "gina@example.com", messages[-1]
try:
    idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="EMAIL_OTP",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "gina", "EMAIL_OTP_CODE": "00000000" if code != "00000000" else "11111111"},
    )
    raise AssertionError("a wrong code signed in")
except ClientError as e:
    assert e.response["Error"]["Code"] == "CodeMismatchException", e.response
signed_in = idp.respond_to_auth_challenge(
    ClientId=client_id,
    ChallengeName="EMAIL_OTP",
    Session=challenge["Session"],
    ChallengeResponses={"USERNAME": "gina", "EMAIL_OTP_CODE": code},
)
assert idp.get_user(AccessToken=signed_in["AuthenticationResult"]["AccessToken"])["Username"] == "gina"
print("boto3 user_auth OK")
