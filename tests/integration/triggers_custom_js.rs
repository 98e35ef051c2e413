//! CUSTOM_AUTH from JavaScript clients: amazon-cognito-identity-js (`customChallenge` with
//! `sendCustomChallengeAnswer`, and `authenticateUser` with CUSTOM_AUTH and SRP) and
//! Amplify v6 (`CUSTOM_WITHOUT_SRP`, `CUSTOM_WITH_SRP`, `confirmSignIn`), answered by the
//! quiz triggers of `triggers_custom.rs`.

use serde_json::json;

use crate::javascript::{node_ready, run_node};
use crate::triggers::with_lambda;
use crate::triggers_custom::{custom_config, quiz, quiz_pool};

#[tokio::test(flavor = "multi_thread")]
async fn amazon_cognito_identity_js_custom_challenges() {
    if !node_ready() {
        return;
    }
    let (emulator, lambda) = with_lambda().await;
    quiz(&lambda);
    let quiz = quiz_pool(&emulator, custom_config(), false).await;
    run_node(
        "identity_js_custom.mjs",
        vec![emulator.url.clone(), quiz.pool_id, quiz.client_id],
    )
    .await;
    // The answers' ClientMetadata reached the functions; the SRP sign-in started with SRP_A.
    let verifies = lambda.events("verify");
    assert_eq!(
        verifies[0]["request"]["clientMetadata"],
        json!({"from": "identity-js"})
    );
    let sessions: Vec<_> = lambda
        .events("define")
        .iter()
        .map(|e| e["request"]["session"].clone())
        .collect();
    assert!(sessions.contains(&json!([
        {"challengeName": "SRP_A", "challengeResult": true, "challengeMetadata": null},
        {"challengeName": "PASSWORD_VERIFIER", "challengeResult": true, "challengeMetadata": null},
    ])));
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn amplify_v6_custom_auth_with_and_without_srp() {
    if !node_ready() {
        return;
    }
    let (emulator, lambda) = with_lambda().await;
    quiz(&lambda);
    let quiz = quiz_pool(&emulator, custom_config(), false).await;
    run_node(
        "amplify_custom.mjs",
        vec![emulator.url.clone(), quiz.pool_id, quiz.client_id],
    )
    .await;
    let metadata: Vec<_> = lambda
        .events("verify")
        .iter()
        .map(|e| e["request"]["clientMetadata"].clone())
        .collect();
    assert!(
        metadata.contains(&json!({"from": "amplify"})),
        "{metadata:?}"
    );
    emulator.stop().await;
}
