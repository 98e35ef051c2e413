//! The AWS JSON 1.1 protocol: routing, errors, validation messages, limits, CORS; the guard
//! on the emulator's own endpoints.

use crate::common::{start, start_with};
use cognito_emulator::config::Config;
use serde_json::json;

#[tokio::test]
async fn unknown_and_missing_targets_are_aws_errors() {
    let emulator = start().await;
    let (status, headers, body) = emulator
        .call("AWSCognitoIdentityProviderService.NoSuchThing", "{}")
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["__type"], "UnknownOperationException");
    assert_eq!(headers["x-amzn-errortype"], "UnknownOperationException:");
    assert!(headers.contains_key("x-amzn-requestid"));

    let response = emulator
        .http
        .post(&emulator.url)
        .header("content-type", "application/x-amz-json-1.1")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["__type"], "UnknownOperationException");
    assert!(body["message"].as_str().unwrap().contains("X-Amz-Target"));
}

#[tokio::test]
async fn every_operation_of_both_services_is_routed_never_500() {
    let emulator = start().await;
    let idp = cognito_emulator::generated::cognito_idp::Operation::ALL;
    let identity = cognito_emulator::generated::cognito_identity::Operation::ALL;
    assert_eq!(idp.len(), 141);
    assert_eq!(identity.len(), 23);
    let targets = idp
        .iter()
        .map(|op| format!("AWSCognitoIdentityProviderService.{}", op.name()))
        .chain(
            identity
                .iter()
                .map(|op| format!("AWSCognitoIdentityService.{}", op.name())),
        );
    for target in targets {
        let (status, headers, body) = emulator.call(&target, "{}").await;
        assert_eq!(status, 400, "{target}: {body}");
        let code = body["__type"].as_str().unwrap();
        assert_eq!(
            headers["x-amzn-errortype"].to_str().unwrap(),
            format!("{code}:")
        );
        assert!(
            [
                "InvalidParameterException",
                "ValidationException",
                "NotImplementedException",
                "ResourceNotFoundException"
            ]
            .contains(&code),
            "{target}: {body}"
        );
        if code == "NotImplementedException" {
            let name = target.rsplit('.').next().unwrap();
            assert_eq!(
                body["message"],
                format!("{name} is not implemented by cognito-emulator yet.")
            );
        }
    }
}

/// Every operation of both models is in its service's table: none answers
/// NotImplementedException (an operation a newer model adds would, until it is built).
#[test]
fn every_operation_of_both_services_is_implemented() {
    use cognito_emulator::generated::{cognito_identity, cognito_idp};
    let missing: Vec<&str> = cognito_idp::Operation::ALL
        .iter()
        .filter(|op| !cognito_emulator::idp::IMPLEMENTED.contains(op))
        .map(|op| op.name())
        .chain(
            cognito_identity::Operation::ALL
                .iter()
                .filter(|op| !cognito_emulator::identity::IMPLEMENTED.contains(op))
                .map(|op| op.name()),
        )
        .collect();
    assert_eq!(missing, Vec::<&str>::new());
}

#[tokio::test]
async fn validation_messages_follow_aws_wording() {
    let emulator = start().await;
    let (status, body) = emulator
        .idp_call("DescribeUserPool", json!({"UserPoolId": "bad pool"}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["__type"], "InvalidParameterException");
    assert_eq!(
        body["message"],
        "1 validation error detected: Value 'bad pool' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+"
    );

    let (_, body) = emulator.idp_call("AdminGetUser", json!({})).await;
    assert_eq!(
        body["message"],
        "2 validation errors detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null; Value null at 'username' failed to satisfy constraint: Member must not be null"
    );

    let (_, body) = emulator
        .idp_call("ListUserPools", json!({"MaxResults": 61}))
        .await;
    assert_eq!(
        body["message"],
        "1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60"
    );

    let (_, body) = emulator
        .idp_call(
            "AdminCreateUser",
            json!({"UserPoolId": "us-east-1_abc", "Username": "u", "MessageAction": "SHOUT"}),
        )
        .await;
    assert_eq!(
        body["message"],
        "1 validation error detected: Value 'SHOUT' at 'messageAction' failed to satisfy constraint: Member must satisfy enum value set: [RESEND, SUPPRESS]"
    );

    // Sensitive values are never echoed.
    let (_, body) = emulator
        .idp_call(
            "AdminSetUserPassword",
            json!({"UserPoolId": "us-east-1_abc", "Username": "u", "Password": ""}),
        )
        .await;
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("Value at 'password' failed to satisfy constraint"),
        "{message}"
    );

    // Nested members and list indexes name the path as AWS does.
    let (_, body) = emulator
        .idp_call(
            "AdminCreateUser",
            json!({"UserPoolId": "us-east-1_abc", "Username": "u", "UserAttributes": [{"Name": "email", "Value": "a@b.c"}, {"Value": "x"}]}),
        )
        .await;
    assert_eq!(
        body["message"],
        "1 validation error detected: Value null at 'userAttributes.2.member.name' failed to satisfy constraint: Member must not be null"
    );

    // A list of enums is reported once, at the list.
    let (_, body) = emulator
        .idp_call(
            "CreateUserPool",
            json!({"PoolName": "p", "AutoVerifiedAttributes": ["email", "fax"]}),
        )
        .await;
    assert_eq!(
        body["message"],
        "1 validation error detected: Value '[email, fax]' at 'autoVerifiedAttributes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [phone_number, email]]"
    );
}

#[tokio::test]
async fn malformed_bodies_are_serialization_errors() {
    let emulator = start().await;
    for body in ["{", "[1,2]", "\"x\"", "{\"MaxResults\": }"] {
        let (status, headers, value) = emulator
            .call("AWSCognitoIdentityProviderService.ListUserPools", body)
            .await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(value["__type"], "SerializationException", "{body}");
        assert_eq!(headers["x-amzn-errortype"], "SerializationException:");
    }
    let (status, _, value) = emulator
        .call(
            "AWSCognitoIdentityProviderService.ListUserPools",
            r#"{"MaxResults": "10"}"#,
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(value["__type"], "SerializationException");
    assert_eq!(
        value["message"],
        "STRING_VALUE can not be converted to an Integer at 'maxResults'"
    );

    // null is the same as absent; unknown members are ignored.
    let (status, _, value) = emulator
        .call(
            "AWSCognitoIdentityProviderService.ListUserPools",
            r#"{"MaxResults": 10, "NextToken": null, "Whatever": {"x": 1}}"#,
        )
        .await;
    assert_eq!(status, 200, "{value}");
    assert_eq!(value["UserPools"], serde_json::json!([]));
}

#[tokio::test]
async fn huge_bodies_are_refused_cleanly() {
    let emulator = start().await;
    let huge = format!(r#"{{"PoolName": "{}"}}"#, "x".repeat(2 << 20));
    let (status, headers, value) = emulator
        .call("AWSCognitoIdentityProviderService.CreateUserPool", &huge)
        .await;
    assert_eq!(status, 413);
    assert_eq!(value["__type"], "RequestEntityTooLargeException");
    assert_eq!(
        headers["x-amzn-errortype"],
        "RequestEntityTooLargeException:"
    );
    // The server is still fine afterwards.
    let (status, _, _) = emulator
        .call(
            "AWSCognitoIdentityProviderService.ListUserPools",
            r#"{"MaxResults": 1}"#,
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn cors_preflight_and_exposed_headers() {
    let emulator = start().await;
    let response = emulator
        .http
        .request(reqwest::Method::OPTIONS, &emulator.url)
        .header("origin", "http://localhost:3000")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type,x-amz-target,x-amz-user-agent",
        )
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    let headers = response.headers();
    assert_eq!(
        headers["access-control-allow-origin"],
        "http://localhost:3000"
    );
    let allowed = headers["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(allowed.contains("x-amz-target"), "{allowed}");

    let response = emulator
        .http
        .post(&emulator.url)
        .header("origin", "http://localhost:3000")
        .header("content-type", "application/x-amz-json-1.1")
        .header(
            "x-amz-target",
            "AWSCognitoIdentityProviderService.ListUserPools",
        )
        .body(r#"{"MaxResults": 5}"#)
        .send()
        .await
        .unwrap();
    let exposed = response.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        exposed.contains("x-amzn-errortype") && exposed.contains("x-amzn-requestid"),
        "{exposed}"
    );
}

#[tokio::test]
async fn other_paths_answer_an_aws_shaped_404() {
    let emulator = start().await;
    let response = emulator
        .http
        .get(format!("{}/nope", emulator.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["__type"], "UnknownOperationException");
}

#[tokio::test]
async fn emulator_endpoints_health_reset_and_clock() {
    let emulator = start().await;
    let health: serde_json::Value = emulator
        .http
        .get(format!("{}/_emulator/health", emulator.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["region"], "us-east-1");

    let pool_id = emulator.pool("to-forget").await;
    let reset = emulator
        .http
        .post(format!("{}/_emulator/reset", emulator.url))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 200);
    let (status, body) = emulator
        .idp_call("DescribeUserPool", json!({"UserPoolId": pool_id}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["__type"], "ResourceNotFoundException");
    assert_eq!(
        body["message"],
        format!("User pool {pool_id} does not exist.")
    );

    let before = emulator.app.clock.now();
    let moved: serde_json::Value = emulator
        .http
        .post(format!("{}/_emulator/clock", emulator.url))
        .json(&json!({"seconds": 3600}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(moved["offsetSeconds"], 3600.0);
    assert!(moved["now"].as_f64().unwrap() >= before + 3600.0);
    let malformed = emulator
        .http
        .post(format!("{}/_emulator/clock", emulator.url))
        .json(&json!({"seconds": "soon"}))
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    let body: serde_json::Value = malformed.json().await.unwrap();
    assert_eq!(body["__type"], "SerializationException");
}

#[tokio::test]
async fn concurrent_writers_lose_nothing() {
    let emulator = start().await;
    let pool_id = emulator.pool("busy").await;
    let mut tasks = Vec::new();
    for i in 0..64 {
        let client = emulator.idp.clone();
        let pool_id = pool_id.clone();
        tasks.push(tokio::spawn(async move {
            client
                .admin_create_user()
                .user_pool_id(pool_id)
                .username(format!("user{i}"))
                .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
                .send()
                .await
                .unwrap();
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let pool = emulator
        .idp
        .describe_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    assert_eq!(pool.user_pool.unwrap().estimated_number_of_users, 64);
}

#[tokio::test]
async fn the_rust_sdk_parses_our_errors() {
    let emulator = start().await;
    let error = emulator
        .idp
        .describe_user_pool()
        .user_pool_id("us-east-1_missing00")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        crate::common::err(error),
        (
            "ResourceNotFoundException".to_string(),
            "User pool us-east-1_missing00 does not exist.".to_string()
        )
    );
    assert!(emulator
        .messages("us-east-1_missing00", None)
        .await
        .is_empty());
}

#[tokio::test]
async fn web_pages_cannot_read_the_emulator_endpoints_but_can_call_the_aws_api() {
    let emulator = start().await;
    let pool_id = emulator.pool("cross-site").await;
    let evil = "https://evil.example";
    let messages = emulator
        .http
        .get(format!("{}/_emulator/messages", emulator.url))
        .header("origin", evil)
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(messages.status(), 200);
    assert!(!messages
        .headers()
        .contains_key("access-control-allow-origin"));
    let preflight = emulator
        .http
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/_emulator/reset", emulator.url),
        )
        .header("origin", evil)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert!(!preflight
        .headers()
        .contains_key("access-control-allow-origin"));
    assert_eq!(preflight.status(), 403);
    let body: serde_json::Value = preflight.json().await.unwrap();
    assert_eq!(body["__type"], "AccessDeniedException");
    let wrong_method = emulator
        .http
        .get(format!("{}/_emulator/reset", emulator.url))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_method.status(), 405);
    let body: serde_json::Value = wrong_method.json().await.unwrap();
    assert_eq!(body["__type"], "UnknownOperationException");

    // Browser apps on any origin still reach the AWS API and the well-known documents.
    let preflight = emulator
        .http
        .request(reqwest::Method::OPTIONS, &emulator.url)
        .header("origin", evil)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type,x-amz-target",
        )
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success());
    assert_eq!(preflight.headers()["access-control-allow-origin"], evil);
    let jwks = emulator
        .http
        .get(format!(
            "{}/{pool_id}/.well-known/openid-configuration",
            emulator.url
        ))
        .header("origin", evil)
        .send()
        .await
        .unwrap();
    assert_eq!(jwks.status(), 200);
    assert_eq!(jwks.headers()["access-control-allow-origin"], evil);
}

#[tokio::test]
async fn cross_site_and_form_shaped_state_changes_are_refused() {
    let emulator = start().await;
    let pool_id = emulator.pool("survivor").await;
    let reset = format!("{}/_emulator/reset", emulator.url);
    let refusals = [
        emulator
            .http
            .post(&reset)
            .header("content-type", "text/plain")
            .body("{}"),
        emulator
            .http
            .post(&reset)
            .header(
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8",
            )
            .body("a=b"),
        emulator
            .http
            .post(&reset)
            .header("content-type", "application/json")
            .header("origin", "http://localhost:3000"),
        emulator.http.post(&reset).header("origin", "null"),
        emulator
            .http
            .post(&reset)
            .header("sec-fetch-site", "cross-site"),
        emulator
            .http
            .delete(format!("{}/_emulator/messages", emulator.url))
            .header("origin", "https://evil.example"),
    ];
    for request in refusals {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 403);
        assert_eq!(
            response.headers()["x-amzn-errortype"],
            "AccessDeniedException:"
        );
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["__type"], "AccessDeniedException");
    }
    let (status, _) = emulator
        .idp_call("DescribeUserPool", json!({"UserPoolId": pool_id}))
        .await;
    assert_eq!(status, 200, "the pool survived");

    // Scripts, and pages served by the emulator itself, may.
    let own = emulator
        .http
        .post(&reset)
        .header("origin", &emulator.url)
        .header("sec-fetch-site", "same-origin")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 200);
    let (status, _) = emulator
        .idp_call("DescribeUserPool", json!({"UserPoolId": pool_id}))
        .await;
    assert_eq!(status, 400, "reset");
}

#[tokio::test]
async fn the_emulator_endpoints_answer_only_their_own_host_names() {
    let emulator = start().await;
    let health = format!("{}/_emulator/health", emulator.url);
    let get = |host: &'static str| emulator.http.get(&health).header("host", host).send();
    let refused = get("evil.example:9229").await.unwrap();
    assert_eq!(refused.status(), 403);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["__type"], "AccessDeniedException");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("evil.example") && message.contains("--allowed-hosts"),
        "{message}"
    );
    for host in [
        "localhost:9229",
        "app.localhost",
        "127.0.0.2:80",
        "[::1]:9229",
    ] {
        assert_eq!(get(host).await.unwrap().status(), 200, "{host}");
    }
    // The AWS API is not host-checked (only credentialed calls from foreign web pages are refused).
    let aws = emulator
        .http
        .post(&emulator.url)
        .header("host", "evil.example")
        .header("content-type", "application/x-amz-json-1.1")
        .header(
            "x-amz-target",
            "AWSCognitoIdentityProviderService.ListUserPools",
        )
        .body(r#"{"MaxResults": 1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(aws.status(), 200);

    let mut config = Config::default_for_tests();
    config.allowed_hosts = vec!["evil.example".into()];
    config.public_url = Some("http://cognito:9229".into());
    let allowing = start_with(config).await;
    for host in ["evil.example", "cognito:9229"] {
        let response = allowing
            .http
            .get(format!("{}/_emulator/health", allowing.url))
            .header("host", host)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{host}");
    }
}

#[tokio::test]
async fn silent_and_idle_connections_are_closed_and_the_limit_is_kept() {
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;
    use tokio::time::timeout;

    let mut config = Config::default_for_tests();
    config.max_connections = 8;
    config.idle_timeout = 1;
    let emulator = start_with(config).await;
    let addr = emulator.url.trim_start_matches("http://").to_string();
    const HEALTH: &[u8] = b"GET /_emulator/health HTTP/1.1\r\nHost: localhost\r\n";
    let bound = Duration::from_secs(10);

    // More connections than the limit that never send anything.
    let mut silent = Vec::new();
    for _ in 0..12 {
        silent.push(TcpStream::connect(&addr).await.unwrap());
    }
    let request = async {
        let mut stream = TcpStream::connect(&addr).await.unwrap();
        stream.write_all(HEALTH).await.unwrap();
        stream
            .write_all(b"Connection: close\r\n\r\n")
            .await
            .unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await.unwrap();
        response
    };
    tokio::pin!(request);
    assert!(
        timeout(Duration::from_millis(500), &mut request)
            .await
            .is_err(),
        "served while every slot was taken"
    );
    let response = timeout(bound, request)
        .await
        .expect("served once the silent connections timed out");
    assert!(response.starts_with(b"HTTP/1.1 200"), "{response:?}");
    for mut stream in silent {
        let mut byte = [0u8; 1];
        let read = timeout(bound, stream.read(&mut byte))
            .await
            .expect("the server closes a silent connection");
        assert_eq!(read.unwrap_or(0), 0);
    }

    // A keep-alive connection is closed once idle after its response.
    let mut stream = TcpStream::connect(&addr).await.unwrap();
    stream.write_all(HEALTH).await.unwrap();
    stream.write_all(b"\r\n").await.unwrap();
    let mut response = Vec::new();
    timeout(bound, stream.read_to_end(&mut response))
        .await
        .expect("the server closes an idle keep-alive connection")
        .unwrap();
    assert!(response.starts_with(b"HTTP/1.1 200"), "{response:?}");
    emulator.stop().await;
}

/// cognito-identity answers broken constraints with ValidationException (cognito-idp with
/// InvalidParameterException).
#[tokio::test]
async fn identity_pool_validation_is_a_validation_exception() {
    let emulator = start().await;
    let (status, headers, body) = emulator
        .call("AWSCognitoIdentityService.DescribeIdentityPool", "{}")
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["__type"], "ValidationException");
    assert_eq!(headers["x-amzn-errortype"], "ValidationException:");
    assert_eq!(
        body["message"],
        "1 validation error detected: Value null at 'identityPoolId' failed to satisfy constraint: Member must not be null"
    );
}

/// A long echoed value is cut in the message, and the `x-amzn-ErrorMessage` header stays short
/// enough for boto3 and the JavaScript SDK.
#[tokio::test]
async fn echoed_values_and_error_headers_stay_short() {
    let emulator = start().await;
    let long = "a".repeat(70_000);
    let (status, headers, body) = emulator
        .call(
            "AWSCognitoIdentityProviderService.DescribeUserPool",
            &json!({ "UserPoolId": long }).to_string(),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["__type"], "InvalidParameterException");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!(
            "2 validation errors detected: Value '{}...' at 'userPoolId'",
            "a".repeat(256)
        )),
        "{message}"
    );
    assert!(message.len() < 1_000, "{} bytes", message.len());
    let header = headers["x-amzn-errormessage"].to_str().unwrap();
    assert!(header.len() <= 1_030, "{} bytes", header.len());

    // Any long message (not only validation) is cut in the header but whole in the body.
    let pool_id = emulator.pool("long").await;
    let (_, headers, body) = emulator
        .call(
            "AWSCognitoIdentityProviderService.AdminCreateUser",
            &json!({"UserPoolId": pool_id, "Username": "u", "MessageAction": "SUPPRESS",
                    "UserAttributes": [{"Name": format!("custom:{}", "b".repeat(20)), "Value": "x".repeat(2040)}]})
                .to_string(),
        )
        .await;
    assert_eq!(body["__type"], "InvalidParameterException", "{body}");
    assert!(headers["x-amzn-errormessage"].len() <= 1_030);
}

/// A request of many bad values reports how many and describes the first ten, instead of an
/// error hundreds of times larger than the request.
#[tokio::test]
async fn validation_errors_are_counted_not_all_described() {
    let emulator = start().await;
    let pool_id = emulator.pool("many").await;
    let attributes: Vec<_> = (0..30_000).map(|_| json!({"Name": ""})).collect();
    let (status, headers, body) = emulator
        .call(
            "AWSCognitoIdentityProviderService.AdminCreateUser",
            &json!({"UserPoolId": pool_id, "Username": "u", "UserAttributes": attributes})
                .to_string(),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["__type"], "InvalidParameterException");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.starts_with("60000 validation errors detected: Value '' at 'userAttributes.1.member.name' failed to satisfy constraint: Member must have length greater than or equal to 1"),
        "{}",
        &message[..200.min(message.len())]
    );
    assert_eq!(message.matches("failed to satisfy constraint").count(), 10);
    assert!(headers["x-amzn-errormessage"].len() <= 1_030);
}

/// A body that ends before its Content-Length is a client error (SerializationException, 400),
/// not "too large" (413); GET / is an AWS-shaped 405.
#[tokio::test]
async fn truncated_bodies_and_wrong_methods_are_aws_errors() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let emulator = start().await;
    let address = emulator.url.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: AWSCognitoIdentityProviderService.ListUserPools\r\nContent-Length: 100\r\n\r\n{{\"MaxResults\":"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.shutdown().await.unwrap();
    let mut answer = String::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_string(&mut answer),
    )
    .await
    .expect("an answer, not a hang")
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(
        answer.contains("\"__type\":\"SerializationException\""),
        "{answer}"
    );

    let response = emulator.http.get(&emulator.url).send().await.unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(
        response.headers()["x-amzn-errortype"],
        "UnknownOperationException:"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["__type"], "UnknownOperationException");
}

/// GetSigningCertificate keeps working wherever the emulator's clock is moved (X.509 dates
/// end at year 9999; the clock can go far past it either way).
#[tokio::test]
async fn signing_certificate_survives_extreme_clocks() {
    let emulator = start().await;
    let pool_id = emulator.pool("clock").await;
    for direction in [1.0, -1.0] {
        for _ in 0..120 {
            emulator
                .http
                .post(format!("{}/_emulator/clock", emulator.url))
                .json(&json!({"seconds": direction * 1e12}))
                .send()
                .await
                .unwrap();
        }
        let (status, body) = emulator
            .idp_call("GetSigningCertificate", json!({"UserPoolId": pool_id}))
            .await;
        assert_eq!(status, 200, "{body}");
        assert!(body["Certificate"].as_str().unwrap().len() > 500);
    }
}

/// A web page from another host may call the operations Cognito leaves open (sign-up,
/// sign-in) but not the ones that need AWS credentials: the emulator checks no signature, so
/// otherwise any site could list users or reset passwords.
#[tokio::test]
async fn web_pages_from_other_hosts_cannot_call_credentialed_operations() {
    let emulator = start().await;
    let pool_id = emulator.pool("origin").await;
    let call = |origin: &'static str, target: &'static str, body: serde_json::Value| {
        emulator
            .http
            .post(&emulator.url)
            .header("content-type", "application/x-amz-json-1.1")
            .header("origin", origin)
            .header(
                "x-amz-target",
                format!("AWSCognitoIdentityProviderService.{target}"),
            )
            .body(body.to_string())
            .send()
    };
    let refused = call(
        "https://evil.example",
        "ListUsers",
        json!({"UserPoolId": pool_id}),
    )
    .await
    .unwrap();
    assert_eq!(refused.status(), 403);
    assert_eq!(
        refused.headers()["x-amzn-errortype"],
        "AccessDeniedException:"
    );
    // Readable by the page (CORS), so a browser app sees why.
    assert_eq!(
        refused.headers()["access-control-allow-origin"],
        "https://evil.example"
    );
    // A public operation is answered (here: the unknown client's error, not a refusal).
    let open = call(
        "https://evil.example",
        "InitiateAuth",
        json!({"ClientId": "nosuchclient1",
        "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "a", "PASSWORD": "b"}}),
    )
    .await
    .unwrap();
    assert_eq!(open.status(), 400);
    let body: serde_json::Value = open.json().await.unwrap();
    assert_eq!(body["__type"], "ResourceNotFoundException");
    // The developer's own app on a loopback host may call anything.
    let own = call(
        "http://localhost:3000",
        "ListUsers",
        json!({"UserPoolId": pool_id}),
    )
    .await
    .unwrap();
    assert_eq!(own.status(), 200);
}

/// A request head followed by no body does not hold its connection: after --idle-timeout the
/// emulator answers 408 RequestTimeoutException.
#[tokio::test]
async fn a_body_that_never_comes_times_out() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut config = cognito_emulator::config::Config::default_for_tests();
    config.idle_timeout = 1;
    let emulator = crate::common::start_with(config).await;
    let address = emulator.url.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: AWSCognitoIdentityProviderService.ListUserPools\r\nContent-Length: 100\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 4096];
    let read = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut answer))
        .await
        .expect("an answer within the bound, not a hang")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("RequestTimeoutException"), "{answer}");
}
