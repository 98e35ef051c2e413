// Amplify v6's auto sign-in with USER_AUTH: signUp with autoSignIn, confirmSignUp with the code
// from the message endpoint (its Session), then autoSignIn() signs the user in.
//
// Usage: node amplify_auto_sign_in.mjs <endpoint> <poolId> <clientId> (a USER_AUTH client of a
// pool that auto-verifies e-mail)
import assert from "node:assert/strict";
import { Amplify } from "aws-amplify";
import { autoSignIn, confirmSignUp, fetchAuthSession, signUp } from "aws-amplify/auth";

const [endpoint, userPoolId, userPoolClientId] = process.argv.slice(2);
Amplify.configure({ Auth: { Cognito: { userPoolId, userPoolClientId, userPoolEndpoint: endpoint } } });

const registered = await signUp({
  username: "autouser",
  password: "Auto!signin1",
  options: { userAttributes: { email: "autouser@example.com" }, autoSignIn: { authFlowType: "USER_AUTH" } },
});
assert.equal(registered.nextStep.signUpStep, "CONFIRM_SIGN_UP", JSON.stringify(registered));
const kept = await (await fetch(`${endpoint}/_emulator/messages?userPoolId=${userPoolId}&username=autouser`)).json();
const confirmed = await confirmSignUp({ username: "autouser", confirmationCode: kept.messages.at(-1).code });
assert.equal(confirmed.nextStep.signUpStep, "COMPLETE_AUTO_SIGN_IN", JSON.stringify(confirmed));
const signedIn = await autoSignIn();
assert.equal(signedIn.isSignedIn, true, JSON.stringify(signedIn));
assert.equal((await fetchAuthSession()).tokens.idToken.payload.email, "autouser@example.com");

console.log("amplify auto sign-in OK");
// Amplify keeps a timer that would forget the auto sign-in after three minutes: don't wait for it.
process.exit(0);
