// Amplify v6 (aws-amplify/auth) against the emulator: sign-up and confirmation with the code
// from the message endpoint, SRP sign-in, the new-password step, sign-out.
//
// Usage: node amplify.mjs <endpoint-url> <userPoolId> <clientId>
// The pool has "amp" (password "Amp!passw0rd", confirmed) and "ampnew" (temporary password
// "Temp0rary!pass"), and auto-verifies e-mail.
import assert from "node:assert/strict";
import { Amplify } from "aws-amplify";
import { confirmSignIn, confirmSignUp, fetchAuthSession, getCurrentUser, signIn, signOut, signUp } from "aws-amplify/auth";

const [endpoint, userPoolId, userPoolClientId] = process.argv.slice(2);
Amplify.configure({
  Auth: { Cognito: { userPoolId, userPoolClientId, userPoolEndpoint: endpoint } },
});

const first = await signIn({ username: "amp", password: "Amp!passw0rd" });
assert.equal(first.isSignedIn, true, JSON.stringify(first));
const current = await getCurrentUser();
assert.equal(current.username, "amp");
const { tokens } = await fetchAuthSession();
assert.equal(tokens.idToken.payload["cognito:username"], "amp");
assert.equal(tokens.accessToken.payload.token_use, "access");
await signOut();

const pending = await signIn({ username: "ampnew", password: "Temp0rary!pass" });
assert.equal(pending.isSignedIn, false);
assert.equal(pending.nextStep.signInStep, "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED");
const done = await confirmSignIn({ challengeResponse: "Amp!new1pass" });
assert.equal(done.isSignedIn, true, JSON.stringify(done));
assert.equal((await getCurrentUser()).username, "ampnew");
await signOut({ global: true });

await assert.rejects(signIn({ username: "amp", password: "Wrong!pass1" }), (err) => {
  assert.equal(err.name, "NotAuthorizedException");
  assert.equal(err.message, "Incorrect username or password.");
  return true;
});

// Sign-up, the code from the emulator's message endpoint, confirmation, sign-in.
const registered = await signUp({
  username: "ampsign",
  password: "Amp!signup1",
  options: { userAttributes: { email: "ampsign@example.com" } },
});
assert.equal(registered.isSignUpComplete, false);
assert.equal(registered.nextStep.signUpStep, "CONFIRM_SIGN_UP");
assert.equal(registered.nextStep.codeDeliveryDetails.deliveryMedium, "EMAIL");
const messages = await (await fetch(`${endpoint}/_emulator/messages?userPoolId=${userPoolId}&username=ampsign`)).json();
const confirmed = await confirmSignUp({ username: "ampsign", confirmationCode: messages.messages.at(-1).code });
assert.equal(confirmed.isSignUpComplete, true);
const signedUp = await signIn({ username: "ampsign", password: "Amp!signup1" });
assert.equal(signedUp.isSignedIn, true, JSON.stringify(signedUp));
await signOut();

console.log("amplify OK");
