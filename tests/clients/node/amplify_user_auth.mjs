// Amplify v6 choice-based sign-in (authFlowType "USER_AUTH") against the emulator: an e-mail
// code preferred up front, the first-factor choice answered with EMAIL_OTP, and the choice
// answered with PASSWORD.
//
// Usage: node amplify_user_auth.mjs <endpoint> <poolId> <clientId>
// The pool allows PASSWORD, EMAIL_OTP and SMS_OTP first; "hana" has a verified e-mail
// (hana@example.com) and the password "Perm4nent!pass".
import assert from "node:assert/strict";
import { Amplify } from "aws-amplify";
import { confirmSignIn, fetchAuthSession, signIn, signOut } from "aws-amplify/auth";

const [endpoint, userPoolId, userPoolClientId] = process.argv.slice(2);
Amplify.configure({ Auth: { Cognito: { userPoolId, userPoolClientId, userPoolEndpoint: endpoint } } });
const lastCode = async () => {
  const kept = await (await fetch(`${endpoint}/_emulator/messages?userPoolId=${userPoolId}&username=hana`)).json();
  return kept.messages.at(-1).code;
};

// EMAIL_OTP preferred: the code step at once.
const preferred = await signIn({
  username: "hana",
  options: { authFlowType: "USER_AUTH", preferredChallenge: "EMAIL_OTP" },
});
assert.equal(preferred.nextStep.signInStep, "CONFIRM_SIGN_IN_WITH_EMAIL_CODE", JSON.stringify(preferred));
assert.equal(preferred.nextStep.codeDeliveryDetails.deliveryMedium, "EMAIL");
const code = await lastCode();
assert.match(code, /^\d{8}$/);
const signedIn = await confirmSignIn({ challengeResponse: code });
assert.equal(signedIn.isSignedIn, true, JSON.stringify(signedIn));
assert.equal((await fetchAuthSession()).tokens.idToken.payload.email, "hana@example.com");
await signOut();

// No preference: the choice of first factor, then the e-mail code.
const choice = await signIn({ username: "hana", options: { authFlowType: "USER_AUTH" } });
assert.equal(choice.nextStep.signInStep, "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION", JSON.stringify(choice));
assert.ok(choice.nextStep.availableChallenges.includes("EMAIL_OTP"), JSON.stringify(choice));
assert.ok(choice.nextStep.availableChallenges.includes("PASSWORD"), JSON.stringify(choice));
const emailStep = await confirmSignIn({ challengeResponse: "EMAIL_OTP" });
assert.equal(emailStep.nextStep.signInStep, "CONFIRM_SIGN_IN_WITH_EMAIL_CODE", JSON.stringify(emailStep));
await assert.rejects(confirmSignIn({ challengeResponse: "00000000" }), (err) => {
  assert.equal(err.name, "CodeMismatchException");
  return true;
});
const byChoice = await confirmSignIn({ challengeResponse: await lastCode() });
assert.equal(byChoice.isSignedIn, true, JSON.stringify(byChoice));
await signOut();

// The choice answered with PASSWORD, then the password.
const again = await signIn({ username: "hana", options: { authFlowType: "USER_AUTH" } });
assert.equal(again.nextStep.signInStep, "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION");
const passwordStep = await confirmSignIn({ challengeResponse: "PASSWORD" });
assert.equal(passwordStep.nextStep.signInStep, "CONFIRM_SIGN_IN_WITH_PASSWORD", JSON.stringify(passwordStep));
const byPassword = await confirmSignIn({ challengeResponse: "Perm4nent!pass" });
assert.equal(byPassword.isSignedIn, true, JSON.stringify(byPassword));
assert.equal((await fetchAuthSession()).tokens.accessToken.payload.username, "hana");
await signOut();

console.log("amplify USER_AUTH OK");
