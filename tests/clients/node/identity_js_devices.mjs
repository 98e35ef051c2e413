// amazon-cognito-identity-js and remembered devices: it confirms the device it is handed at
// sign-in by itself, the user opts in (setDeviceStatusRemembered), the next sign-in proves
// the device (DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER) by itself, refresh sends the
// device key, and once an administrator forgets the device the client retries without it.
//
// Usage: node identity_js_devices.mjs <endpoint-url> <userPoolId> <clientId>
// The pool tracks devices with DeviceOnlyRememberedOnUserPrompt; user "devuser" has the
// permanent password "Dev!passw0rd".
import assert from "node:assert/strict";
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from "amazon-cognito-identity-js";

const [endpoint, userPoolId, clientId] = process.argv.slice(2);
const pool = new CognitoUserPool({ UserPoolId: userPoolId, ClientId: clientId, endpoint });
const password = "Dev!passw0rd";

const promisify = (fn) => new Promise((resolve, reject) => fn((err, result) => (err ? reject(err) : resolve(result))));

// An administrator's call (the emulator does not check signatures).
const adminCall = async (operation, body) => {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `AWSCognitoIdentityProviderService.${operation}`,
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  assert.equal(response.status, 200, text);
  return JSON.parse(text);
};

// A user object whose requests are recorded ("Operation:ChallengeName or AuthFlow").
const newUser = () => {
  const user = new CognitoUser({ Username: "devuser", Pool: pool });
  const seen = [];
  const request = user.client.request.bind(user.client);
  user.client.request = (operation, params, callback) => {
    seen.push(`${operation}:${params.ChallengeName ?? params.AuthFlow ?? ""}`);
    return request(operation, params, callback);
  };
  return { user, seen };
};

// authenticateUser (SRP); resolves with [session, userConfirmationNecessary].
const signIn = (user) =>
  new Promise((resolve, reject) =>
    user.authenticateUser(new AuthenticationDetails({ Username: "devuser", Password: password }), {
      onSuccess: (session, userConfirmationNecessary) => resolve([session, userConfirmationNecessary]),
      onFailure: reject,
    }),
  );

// First sign-in: a new device, which identity-js confirms; the pool asks the user.
const first = newUser();
const [session, confirmationNecessary] = await signIn(first.user);
assert.equal(confirmationNecessary, true);
assert.ok(first.seen.includes("ConfirmDevice:"), first.seen.join(", "));
const deviceKey = session.getAccessToken().payload.device_key;
assert.match(deviceKey, /^us-east-1_[0-9a-f-]{36}$/);

// Not remembered yet: the next sign-in has no device step.
const second = newUser();
await signIn(second.user);
assert.ok(!second.seen.includes("RespondToAuthChallenge:DEVICE_SRP_AUTH"), second.seen.join(", "));

// The user opts in.
assert.equal(await promisify((cb) => first.user.setDeviceStatusRemembered({ onSuccess: (r) => cb(null, r), onFailure: cb })), "SUCCESS");
const device = await promisify((cb) => first.user.getDevice({ onSuccess: (r) => cb(null, r), onFailure: cb }));
assert.equal(device.Device.DeviceKey, deviceKey);
const status = device.Device.DeviceAttributes.find((a) => a.Name === "dev:device_remembered_status");
assert.equal(status.Value, "remembered");
const listed = await promisify((cb) => first.user.listDevices(10, null, { onSuccess: (r) => cb(null, r), onFailure: cb }));
assert.equal(listed.Devices.length, 1);
assert.ok(listed.Devices[0].DeviceAttributes.some((a) => a.Name === "device_name" && a.Value.length > 0));

// Remembered: identity-js proves the device by itself.
const third = newUser();
const [remembered] = await signIn(third.user);
assert.ok(third.seen.includes("RespondToAuthChallenge:DEVICE_SRP_AUTH"), third.seen.join(", "));
assert.ok(third.seen.includes("RespondToAuthChallenge:DEVICE_PASSWORD_VERIFIER"), third.seen.join(", "));
assert.ok(!third.seen.includes("ConfirmDevice:"), third.seen.join(", "));
assert.equal(remembered.getAccessToken().payload.device_key, deviceKey);

// Refresh sends the device key (the refresh token is bound to the device).
const refreshed = await promisify((cb) => third.user.refreshSession(remembered.getRefreshToken(), cb));
assert.equal(refreshed.getAccessToken().payload.device_key, deviceKey);

// An administrator forgets the device; the client still has it: told the device does not
// exist, identity-js answers again without it and confirms a new one.
await adminCall("AdminForgetDevice", { UserPoolId: userPoolId, Username: "devuser", DeviceKey: deviceKey });
const fourth = newUser();
const [renewed, again] = await signIn(fourth.user);
assert.equal(again, true);
const newKey = renewed.getAccessToken().payload.device_key;
assert.ok(newKey && newKey !== deviceKey, newKey);
assert.ok(fourth.seen.includes("ConfirmDevice:"), fourth.seen.join(", "));
assert.equal(
  fourth.seen.filter((s) => s === "RespondToAuthChallenge:PASSWORD_VERIFIER").length,
  2,
  fourth.seen.join(", "),
);

// forgetDevice with the user's own token: the tokens issued to the device die with it.
assert.equal(await promisify((cb) => fourth.user.forgetDevice({ onSuccess: (r) => cb(null, r), onFailure: cb })), "SUCCESS");
await assert.rejects(
  promisify((cb) => fourth.user.listDevices(10, null, { onSuccess: (r) => cb(null, r), onFailure: cb })),
  (err) => err.code === "NotAuthorizedException" && err.message === "Access Token has been revoked",
);
const none = await adminCall("AdminListDevices", { UserPoolId: userPoolId, Username: "devuser" });
assert.deepEqual(none.Devices, []);

console.log("identity-js devices OK");
