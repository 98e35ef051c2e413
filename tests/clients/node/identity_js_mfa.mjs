// amazon-cognito-identity-js's MFA handling against the emulator: a software token set up
// after sign-in (associateSoftwareToken / verifySoftwareToken / setUserMfaPreference), then
// totpRequired; selectMFAType and mfaRequired with an SMS code from the message endpoint;
// mfaSetup inside sign-in (the Session-based association) in a pool that requires MFA.
//
// Usage: node identity_js_mfa.mjs <endpoint> <poolId> <clientId> <setupPoolId> <setupClientId>
// The first pool (MFA OPTIONAL, SMS and TOTP) has "mfauser" (phone +15555550123) and the second
// (MFA ON, TOTP only) has "setupuser", both with password "Mfa!passw0rd".
import assert from "node:assert/strict";
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from "amazon-cognito-identity-js";
import { Secret, TOTP } from "otpauth";

const [endpoint, poolId, clientId, setupPoolId, setupClientId] = process.argv.slice(2);
const PASSWORD = "Mfa!passw0rd";
const code = (secret, steps = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" }).generate({
    timestamp: Date.now() + steps * 30_000,
  });
const lastCode = async (pool, username) => {
  const kept = await (await fetch(`${endpoint}/_emulator/messages?userPoolId=${pool}&username=${username}`)).json();
  return kept.messages.at(-1).code;
};

const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint });
const signIn = (user, handlers) =>
  new Promise((resolve, reject) =>
    user.authenticateUser(new AuthenticationDetails({ Username: user.getUsername(), Password: PASSWORD }), {
      onSuccess: resolve,
      onFailure: reject,
      ...handlers(resolve, reject),
    }),
  );

// No factor on yet: signed in at once. Then a software token is set up.
const user = new CognitoUser({ Username: "mfauser", Pool: pool });
await signIn(user, () => ({}));
const secret = await new Promise((resolve, reject) =>
  user.associateSoftwareToken({ associateSecretCode: resolve, onFailure: reject }),
);
assert.match(secret, /^[A-Z2-7]{32}$/);
await new Promise((resolve, reject) =>
  user.verifySoftwareToken(code(secret), "phone", { onSuccess: resolve, onFailure: reject }),
);
await new Promise((resolve, reject) =>
  user.setUserMfaPreference(null, { Enabled: true, PreferredMfa: true }, (err, result) =>
    err ? reject(err) : resolve(result),
  ),
);

// totpRequired, answered with the next step's code (the current one was spent verifying).
const again = new CognitoUser({ Username: "mfauser", Pool: pool });
const totpSession = await signIn(again, (resolve, reject) => ({
  totpRequired(challengeName) {
    assert.equal(challengeName, "SOFTWARE_TOKEN_MFA");
    again.sendMFACode(code(secret, 1), { onSuccess: resolve, onFailure: reject }, "SOFTWARE_TOKEN_MFA");
  },
}));
assert.equal(totpSession.getAccessToken().payload.username, "mfauser");

// SMS on as well and no preference: selectMFAType, then mfaRequired with the SMS code.
await new Promise((resolve, reject) =>
  again.setUserMfaPreference(
    { Enabled: true, PreferredMfa: false },
    { Enabled: true, PreferredMfa: false },
    (err, result) => (err ? reject(err) : resolve(result)),
  ),
);
const third = new CognitoUser({ Username: "mfauser", Pool: pool });
let offered;
const smsSession = await signIn(third, (resolve, reject) => ({
  selectMFAType(challengeName, parameters) {
    assert.equal(challengeName, "SELECT_MFA_TYPE");
    offered = JSON.parse(parameters.MFAS_CAN_CHOOSE);
    third.sendMFASelectionAnswer("SMS_MFA", {
      onSuccess: resolve,
      onFailure: reject,
      async mfaRequired(name, params) {
        assert.equal(name, "SMS_MFA");
        assert.equal(params.CODE_DELIVERY_DESTINATION, "+*******0123");
        third.sendMFACode(await lastCode(poolId, "mfauser"), { onSuccess: resolve, onFailure: reject });
      },
    });
  },
}));
assert.deepEqual(offered.sort(), ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]);
assert.equal(smsSession.getIdToken().payload.phone_number, "+15555550123");

// MFA required and no factor: mfaSetup, the token associated and verified with the Session.
const setupPool = new CognitoUserPool({ UserPoolId: setupPoolId, ClientId: setupClientId, endpoint });
const newcomer = new CognitoUser({ Username: "setupuser", Pool: setupPool });
const setUp = await signIn(newcomer, (resolve, reject) => ({
  mfaSetup(challengeName, parameters) {
    assert.equal(challengeName, "MFA_SETUP");
    assert.deepEqual(JSON.parse(parameters.MFAS_CAN_SETUP), ["SOFTWARE_TOKEN_MFA"]);
    newcomer.associateSoftwareToken({
      onFailure: reject,
      associateSecretCode(setupSecret) {
        newcomer.verifySoftwareToken(code(setupSecret), "laptop", { onSuccess: resolve, onFailure: reject });
      },
    });
  },
}));
assert.equal(setUp.getAccessToken().payload.username, "setupuser");

console.log("identity-js MFA OK");
