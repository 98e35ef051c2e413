// The hosted sign-in's MFA pages in a real browser, one scenario a run: Chromium fills the
// forms and follows the redirects up to the app (a server of the Rust test's); the code is
// then exchanged at the token endpoint as the app's back end would.
//
// Usage: node browser_mfa.mjs <scenario> <JSON config>
//   config: {endpoint, pool, poolName, clientId, callback, username, password, ...}
// Scenarios:
//   totp: MFA_SETUP inside the sign-in (the secret read from the page, its otpauth link and
//         QR code checked, the code computed with otpauth), then a later sign-in answering
//         SOFTWARE_TOKEN_MFA in a fresh browser context.
//   sms:  SMS_MFA, with the code read from the emulator's message endpoint.
import assert from "node:assert/strict";
import { Secret, TOTP, URI } from "otpauth";
import {
  authorizeUrl, clickTo, exchange, expectError, lastCode, launch, newPage,
} from "./browser_lib.mjs";

const [scenario, json] = process.argv.slice(2);
const config = JSON.parse(json);
const { endpoint, pool, clientId, callback, username, password } = config;
const authorize = authorizeUrl(endpoint, clientId, callback);

/// Opens the sign-in page and submits the password; waits for the form named `next`.
async function passwordStep(page, next) {
  await page.goto(authorize);
  assert.ok(page.url().startsWith(`${endpoint}/login?`), page.url());
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", password);
  await page.click("button[name=signInSubmitButton]");
  await page.waitForSelector(`form[name=${next}]`);
}

const scenarios = {
  async totp(page) {
    const { poolName } = config;
    await passwordStep(page, "cognitoTotpSetupForm");
    assert.equal(await page.textContent("h1"), "Set up multi-factor authentication");
    const secret = (await page.textContent("#totpSecret")).trim();
    assert.match(secret, /^[A-Z2-7]{32}$/);
    // The otpauth link names the pool and the user, and carries the same secret.
    const href = await page.getAttribute("#totpLink", "href");
    const uri = URI.parse(href);
    assert.ok(uri instanceof TOTP);
    assert.equal(uri.issuer, poolName);
    assert.equal(uri.label, username);
    assert.equal(uri.secret.base32, secret);
    // The QR code is drawn in the page itself (an inline SVG), and shown.
    const qr = await page.locator("#totpQrCode svg").boundingBox();
    assert.ok(qr && qr.width >= 150 && qr.height >= 150, JSON.stringify(qr));
    const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" });
    const code = totp.generate();
    const wrong = code === "000000" ? "111111" : "000000";
    await page.fill("input[name=authentication_code]", wrong);
    await page.click("button[name=totpSetupButton]");
    await expectError(page, "Code mismatch");
    // The page shown again keeps the secret.
    assert.equal((await page.textContent("#totpSecret")).trim(), secret);
    await page.fill("input[name=authentication_code]", code);
    await page.fill("input[name=device_name]", "Pixel");
    const landed = await clickTo(page, "button[name=totpSetupButton]", callback);
    const { claims } = await exchange(endpoint, clientId, callback, landed);
    assert.equal(claims["cognito:username"], username);

    // A later sign-in, in a browser without the hosted session: the app's code is asked for.
    const later = await newPage(page.context().browser());
    await passwordStep(later, "cognitoMfaForm");
    assert.equal(
      (await later.textContent("#mfaDescription")).trim(),
      "Enter the code from your authenticator app (Pixel) to complete authentication.",
    );
    // The code that verified the app is spent; the next one is accepted.
    await later.fill("input[name=authentication_code]", code);
    await later.click("button[name=signInButton]");
    await expectError(later, "Your software token has already been used once.");
    await later.fill("input[name=authentication_code]", totp.generate({ timestamp: Date.now() + 30_000 }));
    const again = await clickTo(later, "button[name=signInButton]", callback);
    const second = await exchange(endpoint, clientId, callback, again);
    assert.equal(second.claims["cognito:username"], username);
    assert.equal(later.dialogs(), 0);
  },

  async sms(page) {
    await passwordStep(page, "cognitoMfaForm");
    assert.equal(
      (await page.textContent("#mfaDescription")).trim(),
      "We have delivered the authentication code by SMS to +*******1234. Please enter the code to complete authentication.",
    );
    const code = await lastCode(endpoint, pool, username);
    await page.fill("input[name=authentication_code]", code === "000000" ? "111111" : "000000");
    await page.click("button[name=signInButton]");
    await expectError(page, "Invalid code or auth state for the user.");
    await page.fill("input[name=authentication_code]", code);
    const landed = await clickTo(page, "button[name=signInButton]", callback);
    const { claims } = await exchange(endpoint, clientId, callback, landed);
    assert.equal(claims["cognito:username"], username);
    // Within the hosted session the app's next authorize comes straight back with a code.
    await page.goto(authorize);
    assert.ok(page.url().startsWith(callback), page.url());
  },
};

const run = scenarios[scenario];
assert.ok(run, `no scenario ${scenario}`);
const browser = await launch();
try {
  const page = await newPage(browser);
  await run(page);
  assert.equal(page.dialogs(), 0, "a script opened a dialog");
  console.log(`${scenario} OK`);
} finally {
  await browser.close();
}
