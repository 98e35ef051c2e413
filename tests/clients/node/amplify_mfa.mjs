// Amplify v6 MFA steps against the emulator: TOTP set up inside sign-in
// (CONTINUE_SIGN_IN_WITH_TOTP_SETUP), then CONFIRM_SIGN_IN_WITH_TOTP_CODE; the MFA setup
// choice with e-mail (CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION → _EMAIL_SETUP), then
// CONFIRM_SIGN_IN_WITH_EMAIL_CODE with the code from the message endpoint.
//
// Usage: node amplify_mfa.mjs <endpoint> <totpPoolId> <totpClientId> <choicePoolId> <choiceClientId>
// The first pool (MFA ON, TOTP only) has "amptotp", the second (MFA ON, TOTP and e-mail) has
// "ampemail"; both with password "Mfa!passw0rd".
import assert from "node:assert/strict";
import { Amplify } from "aws-amplify";
import { confirmSignIn, fetchAuthSession, signIn, signOut } from "aws-amplify/auth";
import { Secret, TOTP } from "otpauth";

const [endpoint, totpPool, totpClient, choicePool, choiceClient] = process.argv.slice(2);
const PASSWORD = "Mfa!passw0rd";
const configure = (userPoolId, userPoolClientId) =>
  Amplify.configure({ Auth: { Cognito: { userPoolId, userPoolClientId, userPoolEndpoint: endpoint } } });
const totp = (secret, steps = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" }).generate({
    timestamp: Date.now() + steps * 30_000,
  });
const lastCode = async (pool, username) => {
  const kept = await (await fetch(`${endpoint}/_emulator/messages?userPoolId=${pool}&username=${username}`)).json();
  return kept.messages.at(-1).code;
};

// TOTP set up inside sign-in.
configure(totpPool, totpClient);
const setup = await signIn({ username: "amptotp", password: PASSWORD });
assert.equal(setup.isSignedIn, false);
assert.equal(setup.nextStep.signInStep, "CONTINUE_SIGN_IN_WITH_TOTP_SETUP", JSON.stringify(setup));
const secret = setup.nextStep.totpSetupDetails.sharedSecret;
assert.match(secret, /^[A-Z2-7]{32}$/);
assert.match(setup.nextStep.totpSetupDetails.getSetupUri("EmulatorApp").href, /^otpauth:\/\/totp\/EmulatorApp:amptotp\?/);
const setUp = await confirmSignIn({ challengeResponse: totp(secret) });
assert.equal(setUp.isSignedIn, true, JSON.stringify(setUp));
assert.equal((await fetchAuthSession()).tokens.accessToken.payload.username, "amptotp");
await signOut();

// From now on the code is asked for (the next step's: the current one was spent).
const again = await signIn({ username: "amptotp", password: PASSWORD });
assert.equal(again.nextStep.signInStep, "CONFIRM_SIGN_IN_WITH_TOTP_CODE", JSON.stringify(again));
await assert.rejects(confirmSignIn({ challengeResponse: "000000" }), (err) => {
  assert.equal(err.name, "CodeMismatchException");
  return true;
});
const totpDone = await confirmSignIn({ challengeResponse: totp(secret, 1) });
assert.equal(totpDone.isSignedIn, true, JSON.stringify(totpDone));
await signOut();

// The setup choice: e-mail.
configure(choicePool, choiceClient);
const choice = await signIn({ username: "ampemail", password: PASSWORD });
assert.equal(choice.nextStep.signInStep, "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION", JSON.stringify(choice));
assert.deepEqual([...choice.nextStep.allowedMFATypes].sort(), ["EMAIL", "TOTP"]);
const emailSetup = await confirmSignIn({ challengeResponse: "EMAIL" });
assert.equal(emailSetup.nextStep.signInStep, "CONTINUE_SIGN_IN_WITH_EMAIL_SETUP", JSON.stringify(emailSetup));
const emailCode = await confirmSignIn({ challengeResponse: "ampemail@example.com" });
assert.equal(emailCode.nextStep.signInStep, "CONFIRM_SIGN_IN_WITH_EMAIL_CODE", JSON.stringify(emailCode));
assert.equal(emailCode.nextStep.codeDeliveryDetails.deliveryMedium, "EMAIL");
assert.equal(emailCode.nextStep.codeDeliveryDetails.destination, "a***@e***");
const emailDone = await confirmSignIn({ challengeResponse: await lastCode(choicePool, "ampemail") });
assert.equal(emailDone.isSignedIn, true, JSON.stringify(emailDone));
await signOut();

// E-mail MFA is now the user's: the next sign-in asks for an e-mailed code.
const byEmail = await signIn({ username: "ampemail", password: PASSWORD });
assert.equal(byEmail.nextStep.signInStep, "CONFIRM_SIGN_IN_WITH_EMAIL_CODE", JSON.stringify(byEmail));
const byEmailDone = await confirmSignIn({ challengeResponse: await lastCode(choicePool, "ampemail") });
assert.equal(byEmailDone.isSignedIn, true);
assert.equal((await fetchAuthSession()).tokens.idToken.payload.email, "ampemail@example.com");
await signOut();

console.log("amplify MFA OK");
