// openid-client (a certified OIDC relying party) against the emulator's authorization
// server: discovery, the code flow with PKCE through the hosted sign-in page (driven with
// fetch, as a browser would), ID-token checks, userInfo, refresh, and client_credentials
// for a machine client; aws-jwt-verify then verifies the tokens with the pool's JWKS.
//
// Usage: node openid_client.mjs <endpoint> <poolId> <clientId> <callback> <username> <password>
//        [<m2mClientId> <m2mSecret> <scope>]
import assert from "node:assert/strict";
import * as client from "openid-client";
import { JwtRsaVerifier } from "aws-jwt-verify";

const [endpoint, poolId, clientId, callback, username, password, m2mId, m2mSecret, m2mScope] =
  process.argv.slice(2);
const issuer = new URL(`${endpoint}/${poolId}`);
const insecure = { execute: [client.allowInsecureRequests] };

const config = await client.discovery(issuer, clientId, undefined, client.None(), insecure);
assert.equal(config.serverMetadata().issuer, issuer.href);

const verifier = client.randomPKCECodeVerifier();
const state = client.randomState();
const nonce = client.randomNonce();
const authorizeUrl = client.buildAuthorizationUrl(config, {
  redirect_uri: callback,
  scope: "openid email profile",
  code_challenge: await client.calculatePKCECodeChallenge(verifier),
  code_challenge_method: "S256",
  state,
  nonce,
});

// The browser's part: authorize → sign-in page → back to the callback with a code.
let cookies = {};
async function browse(url, init = {}) {
  const headers = { ...(init.headers || {}), cookie: Object.entries(cookies).map(([k, v]) => `${k}=${v}`).join("; ") };
  const response = await fetch(url, { ...init, headers, redirect: "manual" });
  for (const set of response.headers.getSetCookie()) {
    const [pair] = set.split(";");
    const [name, value] = pair.split("=");
    cookies[name] = value;
  }
  return response;
}
let response = await browse(authorizeUrl);
assert.equal(response.status, 302);
const loginUrl = new URL(response.headers.get("location"), endpoint);
response = await browse(loginUrl);
const html = await response.text();
const csrf = html.match(/name="_csrf" value="([^"]+)"/)[1];
response = await browse(loginUrl, {
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams({ _csrf: csrf, username, password }).toString(),
});
assert.equal(response.status, 302, await response.text());
const back = new URL(response.headers.get("location"));
assert.equal(back.origin + back.pathname, callback);

const tokens = await client.authorizationCodeGrant(config, back, {
  pkceCodeVerifier: verifier,
  expectedState: state,
  expectedNonce: nonce,
  idTokenExpected: true,
});
const claims = tokens.claims();
assert.equal(claims.aud, clientId);
assert.equal(claims.nonce, nonce);
assert.equal(claims["cognito:username"], username);
assert.ok(tokens.refresh_token);

const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
assert.equal(info.sub, claims.sub);
assert.equal(info.email, claims.email);

const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
assert.ok(refreshed.access_token && refreshed.id_token);
assert.equal(refreshed.claims().sub, claims.sub);

// The pool's JWKS verifies every token.
const jwksUri = `${issuer.href}/.well-known/jwks.json`;
const jwks = await (await fetch(jwksUri)).json();
const ids = JwtRsaVerifier.create({ issuer: issuer.href, audience: clientId, jwksUri });
ids.cacheJwks(jwks);
assert.equal((await ids.verify(tokens.id_token)).token_use, "id");
const accessVerifier = JwtRsaVerifier.create({ issuer: issuer.href, audience: null, jwksUri, scope: "openid" });
accessVerifier.cacheJwks(jwks);
assert.equal((await accessVerifier.verify(refreshed.access_token)).client_id, clientId);

if (m2mId) {
  const machine = await client.discovery(issuer, m2mId, undefined, client.ClientSecretBasic(m2mSecret), insecure);
  const grant = await client.clientCredentialsGrant(machine, { scope: m2mScope });
  assert.equal(grant.token_type.toLowerCase(), "bearer");
  assert.equal(grant.id_token, undefined);
  const m2m = JwtRsaVerifier.create({ issuer: issuer.href, audience: null, jwksUri, scope: m2mScope });
  m2m.cacheJwks(jwks);
  const payload = await m2m.verify(grant.access_token);
  assert.equal(payload.client_id, m2mId);
  assert.equal(payload.sub, m2mId);
  assert.equal(payload.scope, m2mScope);
  await assert.rejects(
    client.discovery(issuer, m2mId, undefined, client.ClientSecretBasic("wrong"), insecure)
      .then((c) => client.clientCredentialsGrant(c, { scope: m2mScope })),
  );
}
console.log("openid-client OK");
