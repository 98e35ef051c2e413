"""pycognito's SRP client (and boto3) against the emulator: USER_SRP_AUTH with and without
a client secret, a wrong password, refresh with SECRET_HASH.

Usage: python3 pycognito_srp.py <endpoint-url>
"""
import base64
import json
import sys

import boto3
from pycognito import Cognito
from pycognito.aws_srp import AWSSRP



def claims_of(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


endpoint = sys.argv[1]
idp = boto3.client(
    "cognito-idp",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="AKIDEXAMPLE",
    aws_secret_access_key="secret",
)

pool_id = idp.create_user_pool(PoolName="pycognito")["UserPool"]["Id"]
flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH"]
public = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="public", ExplicitAuthFlows=flows)["UserPoolClient"]
confidential = idp.create_user_pool_client(
    UserPoolId=pool_id, ClientName="confidential", ExplicitAuthFlows=flows, GenerateSecret=True
)["UserPoolClient"]

password = "Sup3r!secret"
for name in ("ann", "ben"):
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username=name,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}, {"Name": "email_verified", "Value": "true"}],
    )
    idp.admin_set_user_password(UserPoolId=pool_id, Username=name, Password=password, Permanent=True)

# SRP without a secret: pycognito answers PASSWORD_VERIFIER without a Session.
tokens = AWSSRP(username="ann", password=password, pool_id=pool_id, client_id=public["ClientId"], client=idp).authenticate_user()
result = tokens["AuthenticationResult"]
claims = claims_of(result["IdToken"])
assert claims["cognito:username"] == "ann", claims
assert claims["email"] == "ann@example.com", claims
assert claims["token_use"] == "id", claims

# SRP with a secret.
srp = AWSSRP(
    username="ben",
    password=password,
    pool_id=pool_id,
    client_id=confidential["ClientId"],
    client=idp,
    client_secret=confidential["ClientSecret"],
)
result = srp.authenticate_user()["AuthenticationResult"]
assert claims_of(result["AccessToken"])["username"] == "ben"

# A wrong password fails the verifier step with Cognito's message.
try:
    AWSSRP(username="ann", password="Wrong!pass1", pool_id=pool_id, client_id=public["ClientId"], client=idp).authenticate_user()
    raise SystemExit("expected NotAuthorizedException")
except idp.exceptions.NotAuthorizedException as e:
    assert e.response["Error"]["Message"] == "Incorrect username or password.", e.response

# pycognito's Cognito class: password sign-in (it verifies the tokens' signatures and issuer
# with the JWKS it fetches from the issuer), then refresh with SECRET_HASH.
class LocalCognito(Cognito):
    @property
    def user_pool_url(self):
        return f"{endpoint}/{self.user_pool_id}"


user = LocalCognito(
    pool_id,
    confidential["ClientId"],
    client_secret=confidential["ClientSecret"],
    username="ben",
    boto3_client_kwargs={
        "endpoint_url": endpoint,
        "region_name": "us-east-1",
        "aws_access_key_id": "AKIDEXAMPLE",
        "aws_secret_access_key": "secret",
    },
)
user.authenticate(password=password)
first_access = user.access_token
user.renew_access_token()
assert user.access_token and user.access_token != first_access
assert claims_of(user.id_token)["cognito:username"] == "ben"

# GetSigningCertificate: a real X.509 certificate (parsed by `cryptography`, which pycognito
# brings) whose key is the pool's ID-token key in the JWKS.
import urllib.request

from cryptography import x509

der = base64.b64decode(idp.get_signing_certificate(UserPoolId=pool_id)["Certificate"])
certificate = x509.load_der_x509_certificate(der)
jwks = json.load(urllib.request.urlopen(f"{endpoint}/{pool_id}/.well-known/jwks.json"))
modulus = certificate.public_key().public_numbers().n
jwk_moduli = [int.from_bytes(base64.urlsafe_b64decode(k["n"] + "=="), "big") for k in jwks["keys"]]
assert modulus in jwk_moduli, "certificate key is one of the pool's keys"
assert pool_id in certificate.subject.rfc4514_string(), certificate.subject.rfc4514_string()
validity = certificate.not_valid_after_utc - certificate.not_valid_before_utc
assert validity.days >= 3650 - 3, validity

print("pycognito OK")
