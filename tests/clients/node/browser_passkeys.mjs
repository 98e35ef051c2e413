// Passkeys on the hosted pages in a real browser: Chromium with a virtual authenticator
// (the DevTools protocol's WebAuthn domain: CTAP2, internal transport, resident keys, user
// verification). The pool's relying party is `localhost`, so the pages are opened at
// http://localhost:<port>, a secure context.
//
// Usage: node browser_passkeys.mjs <scenario> <JSON config>
//   config: {endpoint, clientId, callback, username, password}
// Scenarios:
//   register_then_sign_in: the username, the password (choice page), then /passkeys/add
//     (navigator.credentials.create on the page) back to the app; then, without the hosted
//     session, the username and "Sign in with a passkey" (navigator.credentials.get); and
//     an authenticator that cannot verify the user refused in the page.
import assert from "node:assert/strict";
import { authorizeUrl, clickTo, exchange, launch, newPage } from "./browser_lib.mjs";

const [scenario, json] = process.argv.slice(2);
const config = JSON.parse(json);
const endpoint = config.endpoint.replace("//127.0.0.1:", "//localhost:");
const { clientId, callback, username, password } = config;
const authorize = authorizeUrl(endpoint, clientId, callback);

/// A virtual platform authenticator for the page, as a passkey provider would be.
async function virtualAuthenticator(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2", transport: "internal", hasResidentKey: true,
      hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true,
    },
  });
  return {
    setUserVerified: (isUserVerified) =>
      cdp.send("WebAuthn.setUserVerified", { authenticatorId, isUserVerified }),
    credentials: async () => (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials,
  };
}

/// The authorize request, then the username: the page of the user's methods.
async function usernameStep(page) {
  await page.goto(authorize);
  assert.ok(page.url().startsWith(`${endpoint}/login?`), page.url());
  assert.equal(await page.locator("input[name=password]").count(), 0);
  await page.fill("input[name=username]", username);
  await page.click("button[name=nextButton]");
  await page.waitForSelector("#signInAs");
}

const scenarios = {
  async register_then_sign_in(page) {
    const authenticator = await virtualAuthenticator(page);
    await usernameStep(page);
    // No passkey yet: the password and the codes are offered.
    assert.equal(await page.locator("button[value=WEB_AUTHN]").count(), 0);
    await page.fill("input[name=password]", password);
    const first = await clickTo(page, "button[name=passwordButton]", callback);
    await exchange(endpoint, clientId, callback, first);

    // The app sends the signed-in user to the passkey page.
    await page.goto(`${endpoint}/passkeys/add${new URL(authorize).search}`);
    assert.equal((await page.textContent("h1")).trim(), "Add a passkey");
    const back = await clickTo(page, "#passkeyButton", callback);
    await exchange(endpoint, clientId, callback, back);
    const credentials = await authenticator.credentials();
    assert.equal(credentials.length, 1);
    assert.equal(credentials[0].rpId, "localhost");
    assert.equal(credentials[0].isResidentCredential, true);

    // Signed out of the hosted session: the passkey signs in.
    await page.context().clearCookies();
    await usernameStep(page);
    await page.click("button[value=WEB_AUTHN]");
    await page.waitForSelector("form[name=cognitoPasskeyForm]");
    const landed = await clickTo(page, "#passkeyButton", callback);
    const { claims } = await exchange(endpoint, clientId, callback, landed);
    assert.equal(claims["cognito:username"], username);
    assert.equal((await authenticator.credentials())[0].signCount, 2);

    // The pool requires user verification: an authenticator that cannot verify the user
    // fails in the browser, and the page says so (no post).
    await authenticator.setUserVerified(false);
    await page.context().clearCookies();
    await usernameStep(page);
    await page.click("button[value=WEB_AUTHN]");
    await page.waitForSelector("form[name=cognitoPasskeyForm]");
    await page.click("#passkeyButton");
    const failed = page.locator("#passkeyError", { hasText: "The passkey could not be used" });
    await failed.waitFor();
    assert.equal((await failed.textContent()).trim(), "The passkey could not be used (NotAllowedError). Try again.");
    assert.ok(page.url().startsWith(`${endpoint}/login?`), page.url());
  },
};

const run = scenarios[scenario];
assert.ok(run, `no scenario ${scenario}`);
const browser = await launch();
try {
  const page = await newPage(browser);
  const errors = [];
  // Script errors and CSP refusals (a favicon's 404 is no error of the pages).
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  await run(page);
  assert.deepEqual(errors, [], "the page logged errors (a script refused by the CSP?)");
  assert.equal(page.dialogs(), 0, "a script opened a dialog");
  console.log(`${scenario} OK`);
} finally {
  await browser.close();
}
