"""boto3 against the emulator's user import: get_csv_header, create, upload, start, describe.

Usage: python3 boto3_import.py <endpoint-url>
"""
import sys
import time
import urllib.request

import boto3

endpoint = sys.argv[1]
idp = boto3.client(
    "cognito-idp",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="AKIDEXAMPLE",
    aws_secret_access_key="secret",
)

pool_id = idp.create_user_pool(PoolName="boto3-import")["UserPool"]["Id"]
header = idp.get_csv_header(UserPoolId=pool_id)["CSVHeader"]
assert header[0] == "name" and header[-1] == "cognito:username", header

rows = [header]
for username, email in [("ivy", "ivy@example.com"), ("jon", "jon@example.com")]:
    values = dict.fromkeys(header, "")
    values.update({"cognito:username": username, "cognito:mfa_enabled": "false",
                   "email": email, "email_verified": "true"})
    rows.append([values[c] for c in header])
body = "".join(",".join(row) + "\n" for row in rows).encode()

job = idp.create_user_import_job(
    UserPoolId=pool_id, JobName="boto3", CloudWatchLogsRoleArn="arn:aws:iam::123456789012:role/Import"
)["UserImportJob"]
assert job["Status"] == "Created", job
assert job["JobId"].startswith("import-"), job

# As the AWS docs' curl command: PUT with the server-side encryption header.
request = urllib.request.Request(
    job["PreSignedUrl"],
    data=body,
    method="PUT",
    headers={"x-amz-server-side-encryption": "aws:kms", "Content-Type": "text/csv"},
)
with urllib.request.urlopen(request) as response:
    assert response.status == 200, response.status
    assert response.headers["ETag"], dict(response.headers)

started = idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])["UserImportJob"]
assert started["Status"] == "Pending", started

for _ in range(600):
    described = idp.describe_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])["UserImportJob"]
    if described["Status"] not in ("Pending", "InProgress"):
        break
    time.sleep(0.05)
assert described["Status"] == "Succeeded", described
assert described["ImportedUsers"] == 2 and described["FailedUsers"] == 0, described
assert described["CompletionDate"] >= described["StartDate"], described

listed = idp.list_user_import_jobs(UserPoolId=pool_id, MaxResults=10)["UserImportJobs"]
assert [j["JobId"] for j in listed] == [job["JobId"]], listed

user = idp.admin_get_user(UserPoolId=pool_id, Username="ivy")
assert user["UserStatus"] == "RESET_REQUIRED", user

print("boto3 import OK")
