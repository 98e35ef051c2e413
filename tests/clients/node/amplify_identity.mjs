// Amplify v6 fetchAuthSession() with an identity pool: a guest's credentials, then a
// signed-in user's (the Logins key Amplify derives from the ID token's issuer).
//
// Usage: node amplify_identity.mjs <endpoint-url> <userPoolId> <clientId> <identityPoolId>
// The pool has "amp" (password "Amp!passw0rd", confirmed); the identity pool allows guests.
import assert from "node:assert/strict";
import { Amplify } from "aws-amplify";
import { fetchAuthSession, signIn, signOut } from "aws-amplify/auth";

const [endpoint, userPoolId, userPoolClientId, identityPoolId] = process.argv.slice(2);
Amplify.configure({
  Auth: {
    Cognito: {
      userPoolId,
      userPoolClientId,
      userPoolEndpoint: endpoint,
      identityPoolId,
      identityPoolEndpoint: endpoint,
      allowGuestAccess: true,
    },
  },
});
const introspect = async (accessKeyId) =>
  (await fetch(`${endpoint}/_emulator/credentials/${accessKeyId}`)).json();

const guest = await fetchAuthSession();
assert.equal(guest.tokens, undefined);
assert.match(guest.identityId, /^us-east-1:/);
assert.match(guest.credentials.accessKeyId, /^ASIA/);
const guestIssued = await introspect(guest.credentials.accessKeyId);
assert.equal(guestIssued.roleArn, "arn:aws:iam::000000000000:role/unauthenticated");
assert.equal(guestIssued.identityId, guest.identityId);

const signedIn = await signIn({ username: "amp", password: "Amp!passw0rd" });
assert.equal(signedIn.isSignedIn, true, JSON.stringify(signedIn));
const session = await fetchAuthSession();
assert.equal(session.tokens.idToken.payload["cognito:username"], "amp");
assert.match(session.credentials.accessKeyId, /^ASIA/);
const issued = await introspect(session.credentials.accessKeyId);
assert.equal(issued.roleArn, "arn:aws:iam::000000000000:role/authenticated");
assert.equal(issued.authenticated, true);
assert.equal(issued.identityId, session.identityId);
assert.deepEqual(issued.logins, [`cognito-idp.us-east-1.amazonaws.com/${userPoolId}`]);
await signOut();

console.log("amplify identity OK");
