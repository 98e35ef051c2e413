// The hosted pages in a real browser: Debian's Chromium driven by playwright-core (no
// browser download). Signs in through /oauth2/authorize → /login → the app's callback,
// checks that a script injected through the page's parameters never runs, and that a form
// posted from another site is refused. The app behind the callback URL is a server of the
// test's. The other flows are in browser_flows.mjs.
//
// Usage: node browser.mjs <endpoint> <clientId> <callback> <username> <password>
import assert from "node:assert/strict";
import { launch, newPage } from "./browser_lib.mjs";

const [endpoint, clientId, callback, username, password] = process.argv.slice(2);
const browser = await launch();
try {
  const page = await newPage(browser);
  const context = page.context();
  const probe = `"><script>alert(1)</script><img src=x onerror=alert(2)>`;
  const authorize = `${endpoint}/oauth2/authorize?` + new URLSearchParams({
    response_type: "code", client_id: clientId, redirect_uri: callback, scope: "openid email",
    state: probe,
  });
  await page.goto(authorize);
  assert.match(page.url(), /\/login\?/);

  // A wrong password: Cognito's message, and the probe typed as a username stays text.
  await page.fill("input[name=username]", probe);
  await page.fill("input[name=password]", "wrong");
  await page.click("button[type=submit]");
  await page.waitForSelector("#loginErrorMessage");
  assert.equal(await page.inputValue("input[name=username]"), probe);

  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", password);
  await Promise.all([page.waitForURL(`${callback}**`), page.click("button[type=submit]")]);
  const back = new URL(page.url());
  assert.ok(back.searchParams.get("code"));
  assert.equal(back.searchParams.get("state"), probe);
  assert.equal(page.dialogs(), 0, "an injected script ran");

  // Within the session a second authorize goes straight back to the app.
  await page.goto(authorize);
  assert.ok(page.url().startsWith(callback), page.url());

  // A sign-in form posted from another site (no CSRF token, cross-site cookies withheld).
  const attacker = await context.newPage();
  await attacker.route("http://attacker.test/**", (route) => route.fulfill({
    status: 200, contentType: "text/html",
    body: `<form id="f" method="post" action="${endpoint}/login?${new URL(authorize).search.slice(1)}">
      <input name="username" value="${username}"><input name="password" value="${password}"></form>
      <script>document.getElementById("f").submit()</script>`,
  }));
  const forged = await Promise.all([
    attacker.waitForResponse((r) => r.url().startsWith(`${endpoint}/login`)),
    attacker.goto("http://attacker.test/"),
  ]);
  assert.equal(forged[0].status(), 403);
  console.log("browser OK");
} finally {
  await browser.close();
}
