// The AWS SDK for JavaScript v3 against the emulator: administrator calls parse, errors
// arrive as typed exceptions with Cognito's messages, paginators work.
//
// Usage: node sdk_v3.mjs <endpoint-url>
import assert from "node:assert/strict";
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  ResourceNotFoundException,
  UserNotFoundException,
  paginateListUsers,
} from "@aws-sdk/client-cognito-identity-provider";

const [endpoint] = process.argv.slice(2);
const idp = new CognitoIdentityProviderClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
});

const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: "sdk-v3", AliasAttributes: ["email"] }));
assert.match(UserPool.Id, /^us-east-1_[A-Za-z0-9]{9}$/);
assert.ok(UserPool.CreationDate instanceof Date, "timestamps parse as dates");
const { UserPoolClient } = await idp.send(
  new CreateUserPoolClientCommand({ UserPoolId: UserPool.Id, ClientName: "web", GenerateSecret: true }),
);
assert.equal(UserPoolClient.ClientId.length, 26);

for (let i = 0; i < 7; i++) {
  await idp.send(
    new AdminCreateUserCommand({
      UserPoolId: UserPool.Id,
      Username: `v3user${i}`,
      MessageAction: "SUPPRESS",
      UserAttributes: [{ Name: "email", Value: `v3user${i}@example.com` }],
    }),
  );
}
const names = [];
for await (const page of paginateListUsers({ client: idp, pageSize: 3 }, { UserPoolId: UserPool.Id, Filter: 'username ^= "v3user"' })) {
  names.push(...page.Users.map((u) => u.Username));
}
assert.deepEqual(names.sort(), [0, 1, 2, 3, 4, 5, 6].map((i) => `v3user${i}`));

const user = await idp.send(new AdminGetUserCommand({ UserPoolId: UserPool.Id, Username: "v3user3" }));
assert.equal(user.UserStatus, "FORCE_CHANGE_PASSWORD");

await assert.rejects(idp.send(new DescribeUserPoolCommand({ UserPoolId: "us-east-1_missing99" })), (err) => {
  assert.ok(err instanceof ResourceNotFoundException, err.name);
  assert.equal(err.message, "User pool us-east-1_missing99 does not exist.");
  assert.equal(err.$metadata.httpStatusCode, 400);
  assert.ok(err.$metadata.requestId);
  return true;
});
await assert.rejects(idp.send(new AdminGetUserCommand({ UserPoolId: UserPool.Id, Username: "nobody" })), (err) => {
  assert.ok(err instanceof UserNotFoundException, err.name);
  assert.equal(err.message, "User does not exist.");
  return true;
});

console.log("sdk-v3 OK");
