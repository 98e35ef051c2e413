// amazon-cognito-identity-js against the emulator: sign-up and confirmation with the code
// read from the message endpoint, SRP sign-in, NEW_PASSWORD_REQUIRED, refresh.
//
// Usage: node identity_js.mjs <endpoint-url> <userPoolId> <clientId>
// The pool has a user "newbie" with temporary password "Temp0rary!pass" (FORCE_CHANGE_PASSWORD).
import assert from "node:assert/strict";
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserAttribute,
  CognitoUserPool,
} from "amazon-cognito-identity-js";

const [endpoint, userPoolId, clientId] = process.argv.slice(2);
const pool = new CognitoUserPool({ UserPoolId: userPoolId, ClientId: clientId, endpoint });

const promisify = (fn) => new Promise((resolve, reject) => fn((err, result) => (err ? reject(err) : resolve(result))));

// Sign-up, then the code from the emulator's message endpoint.
const signedUp = await promisify((cb) =>
  pool.signUp("jsuser", "Js!passw0rd", [new CognitoUserAttribute({ Name: "email", Value: "js@example.com" })], null, cb),
);
assert.equal(signedUp.userConfirmed, false);
assert.equal(signedUp.codeDeliveryDetails.DeliveryMedium, "EMAIL");
const messages = await (await fetch(`${endpoint}/_emulator/messages?userPoolId=${userPoolId}&username=jsuser`)).json();
const code = messages.messages.at(-1).code;
const user = new CognitoUser({ Username: "jsuser", Pool: pool });
assert.equal(await promisify((cb) => user.confirmRegistration(code, true, cb)), "SUCCESS");

// SRP sign-in (authenticateUser uses USER_SRP_AUTH).
const signIn = (cognitoUser, password, handlers = {}) =>
  new Promise((resolve, reject) =>
    cognitoUser.authenticateUser(new AuthenticationDetails({ Username: cognitoUser.getUsername(), Password: password }), {
      onSuccess: resolve,
      onFailure: reject,
      ...handlers(resolve, reject),
    }),
  );
const session = await signIn(user, "Js!passw0rd", () => ({}));
assert.equal(session.isValid(), true);
assert.equal(session.getIdToken().payload["cognito:username"], "jsuser");
assert.equal(session.getIdToken().payload.email, "js@example.com");
assert.equal(session.getAccessToken().payload.token_use, "access");

// Wrong password.
await assert.rejects(signIn(new CognitoUser({ Username: "jsuser", Pool: pool }), "Wrong!pass1", () => ({})), (err) => {
  assert.equal(err.code, "NotAuthorizedException");
  assert.equal(err.message, "Incorrect username or password.");
  return true;
});

// Refresh.
const refreshed = await promisify((cb) => user.refreshSession(session.getRefreshToken(), cb));
assert.equal(refreshed.getIdToken().payload["cognito:username"], "jsuser");

// NEW_PASSWORD_REQUIRED for an administrator-created user.
const newbie = new CognitoUser({ Username: "newbie", Pool: pool });
const completed = await signIn(newbie, "Temp0rary!pass", (resolve, reject) => ({
  newPasswordRequired(userAttributes, requiredAttributes) {
    assert.deepEqual(requiredAttributes, []);
    assert.equal(userAttributes.email, "newbie@example.com");
    delete userAttributes.email_verified;
    delete userAttributes.email;
    newbie.completeNewPasswordChallenge("Brand!new1pass", userAttributes, { onSuccess: resolve, onFailure: reject });
  },
}));
assert.equal(completed.getAccessToken().payload.username, "newbie");

console.log("identity-js OK");
