// Amplify v6 custom authentication against the emulator, with the quiz triggers the Rust
// test answers ("2 + 2"): signIn with authFlowType CUSTOM_WITHOUT_SRP, then
// confirmSignIn({challengeResponse}) (a wrong answer is asked again); CUSTOM_WITH_SRP (the
// password checked by SRP first), then confirmSignIn.
//
// Usage: node amplify_custom.mjs <endpoint> <poolId> <clientId>
// The pool has "jane" with password "Perm4nent!pass".
import assert from "node:assert/strict";
import { Amplify } from "aws-amplify";
import { confirmSignIn, fetchAuthSession, signIn, signOut } from "aws-amplify/auth";

const [endpoint, userPoolId, userPoolClientId] = process.argv.slice(2);
const PASSWORD = "Perm4nent!pass";
Amplify.configure({ Auth: { Cognito: { userPoolId, userPoolClientId, userPoolEndpoint: endpoint } } });

// Without SRP: the question at once.
const started = await signIn({ username: "jane", options: { authFlowType: "CUSTOM_WITHOUT_SRP" } });
assert.equal(started.isSignedIn, false);
assert.equal(started.nextStep.signInStep, "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE", JSON.stringify(started));
assert.deepEqual(started.nextStep.additionalInfo, { question: "2 + 2", USERNAME: "jane" });
const wrong = await confirmSignIn({ challengeResponse: "5" });
assert.equal(wrong.nextStep.signInStep, "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE", JSON.stringify(wrong));
const done = await confirmSignIn({ challengeResponse: "4", options: { clientMetadata: { from: "amplify" } } });
assert.equal(done.isSignedIn, true, JSON.stringify(done));
assert.equal((await fetchAuthSession()).tokens.accessToken.payload.username, "jane");
await signOut();

// With SRP: the password first, then the question.
const srp = await signIn({ username: "jane", password: PASSWORD, options: { authFlowType: "CUSTOM_WITH_SRP" } });
assert.equal(srp.nextStep.signInStep, "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE", JSON.stringify(srp));
assert.equal(srp.nextStep.additionalInfo.question, "2 + 2");
const srpDone = await confirmSignIn({ challengeResponse: "4" });
assert.equal(srpDone.isSignedIn, true, JSON.stringify(srpDone));
assert.equal((await fetchAuthSession()).tokens.idToken.payload.email, "jane@example.com");
await signOut();

// A wrong password never reaches the question.
await assert.rejects(
  signIn({ username: "jane", password: "Wrong!pass1", options: { authFlowType: "CUSTOM_WITH_SRP" } }),
  (err) => {
    assert.equal(err.name, "NotAuthorizedException");
    return true;
  },
);
console.log("amplify_custom OK");
