// @aws-sdk/client-cognito-identity and @aws-sdk/credential-providers (fromCognitoIdentityPool)
// against the emulator: a guest's and a signed-in user's credentials, and a bad login.
//
// Usage: node identity_sdk_v3.mjs <endpoint-url> <identityPoolId> <userPoolId> <idToken>
// The identity pool allows guests and trusts the user pool; its authenticated role is
// arn:aws:iam::000000000000:role/authenticated, its unauthenticated one .../unauthenticated.
import assert from "node:assert/strict";
import {
  CognitoIdentityClient,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
} from "@aws-sdk/client-cognito-identity";
import { fromCognitoIdentityPool } from "@aws-sdk/credential-providers";

const [endpoint, identityPoolId, userPoolId, idToken] = process.argv.slice(2);
const region = identityPoolId.split(":")[0];
const provider = `cognito-idp.${region}.amazonaws.com/${userPoolId}`;
const introspect = async (accessKeyId) =>
  (await fetch(`${endpoint}/_emulator/credentials/${accessKeyId}`)).json();

// The client directly: no AWS credentials needed for GetId / GetCredentialsForIdentity.
const client = new CognitoIdentityClient({ region, endpoint });
const { IdentityId } = await client.send(new GetIdCommand({ IdentityPoolId: identityPoolId }));
assert.match(IdentityId, /^us-east-1:[0-9a-f-]{36}$/);
const guest = await client.send(new GetCredentialsForIdentityCommand({ IdentityId }));
assert.equal(guest.IdentityId, IdentityId);
assert.match(guest.Credentials.AccessKeyId, /^ASIA[A-Z0-9]{16}$/);
assert.equal(guest.Credentials.SecretKey.length, 40);
assert.ok(guest.Credentials.Expiration instanceof Date);
assert.ok(Math.abs(guest.Credentials.Expiration.getTime() - Date.now() - 3600_000) < 60_000);
assert.equal((await introspect(guest.Credentials.AccessKeyId)).roleArn, "arn:aws:iam::000000000000:role/unauthenticated");

await assert.rejects(
  client.send(new GetIdCommand({ IdentityPoolId: identityPoolId, Logins: { [provider]: "not.a.token" } })),
  (err) => {
    assert.equal(err.name, "NotAuthorizedException");
    assert.equal(err.message, "Invalid login token. Couldn't verify signed token.");
    return true;
  },
);

// The credential provider an app gives its other AWS clients.
const guestProvider = fromCognitoIdentityPool({ identityPoolId, clientConfig: { region, endpoint } });
const guestCredentials = await guestProvider();
assert.match(guestCredentials.accessKeyId, /^ASIA/);
assert.ok(guestCredentials.sessionToken.length > 500);
assert.ok(guestCredentials.identityId.startsWith("us-east-1:"));
assert.equal((await introspect(guestCredentials.accessKeyId)).authenticated, false);

const userProvider = fromCognitoIdentityPool({
  identityPoolId,
  logins: { [provider]: idToken },
  clientConfig: { region, endpoint },
});
const userCredentials = await userProvider();
const issued = await introspect(userCredentials.accessKeyId);
assert.equal(issued.roleArn, "arn:aws:iam::000000000000:role/authenticated");
assert.equal(issued.authenticated, true);
assert.deepEqual(issued.logins, [provider]);
assert.equal(issued.identityId, userCredentials.identityId);
// The same login, the same identity.
const again = await fromCognitoIdentityPool({
  identityPoolId,
  logins: { [provider]: idToken },
  clientConfig: { region, endpoint },
})();
assert.equal(again.identityId, userCredentials.identityId);

console.log("identity sdk v3 OK");
