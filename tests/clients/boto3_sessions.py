"""boto3 against the emulator's user sessions: settings, listing, revocation.

Usage: python3 boto3_sessions.py <endpoint-url>
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

if not hasattr(idp, "list_user_sessions"):
    print(f"boto3 {boto3.__version__} predates the session operations")
    sys.exit(3)

pool_id = idp.create_user_pool(PoolName="boto3-sessions")["UserPool"]["Id"]
client_id = idp.create_user_pool_client(
    UserPoolId=pool_id,
    ClientName="app",
    ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
)["UserPoolClient"]["ClientId"]
idp.admin_create_user(UserPoolId=pool_id, Username="bo", MessageAction="SUPPRESS")
idp.admin_set_user_password(UserPoolId=pool_id, Username="bo", Password="Perm4nent!pass", Permanent=True)

config = idp.set_user_pool_session_configuration(
    UserPoolId=pool_id, UserSessionTracking="ENABLED", TokenSession={"MaxPerUser": 10}
)
assert config["UserSessionTracking"] == "ENABLED", config
assert idp.get_user_pool_session_configuration(UserPoolId=pool_id)["TokenSession"] == {"MaxPerUser": 10}


def sign_in(ip):
    return idp.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "bo", "PASSWORD": "Perm4nent!pass"},
        # The server signs the user in on their behalf and says where they are.
        ContextData={
            "IpAddress": ip,
            "ServerName": "app.example.com",
            "ServerPath": "/login",
            "HttpHeaders": [{"headerName": "User-Agent", "headerValue": "Mozilla/5.0 (test)"}],
        },
    )["AuthenticationResult"]


first = sign_in("192.0.2.10")
second = sign_in("192.0.2.20")
sessions = idp.list_user_sessions(AccessToken=first["AccessToken"])["Sessions"]
assert len(sessions) == 2, sessions
assert {s["LastIPAddress"] for s in sessions} == {"192.0.2.10", "192.0.2.20"}, sessions
assert all(s["DeviceType"] == "Mozilla/5.0 (test)" for s in sessions), sessions
assert all(s["CreateDate"].year >= 2024 for s in sessions), sessions  # parsed as datetimes
current = [s for s in sessions if s["IsCurrentSession"]]
assert len(current) == 1 and current[0]["LastIPAddress"] == "192.0.2.10", sessions

listed = idp.admin_list_user_sessions(UserPoolId=pool_id, Username="bo")["Sessions"]
other = next(s for s in listed if s["LastIPAddress"] == "192.0.2.20")
idp.admin_revoke_user_session(UserPoolId=pool_id, Username="bo", SessionId=other["SessionId"])
try:
    idp.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": second["RefreshToken"]},
    )
    raise SystemExit("a revoked session's refresh token still works")
except ClientError as e:
    assert e.response["Error"]["Code"] == "NotAuthorizedException", e.response
    assert e.response["Error"]["Message"] == "Refresh Token has been revoked", e.response

idp.revoke_user_session(AccessToken=first["AccessToken"], SessionId=current[0]["SessionId"])
try:
    idp.get_user(AccessToken=first["AccessToken"])
    raise SystemExit("a revoked session's access token still works")
except ClientError as e:
    assert e.response["Error"]["Message"] == "Access Token has been revoked", e.response
assert idp.admin_list_user_sessions(UserPoolId=pool_id, Username="bo")["Sessions"] == []

print("boto3 sessions OK")
