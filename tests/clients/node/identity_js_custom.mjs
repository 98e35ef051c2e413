// amazon-cognito-identity-js's custom authentication against the emulator, with the quiz
// triggers the Rust test answers (define / create / verify: "2 + 2", three wrong answers
// fail): initiateAuth with the customChallenge callback and sendCustomChallengeAnswer (a
// wrong answer first), then authenticateUser with authenticationFlowType CUSTOM_AUTH (SRP
// with the password first, then the question), and a wrong password.
//
// Usage: node identity_js_custom.mjs <endpoint> <poolId> <clientId>
// The pool has "jane" with password "Perm4nent!pass".
import assert from "node:assert/strict";
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from "amazon-cognito-identity-js";

const [endpoint, poolId, clientId] = process.argv.slice(2);
const PASSWORD = "Perm4nent!pass";
const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint });

// initiateAuth: the question, a wrong answer (asked again), then the right one.
const user = new CognitoUser({ Username: "jane", Pool: pool });
user.setAuthenticationFlowType("CUSTOM_AUTH");
const asked = [];
const answers = ["5", "4"];
const session = await new Promise((resolve, reject) => {
  const callbacks = {
    onSuccess: resolve,
    onFailure: reject,
    customChallenge(parameters) {
      asked.push(parameters);
      user.sendCustomChallengeAnswer(answers.shift(), callbacks, { from: "identity-js" });
    },
  };
  user.initiateAuth(new AuthenticationDetails({ Username: "jane" }), callbacks);
});
assert.deepEqual(asked, [
  { question: "2 + 2", USERNAME: "jane" },
  { question: "2 + 2", USERNAME: "jane" },
]);
assert.equal(session.getAccessToken().payload.username, "jane");
assert.equal(session.getIdToken().payload.email, "jane@example.com");

// authenticateUser with CUSTOM_AUTH: CHALLENGE_NAME SRP_A, PASSWORD_VERIFIER, the question.
const srpSignIn = (password) => {
  const srpUser = new CognitoUser({ Username: "jane", Pool: pool });
  srpUser.setAuthenticationFlowType("CUSTOM_AUTH");
  let questions = 0;
  return new Promise((resolve, reject) => {
    const callbacks = {
      onSuccess: (s) => resolve({ session: s, questions }),
      onFailure: reject,
      customChallenge(parameters) {
        assert.equal(parameters.question, "2 + 2");
        questions += 1;
        srpUser.sendCustomChallengeAnswer("4", callbacks);
      },
    };
    srpUser.authenticateUser(new AuthenticationDetails({ Username: "jane", Password: password }), callbacks);
  });
};
const withSrp = await srpSignIn(PASSWORD);
assert.equal(withSrp.questions, 1);
assert.equal(withSrp.session.getAccessToken().payload.username, "jane");
await assert.rejects(srpSignIn("Wrong!pass1"), (err) => {
  assert.equal(err.code, "NotAuthorizedException");
  assert.equal(err.message, "Incorrect username or password.");
  return true;
});
console.log("identity_js_custom OK");
