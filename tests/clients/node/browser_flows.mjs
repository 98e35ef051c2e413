// The hosted pages' flows in a real browser, one scenario a run: Chromium clicks the pages'
// links and buttons, fills their forms and follows every redirect by itself, up to the app
// (a server of the Rust test's) that receives the code; the code is then exchanged as the
// app's back end would, and the ID token's claims checked.
//
// Usage: node browser_flows.mjs <scenario> <JSON config>
//   config: {endpoint, pool, clientId, callback, ...what the scenario needs}
// Scenarios: sign-up, forgot-password, new-password, logout, oidc-federation, social, saml.
import assert from "node:assert/strict";
import {
  authorizeUrl, clickTo, exchange, expectError, landOn, lastCode, launch, newPage, signIn,
} from "./browser_lib.mjs";

const [scenario, json] = process.argv.slice(2);
const config = JSON.parse(json);
const { endpoint, pool, clientId, callback } = config;
const authorize = authorizeUrl(endpoint, clientId, callback);

/// Opens the sign-in page through the app's authorize request.
async function openSignIn(page) {
  await page.goto(authorize);
  assert.ok(page.url().startsWith(`${endpoint}/login?`), page.url());
  await page.waitForSelector("form[name=cognitoSignInForm]");
}

/// Within the hosted session the app's next authorize comes straight back with a code.
async function withinTheSession(page) {
  await page.goto(authorize);
  assert.ok(page.url().startsWith(callback), `within the session: ${page.url()}`);
  assert.ok(new URL(page.url()).searchParams.get("code"));
}

const scenarios = {
  // Sign-up reached from the sign-in page's link, the confirmation code (a wrong one first),
  // then sign-in with the new account.
  async "sign-up"(page) {
    const { username, email, password } = config;
    await openSignIn(page);
    await clickTo(page, "a:text-is('Sign up')", `${endpoint}/signup?`);
    // The pool's password policy, in Cognito's words; the form keeps what was typed, and
    // markup typed as a username comes back as text, not as elements.
    const probe = `"><img/src=x/onerror=alert(1)><script>alert(2)</script>`;
    await page.fill("input[name=username]", probe);
    await page.fill("input[name='requiredAttributes[email]']", email);
    await page.fill("input[name=password]", "short");
    await page.click("button[name=signUpButton]");
    await expectError(page, /^Password did not conform with policy: Password not long enough/);
    assert.equal(await page.inputValue("input[name=username]"), probe);
    assert.equal(await page.inputValue("input[name='requiredAttributes[email]']"), email);
    assert.equal(await page.locator("img, script").count(), 0);
    await page.fill("input[name=username]", username);
    await page.fill("input[name=password]", password);
    const confirm = await clickTo(page, "button[name=signUpButton]", `${endpoint}/confirm?`);
    assert.equal(confirm.searchParams.get("username"), username);

    // A code was sent; "Resend code" (the page's second form) sends another, which counts.
    await lastCode(endpoint, pool, username);
    await page.click("button:text-is('Resend code')");
    await page.waitForSelector("p.info:text('A new code is on its way.')");
    const code = await lastCode(endpoint, pool, username);
    const wrong = code === "000000" ? "111111" : "000000";
    await page.fill("input[name=code]", wrong);
    await page.click("button[name=confirm]");
    await expectError(page, "Invalid verification code provided, please try again.");
    await page.fill("input[name=code]", code);
    await clickTo(page, "button[name=confirm]", `${endpoint}/login?`);
    assert.match(await page.textContent(".info"), /Your account is confirmed/);

    const landed = await signIn(page, username, password, callback);
    const { claims } = await exchange(endpoint, clientId, callback, landed);
    assert.equal(claims["cognito:username"], username);
    assert.equal(claims.email, email);
    assert.equal(claims.email_verified, true);
  },

  // "Forgot your password?", the code sent, a new password; the old one no longer works.
  async "forgot-password"(page) {
    const { username, oldPassword, password } = config;
    await openSignIn(page);
    await clickTo(page, "a:text-is('Forgot your password?')", `${endpoint}/forgotPassword?`);
    await page.fill("input[name=username]", username);
    const next = await clickTo(page, "button[name=reset_my_password]", `${endpoint}/confirmForgotPassword?`);
    assert.equal(next.searchParams.get("username"), username);
    const code = await lastCode(endpoint, pool, username);
    await page.fill("input[name=code]", code);
    await page.fill("input[name=password]", password);
    await page.fill("input[name=confirm_password]", `${password}x`);
    await page.click("button[name=reset_password]");
    await expectError(page, "Passwords do not match");
    await page.fill("input[name=code]", code);
    await page.fill("input[name=password]", password);
    await page.fill("input[name=confirm_password]", password);
    await clickTo(page, "button[name=reset_password]", `${endpoint}/login?`);
    assert.match(await page.textContent(".info"), /Your password has been reset/);

    await page.fill("input[name=username]", username);
    await page.fill("input[name=password]", oldPassword);
    await page.click("button[name=signInSubmitButton]");
    await expectError(page, "Incorrect username or password.");
    const landed = await signIn(page, username, password, callback);
    const { claims } = await exchange(endpoint, clientId, callback, landed);
    assert.equal(claims["cognito:username"], username);
  },

  // A user made by AdminCreateUser signs in with the temporary password and must choose one.
  async "new-password"(page) {
    const { username, temporaryPassword, password } = config;
    await openSignIn(page);
    await page.fill("input[name=username]", username);
    await page.fill("input[name=password]", temporaryPassword);
    await page.click("button[name=signInSubmitButton]");
    await page.waitForSelector("form[name=cognitoNewPasswordForm]");
    assert.equal(await page.textContent("h1"), "Change Password");
    await page.fill("input[name=new_password]", password);
    await page.fill("input[name=confirm_password]", `${password}x`);
    await page.click("button[name=reset_password]");
    await expectError(page, "Passwords do not match");
    // The retry keeps the challenge's session: the policy is checked by Cognito's rules.
    await page.fill("input[name=new_password]", "short");
    await page.fill("input[name=confirm_password]", "short");
    await page.click("button[name=reset_password]");
    await expectError(page, /^Password did not conform with policy: Password not long enough/);
    await page.fill("input[name=new_password]", password);
    await page.fill("input[name=confirm_password]", password);
    const landed = await clickTo(page, "button[name=reset_password]", callback);
    const { claims } = await exchange(endpoint, clientId, callback, landed);
    assert.equal(claims["cognito:username"], username);
  },

  // Sign-in, then /logout with a logout_uri: the app's sign-out page, and the next authorize
  // asks for the password again.
  async logout(page) {
    const { username, password, signOut } = config;
    await openSignIn(page);
    await signIn(page, username, password, callback);
    await withinTheSession(page);
    const session = `cognito_${pool}`;
    assert.ok((await page.context().cookies(endpoint)).some((c) => c.name === session));

    await page.goto(`${endpoint}/logout?` + new URLSearchParams({ client_id: clientId, logout_uri: signOut }));
    await landOn(page, signOut);
    assert.equal(await page.textContent("p"), "signed out");
    assert.ok(!(await page.context().cookies(endpoint)).some((c) => c.name === session));
    await openSignIn(page);
    await signIn(page, username, password, callback);

    // Logout with the authorize parameters instead goes back to the sign-in page.
    await page.goto(`${endpoint}/logout?` + new URLSearchParams({
      client_id: clientId, redirect_uri: callback, response_type: "code", scope: "openid",
      state: "again",
    }));
    await landOn(page, `${endpoint}/login?`);
    await page.waitForSelector("form[name=cognitoSignInForm]");
    const landed = await signIn(page, username, password, callback);
    await exchange(endpoint, clientId, callback, landed, "again");
  },

  // Another pool of the emulator as the OIDC provider: its button, its own sign-in page,
  // back through /oauth2/idpresponse to the app.
  async "oidc-federation"(page) {
    const { provider, providerClientId, username, password, sub } = config;
    await openSignIn(page);
    const upstream = await clickTo(page, `a:text-is('Continue with ${provider}')`, `${endpoint}/login?`);
    assert.equal(upstream.searchParams.get("client_id"), providerClientId);
    assert.equal(upstream.searchParams.get("redirect_uri"), `${endpoint}/oauth2/idpresponse`);
    const landed = await signIn(page, username, password, callback);
    const { claims } = await exchange(endpoint, clientId, callback, landed);
    assert.equal(claims["cognito:username"], `${provider}_${sub}`);
    assert.equal(claims.email, config.email);
    assert.equal(claims.identities.length, 1);
    assert.equal(claims.identities[0].providerName, provider);
    assert.equal(claims.identities[0].providerType, "OIDC");
    assert.equal(claims.identities[0].userId, sub);
    await withinTheSession(page);
  },

  // A social provider's stand-in page (Google), filled in like the real one's consent.
  async social(page) {
    const { sub, email, name } = config;
    await openSignIn(page);
    await clickTo(page, "a:text-is('Continue with Google')", `${endpoint}/standin/Google?`);
    assert.match(await page.textContent("p.info"), /This is not Google\./);
    await page.fill("input[name=sub]", sub);
    await page.fill("input[name=email]", email);
    await page.fill("input[name=name]", name);
    const landed = await clickTo(page, "form[name=standInForm] button[type=submit]", callback);
    const { claims } = await exchange(endpoint, clientId, callback, landed);
    assert.equal(claims["cognito:username"], `Google_${sub}`);
    assert.equal(claims.email, email);
    assert.equal(claims.name, name);
    assert.equal(claims.identities[0].providerType, "Google");
    assert.equal(claims.identities[0].userId, sub);

    // An app's own "Sign in with Google" button (authorize with identity_provider), in a
    // browser that has seen no page of the emulator yet.
    const fresh = await newPage(page.context().browser());
    await fresh.goto(authorizeUrl(endpoint, clientId, callback, { identity_provider: "Google" }));
    assert.ok(fresh.url().startsWith(`${endpoint}/standin/Google?`), fresh.url());
    await fresh.fill("input[name=sub]", `${sub}0`);
    const again = await clickTo(fresh, "form[name=standInForm] button[type=submit]", callback);
    const second = await exchange(endpoint, clientId, callback, again);
    assert.equal(second.claims["cognito:username"], `Google_${sub}0`);
    assert.equal(fresh.dialogs(), 0);
  },

  // A SAML IdP of the test's: the button sends the browser there with an AuthnRequest
  // (redirect binding); its page posts the signed response back by itself (POST binding).
  async saml(page) {
    const { provider, sso, username, email, name } = config;
    await openSignIn(page);
    const requests = [];
    page.on("request", (r) => requests.push(`${r.method()} ${r.url().split("?")[0]}`));
    await clickTo(page, `a:text-is('Continue with ${provider}')`, callback);
    assert.deepEqual(requests.filter((r) => !r.startsWith("GET " + callback)), [
      `GET ${endpoint}/oauth2/authorize`,
      `GET ${sso}`,
      `POST ${endpoint}/saml2/idpresponse`,
    ]);
    const { claims } = await exchange(endpoint, clientId, callback, new URL(page.url()));
    assert.equal(claims["cognito:username"], username);
    assert.equal(claims.email, email);
    assert.equal(claims.name, name);
    assert.equal(claims.identities[0].providerName, provider);
    assert.equal(claims.identities[0].providerType, "SAML");
    // The session cookie set on the answer to the IdP's cross-site post is kept.
    await withinTheSession(page);
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
