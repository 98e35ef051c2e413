// Shared helpers of the headless-browser tests: Debian's Chromium through playwright-core
// (no browser download), the emulator's kept messages, and the app's side of the code flow
// (the token exchange an app's back end makes, with fetch).
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

/// Chromium, headless, with nothing reaching out to the network by itself.
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/// A page of a fresh context that fails the test if any script opens a dialog (what an
/// injected `alert` would do); `page.dialogs()` counts them.
export async function newPage(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  let dialogs = 0;
  page.on("dialog", async (dialog) => { dialogs += 1; await dialog.dismiss(); });
  page.dialogs = () => dialogs;
  return page;
}

/// The authorize URL of the code flow.
export function authorizeUrl(endpoint, clientId, callback, extra = {}) {
  return `${endpoint}/oauth2/authorize?` + new URLSearchParams({
    response_type: "code", client_id: clientId, redirect_uri: callback,
    scope: "openid email profile", state: "browser-state", ...extra,
  });
}

/// Waits for the URL to start with `prefix` (after whatever redirects lead there).
export async function landOn(page, prefix) {
  await page.waitForURL((url) => url.href.startsWith(prefix));
  return new URL(page.url());
}

/// Clicks an element and waits for the navigation it starts to reach `prefix`.
export async function clickTo(page, selector, prefix) {
  await Promise.all([landOn(page, prefix), page.click(selector)]);
  return new URL(page.url());
}

/// Fills the sign-in form on the page and submits it; waits for `prefix`.
export async function signIn(page, username, password, prefix) {
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", password);
  return clickTo(page, "button[name=signInSubmitButton]", prefix);
}

/// Waits for the page's error message (Cognito's classic hosted UI puts it in
/// `#loginErrorMessage`) to say `expected` (a string: exactly; or a RegExp). Waiting for
/// the text, not just the element, keeps a previous page's message from being read.
export async function expectError(page, expected) {
  const message = page.locator("#loginErrorMessage", { hasText: expected });
  await message.waitFor();
  const text = (await message.textContent()).trim();
  if (expected instanceof RegExp) {
    assert.match(text, expected);
  } else {
    assert.equal(text, expected);
  }
}

/// The code of the last message the emulator "sent" to a user.
export async function lastCode(endpoint, userPoolId, username) {
  const response = await fetch(`${endpoint}/_emulator/messages?` + new URLSearchParams({ userPoolId, username }));
  assert.equal(response.status, 200);
  const { messages } = await response.json();
  assert.ok(messages.length > 0, `no message for ${username}`);
  const code = messages.at(-1).code;
  assert.match(code, /^\d{6}$/);
  return code;
}

/// The app's back end: checks that the browser came back with the app's state and a code,
/// exchanges the code, and returns the tokens with the ID token's claims.
export async function exchange(endpoint, clientId, callback, landed, state = "browser-state") {
  assert.equal(landed.searchParams.get("error"), null, landed.href);
  assert.equal(landed.searchParams.get("state"), state);
  const code = landed.searchParams.get("code");
  assert.ok(code, landed.href);
  const response = await fetch(`${endpoint}/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "authorization_code", client_id: clientId, code, redirect_uri: callback }),
  });
  const tokens = await response.json();
  assert.equal(response.status, 200, JSON.stringify(tokens));
  tokens.claims = JSON.parse(Buffer.from(tokens.id_token.split(".")[1], "base64url").toString());
  return tokens;
}
