//! Signing a new user in straight after ConfirmSignUp: its Session, given to InitiateAuth
//! USER_AUTH, stands for the confirmation code (Amplify v6's auto sign-in).

use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFactorType, AuthFlowType, ExplicitAuthFlowsType as Flow, SignInPolicyType,
    UserPoolPolicyType, VerifiedAttributeType,
};

use crate::common::{err, start, Emulator};

async fn pool(emulator: &Emulator) -> (String, String, String) {
    let policy = SignInPolicyType::builder()
        .allowed_first_auth_factors(AuthFactorType::Password)
        .allowed_first_auth_factors(AuthFactorType::EmailOtp)
        .build();
    let pool = emulator
        .idp
        .create_user_pool()
        .pool_name("auto-sign-in")
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .policies(UserPoolPolicyType::builder().sign_in_policy(policy).build())
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let mut clients = Vec::new();
    for flows in [
        &[
            Flow::AllowUserAuth,
            Flow::AllowUserSrpAuth,
            Flow::AllowRefreshTokenAuth,
        ][..],
        &[Flow::AllowUserSrpAuth, Flow::AllowRefreshTokenAuth][..],
    ] {
        let client = emulator
            .idp
            .create_user_pool_client()
            .user_pool_id(&pool)
            .client_name("app")
            .set_explicit_auth_flows(Some(flows.to_vec()))
            .send()
            .await
            .unwrap()
            .user_pool_client
            .unwrap()
            .client_id
            .unwrap();
        clients.push(client);
    }
    let legacy = clients.pop().unwrap();
    (pool, clients.pop().unwrap(), legacy)
}

async fn sign_up_and_confirm(
    emulator: &Emulator,
    pool: &str,
    client: &str,
    name: &str,
) -> Option<String> {
    emulator
        .idp
        .sign_up()
        .client_id(client)
        .username(name)
        .password("Auto!signin1")
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value(format!("{name}@example.com"))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let code = emulator.messages(pool, Some(name)).await.last().unwrap()["code"]
        .as_str()
        .unwrap()
        .to_string();
    emulator
        .idp
        .confirm_sign_up()
        .client_id(client)
        .username(name)
        .confirmation_code(code)
        .send()
        .await
        .unwrap()
        .session
}

#[tokio::test]
async fn confirm_sign_up_session_signs_the_new_user_in_once() {
    let emulator = start().await;
    let (pool, client, legacy) = pool(&emulator).await;
    let session = sign_up_and_confirm(&emulator, &pool, &client, "newcomer")
        .await
        .expect("a Session for a USER_AUTH client");
    let initiate = |username: &'static str, session: String| {
        emulator
            .idp
            .initiate_auth()
            .client_id(&client)
            .auth_flow(AuthFlowType::UserAuth)
            .auth_parameters("USERNAME", username)
            .session(session)
            .send()
    };
    // Another user's name does not go with this session.
    let wrong = initiate("someone-else", session.clone())
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(
        wrong,
        (
            "NotAuthorizedException".to_string(),
            "Invalid session for the user.".to_string()
        )
    );
    let signed_in = initiate("newcomer", session.clone()).await.unwrap();
    let tokens = signed_in.authentication_result.unwrap();
    assert!(tokens.refresh_token.is_some());
    let user = emulator
        .idp
        .get_user()
        .access_token(tokens.access_token.unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(user.username, "newcomer");
    let again = initiate("newcomer", session)
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(
        again,
        (
            "NotAuthorizedException".to_string(),
            "Invalid session for the user, session can only be used once.".to_string()
        )
    );
    // A client without USER_AUTH gets no Session.
    assert_eq!(
        sign_up_and_confirm(&emulator, &pool, &legacy, "classic").await,
        None
    );
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn amplify_v6_auto_sign_in_after_confirm_sign_up() {
    if !crate::javascript::node_ready() {
        return;
    }
    let emulator = start().await;
    let (pool, client, _) = pool(&emulator).await;
    crate::javascript::run_node(
        "amplify_auto_sign_in.mjs",
        vec![emulator.url.clone(), pool, client],
    )
    .await;
    emulator.stop().await;
}
