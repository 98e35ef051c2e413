//! CUSTOM_AUTH driven by the DefineAuthChallenge, CreateAuthChallenge and
//! VerifyAuthChallengeResponse triggers (an in-test Lambda server), through the Rust SDK:
//! the whole loop with its exact events, wrong answers, failAuthentication, unknown users,
//! SRP first (`CHALLENGE_NAME: SRP_A`), and the errors.

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType as Flow, LambdaConfigType,
    MessageActionType, PreventUserExistenceErrorTypes,
};
use serde_json::{json, Value};

use crate::common::{err, Emulator};
use crate::lambda_server::{arn, Answer, LambdaServer};
use crate::srp::srp_client::{Client as SrpClient, TIMESTAMP};
use crate::triggers::with_lambda;

pub const PASSWORD: &str = "Perm4nent!pass";

pub fn incorrect() -> (String, String) {
    (
        "NotAuthorizedException".to_string(),
        "Incorrect username or password.".to_string(),
    )
}

/// The three functions of a quiz: SRP first when the client started with it, then the
/// question "2 + 2" until answered (three wrong answers fail), then tokens.
pub fn quiz(lambda: &LambdaServer) {
    lambda.on("define", |mut event| {
        let session = event["request"]["session"].as_array().cloned().unwrap();
        let wrong = session
            .iter()
            .filter(|c| c["challengeName"] == "CUSTOM_CHALLENGE" && c["challengeResult"] == false)
            .count();
        let last = session.last().cloned().unwrap_or(Value::Null);
        let response = if last["challengeName"] == "SRP_A" {
            json!({"challengeName": "PASSWORD_VERIFIER", "issueTokens": false, "failAuthentication": false})
        } else if last["challengeName"] == "CUSTOM_CHALLENGE" && last["challengeResult"] == true {
            json!({"issueTokens": true, "failAuthentication": false})
        } else if wrong >= 3 {
            json!({"issueTokens": false, "failAuthentication": true})
        } else {
            json!({"challengeName": "CUSTOM_CHALLENGE", "issueTokens": false, "failAuthentication": false})
        };
        event["response"] = response;
        Answer::Event(event)
    });
    lambda.on("create", |mut event| {
        let round = event["request"]["session"].as_array().unwrap().len();
        event["response"] = json!({
            "publicChallengeParameters": {"question": "2 + 2"},
            "privateChallengeParameters": {"answer": "4"},
            "challengeMetadata": format!("QUESTION-{round}"),
        });
        Answer::Event(event)
    });
    lambda.on("verify", |mut event| {
        let right = event["request"]["privateChallengeParameters"]["answer"]
            == event["request"]["challengeAnswer"];
        event["response"]["answerCorrect"] = Value::Bool(right);
        Answer::Event(event)
    });
}

pub fn custom_config() -> LambdaConfigType {
    LambdaConfigType::builder()
        .define_auth_challenge(arn("define"))
        .create_auth_challenge(arn("create"))
        .verify_auth_challenge_response(arn("verify"))
        .build()
}

pub struct Quiz {
    pub pool_id: String,
    pub client_id: String,
}

/// A pool with the quiz's triggers, a user `jane` (verified e-mail, permanent password) and a
/// client allowing CUSTOM_AUTH and SRP.
pub async fn quiz_pool(
    emulator: &Emulator,
    config: LambdaConfigType,
    prevent_existence_errors: bool,
) -> Quiz {
    let pool_id = emulator
        .idp
        .create_user_pool()
        .pool_name("custom")
        .lambda_config(config)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    quiz_client(emulator, pool_id, prevent_existence_errors).await
}

/// A client allowing CUSTOM_AUTH and SRP in `pool_id`, and the user `jane` there.
pub async fn quiz_client(
    emulator: &Emulator,
    pool_id: String,
    prevent_existence_errors: bool,
) -> Quiz {
    let client_id = emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("app")
        .explicit_auth_flows(Flow::AllowCustomAuth)
        .explicit_auth_flows(Flow::AllowUserSrpAuth)
        .explicit_auth_flows(Flow::AllowRefreshTokenAuth)
        .prevent_user_existence_errors(if prevent_existence_errors {
            PreventUserExistenceErrorTypes::Enabled
        } else {
            PreventUserExistenceErrorTypes::Legacy
        })
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    create_user(emulator, &pool_id, "jane").await;
    Quiz { pool_id, client_id }
}

pub async fn create_user(emulator: &Emulator, pool_id: &str, username: &str) {
    let attribute = |name: &str, value: &str| {
        aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
            .name(name)
            .value(value)
            .build()
            .unwrap()
    };
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(pool_id)
        .username(username)
        .temporary_password("Temp0rary!pass")
        .message_action(MessageActionType::Suppress)
        .user_attributes(attribute("email", &format!("{username}@example.com")))
        .user_attributes(attribute("email_verified", "true"))
        .send()
        .await
        .unwrap();
    emulator.set_password(pool_id, username, PASSWORD).await;
}

/// The user's attributes as the events show them.
async fn event_attributes(emulator: &Emulator, pool_id: &str, username: &str) -> Value {
    let user = emulator
        .idp
        .admin_get_user()
        .user_pool_id(pool_id)
        .username(username)
        .send()
        .await
        .unwrap();
    let mut attributes: serde_json::Map<String, Value> = user
        .user_attributes
        .unwrap()
        .into_iter()
        .map(|a| (a.name, Value::String(a.value.unwrap())))
        .collect();
    attributes.insert("cognito:user_status".into(), json!("CONFIRMED"));
    Value::Object(attributes)
}

pub type Step = (
    Option<ChallengeNameType>,
    HashMap<String, String>,
    Option<String>,
    Option<String>,
);

pub async fn initiate(
    emulator: &Emulator,
    quiz: &Quiz,
    params: &[(&str, &str)],
) -> Result<Step, (String, String)> {
    let mut request = emulator
        .idp
        .initiate_auth()
        .client_id(&quiz.client_id)
        .auth_flow(AuthFlowType::CustomAuth)
        .client_metadata("initiate", "yes");
    for (k, v) in params {
        request = request.auth_parameters(*k, *v);
    }
    let out = request.send().await.map_err(err)?;
    Ok((
        out.challenge_name,
        out.challenge_parameters.unwrap_or_default(),
        out.session,
        out.authentication_result.and_then(|r| r.access_token),
    ))
}

pub async fn respond(
    emulator: &Emulator,
    quiz: &Quiz,
    challenge: ChallengeNameType,
    session: Option<String>,
    responses: &[(&str, &str)],
) -> Result<Step, (String, String)> {
    let mut request = emulator
        .idp
        .respond_to_auth_challenge()
        .client_id(&quiz.client_id)
        .challenge_name(challenge)
        .set_session(session)
        .client_metadata("round", "answer");
    for (k, v) in responses {
        request = request.challenge_responses(*k, *v);
    }
    let out = request.send().await.map_err(err)?;
    Ok((
        out.challenge_name,
        out.challenge_parameters.unwrap_or_default(),
        out.session,
        out.authentication_result.and_then(|r| r.access_token),
    ))
}

pub async fn answer(
    emulator: &Emulator,
    quiz: &Quiz,
    session: Option<String>,
    username: &str,
    answer: &str,
) -> Result<Step, (String, String)> {
    respond(
        emulator,
        quiz,
        ChallengeNameType::CustomChallenge,
        session,
        &[("USERNAME", username), ("ANSWER", answer)],
    )
    .await
}

fn entry(name: &str, result: bool, metadata: Option<&str>) -> Value {
    json!({"challengeName": name, "challengeResult": result, "challengeMetadata": metadata})
}

#[tokio::test(flavor = "multi_thread")]
async fn custom_auth_asks_define_create_and_verify_until_tokens() {
    let (emulator, lambda) = with_lambda().await;
    quiz(&lambda);
    let quiz = quiz_pool(&emulator, custom_config(), false).await;
    let (challenge, parameters, session, tokens) =
        initiate(&emulator, &quiz, &[("USERNAME", "jane")])
            .await
            .unwrap();
    assert_eq!(challenge, Some(ChallengeNameType::CustomChallenge));
    assert_eq!(
        parameters,
        HashMap::from([
            ("question".to_string(), "2 + 2".to_string()),
            ("USERNAME".to_string(), "jane".to_string()),
        ])
    );
    assert!(tokens.is_none());
    let first = session.unwrap();

    // A wrong answer: another challenge, with a new Session.
    let (challenge, _, session, tokens) =
        answer(&emulator, &quiz, Some(first.clone()), "jane", "5")
            .await
            .unwrap();
    assert_eq!(challenge, Some(ChallengeNameType::CustomChallenge));
    assert!(tokens.is_none());
    let second = session.unwrap();
    assert_ne!(second, first);
    // The answered Session is spent.
    assert_eq!(
        answer(&emulator, &quiz, Some(first), "jane", "4")
            .await
            .unwrap_err(),
        (
            "NotAuthorizedException".to_string(),
            "Invalid session for the user, session can only be used once.".to_string()
        )
    );
    // The right answer: tokens for jane.
    let (challenge, parameters, session, tokens) =
        answer(&emulator, &quiz, Some(second), "jane", "4")
            .await
            .unwrap();
    assert_eq!(challenge, None);
    assert!(parameters.is_empty());
    assert!(session.is_none());
    let user = emulator
        .idp
        .get_user()
        .access_token(tokens.unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(user.username, "jane");

    // The events, in order: Define, Create, Verify (wrong), Define, Create, Verify (right),
    // Define.
    let attributes = event_attributes(&emulator, &quiz.pool_id, "jane").await;
    let order: Vec<String> = lambda.calls().into_iter().map(|c| c.function).collect();
    assert_eq!(
        order,
        ["define", "create", "verify", "define", "create", "verify", "define"]
    );
    let defines = lambda.events("define");
    let creates = lambda.events("create");
    let verifies = lambda.events("verify");
    let envelope = &defines[0];
    assert_eq!(envelope["version"], "1");
    assert_eq!(
        envelope["triggerSource"],
        "DefineAuthChallenge_Authentication"
    );
    assert_eq!(envelope["userPoolId"], quiz.pool_id.as_str());
    assert_eq!(envelope["userName"], "jane");
    assert_eq!(envelope["region"], "us-east-1");
    assert_eq!(
        envelope["callerContext"]["clientId"],
        quiz.client_id.as_str()
    );
    assert_eq!(
        envelope["response"],
        json!({"challengeName": null, "issueTokens": null, "failAuthentication": null})
    );
    // InitiateAuth's ClientMetadata is not theirs; RespondToAuthChallenge's is.
    assert_eq!(
        defines[0]["request"],
        json!({"userAttributes": attributes, "session": []})
    );
    assert_eq!(
        creates[0]["triggerSource"],
        "CreateAuthChallenge_Authentication"
    );
    assert_eq!(
        creates[0]["request"],
        json!({"userAttributes": attributes, "challengeName": "CUSTOM_CHALLENGE", "session": []})
    );
    assert_eq!(
        creates[0]["response"],
        json!({"publicChallengeParameters": null, "privateChallengeParameters": null, "challengeMetadata": null})
    );
    assert_eq!(
        verifies[0]["triggerSource"],
        "VerifyAuthChallengeResponse_Authentication"
    );
    assert_eq!(
        verifies[0]["request"],
        json!({
            "userAttributes": attributes,
            "privateChallengeParameters": {"answer": "4"},
            "challengeAnswer": "5",
            "clientMetadata": {"round": "answer"},
        })
    );
    assert_eq!(verifies[0]["response"], json!({"answerCorrect": null}));
    let wrong = entry("CUSTOM_CHALLENGE", false, Some("QUESTION-0"));
    assert_eq!(
        defines[1]["request"],
        json!({
            "userAttributes": attributes,
            "session": [wrong],
            "clientMetadata": {"round": "answer"},
        })
    );
    assert_eq!(
        creates[1]["request"],
        json!({
            "userAttributes": attributes,
            "challengeName": "CUSTOM_CHALLENGE",
            "session": [wrong],
            "clientMetadata": {"round": "answer"},
        })
    );
    assert_eq!(verifies[1]["request"]["challengeAnswer"], "4");
    assert_eq!(
        defines[2]["request"]["session"],
        json!([wrong, entry("CUSTOM_CHALLENGE", true, Some("QUESTION-1"))])
    );
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn fail_authentication_and_the_cap_on_wrong_answers() {
    let (emulator, lambda) = with_lambda().await;
    quiz(&lambda);
    let quiz = quiz_pool(&emulator, custom_config(), false).await;
    // The quiz fails the sign-in at its third wrong answer.
    let (_, _, mut session, _) = initiate(&emulator, &quiz, &[("USERNAME", "jane")])
        .await
        .unwrap();
    for _ in 0..2 {
        let step = answer(&emulator, &quiz, session, "jane", "5")
            .await
            .unwrap();
        assert_eq!(step.0, Some(ChallengeNameType::CustomChallenge));
        session = step.2;
    }
    assert_eq!(
        answer(&emulator, &quiz, session, "jane", "5")
            .await
            .unwrap_err(),
        incorrect()
    );

    // A Define that never gives up is stopped after three wrong answers all the same.
    lambda.respond("define", json!({"challengeName": "CUSTOM_CHALLENGE"}));
    let (_, _, mut session, _) = initiate(&emulator, &quiz, &[("USERNAME", "jane")])
        .await
        .unwrap();
    for _ in 0..2 {
        session = answer(&emulator, &quiz, session, "jane", "5")
            .await
            .unwrap()
            .2;
    }
    assert_eq!(
        answer(&emulator, &quiz, session, "jane", "5")
            .await
            .unwrap_err(),
        incorrect()
    );
    let last = lambda.events("define").pop().unwrap();
    assert_eq!(last["request"]["session"].as_array().unwrap().len(), 3);
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_users_are_hidden_only_when_the_client_asks() {
    let (emulator, lambda) = with_lambda().await;
    quiz(&lambda);
    let legacy = quiz_pool(&emulator, custom_config(), false).await;
    assert_eq!(
        initiate(&emulator, &legacy, &[("USERNAME", "ghost")])
            .await
            .unwrap_err(),
        (
            "UserNotFoundException".to_string(),
            "User does not exist.".to_string()
        )
    );
    assert!(lambda.calls().is_empty());

    let hiding = quiz_pool(&emulator, custom_config(), true).await;
    let (challenge, parameters, session, _) =
        initiate(&emulator, &hiding, &[("USERNAME", "ghost")])
            .await
            .unwrap();
    assert_eq!(challenge, Some(ChallengeNameType::CustomChallenge));
    assert_eq!(parameters["USERNAME"], "ghost");
    let define = &lambda.events("define")[0];
    assert_eq!(define["userName"], "ghost");
    assert_eq!(
        define["request"],
        json!({"userAttributes": {}, "session": [], "userNotFound": true})
    );
    assert_eq!(lambda.events("create")[0]["request"]["userNotFound"], true);
    // Even the right answer signs nobody in.
    assert_eq!(
        answer(&emulator, &hiding, session, "ghost", "4")
            .await
            .unwrap_err(),
        incorrect()
    );
    assert_eq!(lambda.events("verify")[0]["request"]["userNotFound"], true);
    // A real user of that client is shown with userNotFound false.
    initiate(&emulator, &hiding, &[("USERNAME", "jane")])
        .await
        .unwrap();
    let define = lambda.events("define").pop().unwrap();
    assert_eq!(define["request"]["userNotFound"], false);
    assert_eq!(
        define["request"]["userAttributes"]["email"],
        "jane@example.com"
    );
    emulator.stop().await;
}

/// PASSWORD_VERIFIER's answer for the challenge parameters given.
fn srp_answer(
    quiz: &Quiz,
    client: &SrpClient,
    parameters: &HashMap<String, String>,
    password: &str,
) -> Vec<(String, String)> {
    let pool_name = quiz.pool_id.split_once('_').unwrap().1;
    vec![
        ("USERNAME".into(), parameters["USER_ID_FOR_SRP"].clone()),
        (
            "PASSWORD_CLAIM_SECRET_BLOCK".into(),
            parameters["SECRET_BLOCK"].clone(),
        ),
        (
            "PASSWORD_CLAIM_SIGNATURE".into(),
            client.sign(pool_name, password, parameters),
        ),
        ("TIMESTAMP".into(), TIMESTAMP.into()),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn srp_a_first_then_the_password_verifier_then_custom_challenges() {
    let (emulator, lambda) = with_lambda().await;
    quiz(&lambda);
    let quiz = quiz_pool(&emulator, custom_config(), false).await;
    let client = SrpClient::new();
    let srp_a = client.srp_a();
    let start = [
        ("USERNAME", "jane"),
        ("CHALLENGE_NAME", "SRP_A"),
        ("SRP_A", srp_a.as_str()),
    ];
    let (challenge, parameters, session, _) = initiate(&emulator, &quiz, &start).await.unwrap();
    assert_eq!(challenge, Some(ChallengeNameType::PasswordVerifier));
    assert_eq!(parameters["USER_ID_FOR_SRP"], "jane");
    assert_eq!(
        lambda.events("define")[0]["request"]["session"],
        json!([entry("SRP_A", true, None)])
    );
    assert!(lambda.events("create").is_empty());

    let responses = srp_answer(&quiz, &client, &parameters, PASSWORD);
    let responses: Vec<(&str, &str)> = responses
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let (challenge, parameters, session, _) = respond(
        &emulator,
        &quiz,
        ChallengeNameType::PasswordVerifier,
        session,
        &responses,
    )
    .await
    .unwrap();
    assert_eq!(challenge, Some(ChallengeNameType::CustomChallenge));
    assert_eq!(parameters["question"], "2 + 2");
    let after_password = json!([
        entry("SRP_A", true, None),
        entry("PASSWORD_VERIFIER", true, None)
    ]);
    let defines = lambda.events("define");
    assert_eq!(defines[1]["request"]["session"], after_password);
    assert_eq!(
        defines[1]["request"]["clientMetadata"],
        json!({"round": "answer"})
    );
    assert_eq!(
        lambda.events("create")[0]["request"]["session"],
        after_password
    );
    let (_, _, _, tokens) = answer(&emulator, &quiz, session, "jane", "4")
        .await
        .unwrap();
    assert!(tokens.is_some());
    assert_eq!(
        lambda.events("define")[2]["request"]["session"],
        json!([
            entry("SRP_A", true, None),
            entry("PASSWORD_VERIFIER", true, None),
            entry("CUSTOM_CHALLENGE", true, Some("QUESTION-2")),
        ])
    );

    // A wrong password ends the sign-in: no custom challenge is asked.
    let client = SrpClient::new();
    let srp_a = client.srp_a();
    let start = [
        ("USERNAME", "jane"),
        ("CHALLENGE_NAME", "SRP_A"),
        ("SRP_A", srp_a.as_str()),
    ];
    let (_, parameters, session, _) = initiate(&emulator, &quiz, &start).await.unwrap();
    let responses = srp_answer(&quiz, &client, &parameters, "Wrong!pass1");
    let responses: Vec<(&str, &str)> = responses
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let creates = lambda.events("create").len();
    assert_eq!(
        respond(
            &emulator,
            &quiz,
            ChallengeNameType::PasswordVerifier,
            session,
            &responses
        )
        .await
        .unwrap_err(),
        incorrect()
    );
    assert_eq!(lambda.events("create").len(), creates);

    // PASSWORD_VERIFIER is only for a sign-in that sent SRP_A.
    assert_eq!(
        lambda.events("define").len(),
        4,
        "one Define per sign-in start, none after the wrong password"
    );
    lambda.respond("define", json!({"challengeName": "PASSWORD_VERIFIER"}));
    assert_eq!(
        initiate(&emulator, &quiz, &[("USERNAME", "jane")])
            .await
            .unwrap_err(),
        (
            "InvalidLambdaResponseException".to_string(),
            "Unrecognizable lambda output".to_string()
        )
    );
    emulator.stop().await;
}
