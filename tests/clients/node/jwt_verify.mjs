// aws-jwt-verify against the emulator's tokens.
//
// Usage: node jwt_verify.mjs <mode> <endpoint-url> <userPoolId> <clientId> <idToken> <accessToken>
// mode "emulator": tokens carry iss = <endpoint>/<poolId>; JwtRsaVerifier with the emulator's
// issuer and JWKS. mode "aws": the emulator runs with --aws-issuer; CognitoJwtVerifier
// checks the AWS-form issuer with the emulator's JWKS handed over by cacheJwks.
import assert from "node:assert/strict";
import { CognitoJwtVerifier, JwtRsaVerifier } from "aws-jwt-verify";

const [mode, endpoint, userPoolId, clientId, idToken, accessToken] = process.argv.slice(2);
const jwksUri = `${endpoint}/${userPoolId}/.well-known/jwks.json`;

// aws-jwt-verify fetches JWKS over https only; with a plain-http emulator the JWKS is
// fetched here and handed over with cacheJwks.
const jwks = await (await fetch(jwksUri)).json();

if (mode === "emulator") {
  const verifier = JwtRsaVerifier.create({ issuer: `${endpoint}/${userPoolId}`, audience: clientId, jwksUri });
  verifier.cacheJwks(jwks);
  const id = await verifier.verify(idToken);
  assert.equal(id.token_use, "id");
  const access = JwtRsaVerifier.create({
    issuer: `${endpoint}/${userPoolId}`,
    audience: null,
    jwksUri,
    customJwtCheck: ({ payload }) => assert.equal(payload.client_id, clientId),
  });
  access.cacheJwks(jwks);
  await access.verify(accessToken);
  // Discovery from the issuer, as a generic OIDC client does it.
  const discovery = await (await fetch(`${endpoint}/${userPoolId}/.well-known/openid-configuration`)).json();
  assert.equal(discovery.issuer, `${endpoint}/${userPoolId}`);
  assert.equal(discovery.jwks_uri, jwksUri);
  // A tampered token fails.
  const [h, p, s] = idToken.split(".");
  const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, "base64url")), sub: "someone-else" })).toString("base64url");
  await assert.rejects(verifier.verify(`${h}.${forged}.${s}`));
} else {
  const ids = CognitoJwtVerifier.create({ userPoolId, tokenUse: "id", clientId });
  ids.cacheJwks(jwks);
  assert.equal((await ids.verify(idToken)).token_use, "id");
  const access = CognitoJwtVerifier.create({ userPoolId, tokenUse: "access", clientId });
  access.cacheJwks(jwks);
  assert.equal((await access.verify(accessToken)).token_use, "access");
  // The wrong token use is refused.
  await assert.rejects(access.verify(idToken));
}
console.log("aws-jwt-verify OK");
