"""pycognito and remembered devices: its ConfirmDevice (generate_hash_device), then
USER_SRP_AUTH with the device, which it follows with DEVICE_SRP_AUTH and
DEVICE_PASSWORD_VERIFIER, both without a Session (and, with a client secret, the first one
without SECRET_HASH); update_device_status and forget_device.

pycognito sends its device calls to the real AWS endpoint; they are pointed at the emulator.

Usage: python3 pycognito_devices.py <endpoint-url>
"""
import base64
import json
import sys

import boto3
import pycognito.aws_srp as aws_srp
from pycognito.aws_srp import AWSSRP


def claims_of(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


endpoint = sys.argv[1]
real_post = aws_srp.requests.post
aws_srp.requests.post = lambda url, **kwargs: real_post(endpoint, **kwargs)

idp = boto3.client(
    "cognito-idp",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="AKIDEXAMPLE",
    aws_secret_access_key="secret",
)
pool_id = idp.create_user_pool(
    PoolName="pycognito-devices",
    DeviceConfiguration={"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False},
)["UserPool"]["Id"]
flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
clients = [
    idp.create_user_pool_client(UserPoolId=pool_id, ClientName="public", ExplicitAuthFlows=flows)["UserPoolClient"],
    idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="confidential", ExplicitAuthFlows=flows, GenerateSecret=True
    )["UserPoolClient"],
]
password = "Sup3r!secret"
idp.admin_create_user(UserPoolId=pool_id, Username="dana", MessageAction="SUPPRESS")
idp.admin_set_user_password(UserPoolId=pool_id, Username="dana", Password=password, Permanent=True)

for client in clients:
    def srp(**device):
        return AWSSRP(
            username="dana",
            password=password,
            pool_id=pool_id,
            client_id=client["ClientId"],
            client=idp,
            client_secret=client.get("ClientSecret"),
            **device,
        )

    # A new device, confirmed with pycognito's own verifier.
    first = srp()
    tokens = first.authenticate_user()
    metadata = tokens["AuthenticationResult"]["NewDeviceMetadata"]
    response, device_password = first.confirm_device(tokens, device_name="pycognito")
    assert response.status_code == 200, response.text
    assert response.json() == {"UserConfirmationNecessary": False}, response.text
    device = {
        "device_key": metadata["DeviceKey"],
        "device_group_key": metadata["DeviceGroupKey"],
        "device_password": device_password,
    }

    # The remembered device proves itself, without Sessions.
    tokens = srp(**device).authenticate_user()
    result = tokens["AuthenticationResult"]
    assert "NewDeviceMetadata" not in result, result
    access = result["AccessToken"]
    assert claims_of(access)["device_key"] == metadata["DeviceKey"]
    shown = idp.get_device(AccessToken=access, DeviceKey=metadata["DeviceKey"])["Device"]
    assert {"Name": "device_name", "Value": "pycognito"} in shown["DeviceAttributes"], shown

    # Not remembered: no device step, the tokens keep the key.
    status = first.update_device_status(False, access, metadata["DeviceKey"])
    assert "200" in status, status
    tokens = srp(**device).authenticate_user()
    assert "ChallengeName" not in tokens, tokens
    assert claims_of(tokens["AuthenticationResult"]["AccessToken"])["device_key"] == metadata["DeviceKey"]

    # Forgotten: the key is refused.
    forgot = first.forget_device(access, metadata["DeviceKey"])
    assert "200" in forgot, forgot
    try:
        srp(**device).authenticate_user()
        raise SystemExit("expected ResourceNotFoundException")
    except idp.exceptions.ResourceNotFoundException as e:
        assert e.response["Error"]["Message"] == "Device does not exist.", e.response

print("pycognito devices OK")
