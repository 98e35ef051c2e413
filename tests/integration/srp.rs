//! USER_SRP_AUTH driven by a small SRP-6a client written here from the reference's formulas
//! (independent of the server's code), through the Rust SDK.

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ChallengeNameType};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use num_bigint::BigUint;
use sha2::{Digest, Sha256};

use crate::auth::{setup, Setup};
use crate::common::{err, start, Emulator};

const N_HEX: &str = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";

/// padHex as bytes: minimal big-endian with a leading zero byte when the top bit is set.
fn pad(n: &BigUint) -> Vec<u8> {
    let mut bytes = n.to_bytes_be();
    if bytes[0] & 0x80 != 0 {
        bytes.insert(0, 0);
    }
    bytes
}

fn h(parts: &[&[u8]]) -> Vec<u8> {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().to_vec()
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

struct Client {
    n: BigUint,
    g: BigUint,
    a: BigUint,
    big_a: BigUint,
}

impl Client {
    fn new() -> Self {
        let n = BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap();
        let g = BigUint::from(2u8);
        let a = BigUint::from_bytes_be(&rand::random::<[u8; 32]>());
        let big_a = g.modpow(&a, &n);
        Self { n, g, a, big_a }
    }

    fn srp_a(&self) -> String {
        self.big_a.to_str_radix(16)
    }

    /// PASSWORD_CLAIM_SIGNATURE for a PASSWORD_VERIFIER challenge's parameters.
    fn sign(
        &self,
        pool_name: &str,
        password: &str,
        parameters: &HashMap<String, String>,
    ) -> String {
        let (user_id, salt_hex, b_hex) = (
            &parameters["USER_ID_FOR_SRP"],
            &parameters["SALT"],
            &parameters["SRP_B"],
        );
        let (secret_block, timestamp) = (&parameters["SECRET_BLOCK"], TIMESTAMP);
        let big_b = BigUint::parse_bytes(b_hex.as_bytes(), 16).unwrap();
        let salt = BigUint::parse_bytes(salt_hex.as_bytes(), 16).unwrap();
        let k = BigUint::from_bytes_be(&h(&[&pad(&self.n), &pad(&self.g)]));
        let u = BigUint::from_bytes_be(&h(&[&pad(&self.big_a), &pad(&big_b)]));
        let inner = h(&[format!("{pool_name}{user_id}:{password}").as_bytes()]);
        let x = BigUint::from_bytes_be(&h(&[&pad(&salt), &inner]));
        let gx = (k * self.g.modpow(&x, &self.n)) % &self.n;
        let base = (&big_b + &self.n - gx) % &self.n;
        let s = base.modpow(&(&self.a + &u * &x), &self.n);
        let prk = hmac(&pad(&u), &[&pad(&s)]);
        let key = &hmac(&prk, &[b"Caldera Derived Key", &[1u8]])[..16];
        let block = STANDARD.decode(secret_block).unwrap();
        STANDARD.encode(hmac(
            key,
            &[
                pool_name.as_bytes(),
                user_id.as_bytes(),
                &block,
                timestamp.as_bytes(),
            ],
        ))
    }
}

const TIMESTAMP: &str = "Mon Jan 6 09:05:07 UTC 2025";

/// Step one; returns the challenge parameters and session.
async fn initiate(
    emulator: &Emulator,
    setup: &Setup,
    client: &Client,
    username: &str,
) -> Result<(HashMap<String, String>, String), (String, String)> {
    let output = emulator
        .idp
        .initiate_auth()
        .client_id(&setup.client_id)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("SRP_A", client.srp_a())
        .send()
        .await
        .map_err(err)?;
    assert_eq!(
        output.challenge_name,
        Some(ChallengeNameType::PasswordVerifier)
    );
    Ok((
        output.challenge_parameters.unwrap(),
        output.session.unwrap(),
    ))
}

/// Step two, with or without the Session (pycognito sends none).
async fn verify(
    emulator: &Emulator,
    setup: &Setup,
    client: &Client,
    parameters: &HashMap<String, String>,
    session: Option<String>,
    password: &str,
) -> Result<String, (String, String)> {
    let pool_name = setup.pool_id.split_once('_').unwrap().1;
    let user_id = &parameters["USER_ID_FOR_SRP"];
    let signature = client.sign(pool_name, password, parameters);
    emulator
        .idp
        .respond_to_auth_challenge()
        .client_id(&setup.client_id)
        .challenge_name(ChallengeNameType::PasswordVerifier)
        .set_session(session)
        .challenge_responses("USERNAME", user_id)
        .challenge_responses("PASSWORD_CLAIM_SECRET_BLOCK", &parameters["SECRET_BLOCK"])
        .challenge_responses("PASSWORD_CLAIM_SIGNATURE", signature)
        .challenge_responses("TIMESTAMP", TIMESTAMP)
        .send()
        .await
        .map(|o| o.authentication_result.unwrap().access_token.unwrap())
        .map_err(err)
}

#[tokio::test]
async fn srp_sign_in_with_and_without_session() {
    let emulator = start().await;
    let setup = setup(&emulator, false, false).await;
    for with_session in [true, false] {
        let client = Client::new();
        let (parameters, session) = initiate(&emulator, &setup, &client, "alice").await.unwrap();
        assert_eq!(parameters["USER_ID_FOR_SRP"], "alice");
        assert_eq!(parameters["USERNAME"], "alice");
        assert_eq!(parameters["SALT"].len() % 2, 0, "canonical padded hex");
        assert!(
            STANDARD.decode(&parameters["SECRET_BLOCK"]).is_ok(),
            "standard base64"
        );
        let access = verify(
            &emulator,
            &setup,
            &client,
            &parameters,
            with_session.then_some(session.clone()),
            "Perm4nent!pass",
        )
        .await
        .unwrap();
        let user = emulator
            .idp
            .get_user()
            .access_token(access)
            .send()
            .await
            .unwrap();
        assert_eq!(user.username, "alice");
        // The same challenge cannot be answered twice.
        let again = verify(
            &emulator,
            &setup,
            &client,
            &parameters,
            Some(session),
            "Perm4nent!pass",
        )
        .await
        .unwrap_err();
        assert_eq!(
            again.1,
            "Invalid session for the user, session can only be used once."
        );
    }
    // Signing in by e-mail alias is not configured here: unknown name.
    let client = Client::new();
    assert_eq!(
        initiate(&emulator, &setup, &client, "nobody")
            .await
            .unwrap_err(),
        (
            "UserNotFoundException".into(),
            "User does not exist.".into()
        )
    );
    let (parameters, session) = initiate(&emulator, &setup, &client, "alice").await.unwrap();
    assert_eq!(
        verify(
            &emulator,
            &setup,
            &client,
            &parameters,
            Some(session),
            "Wrong!pass1"
        )
        .await
        .unwrap_err(),
        (
            "NotAuthorizedException".into(),
            "Incorrect username or password.".into()
        )
    );
}

#[tokio::test]
async fn srp_hides_unknown_users_when_the_client_asks() {
    let emulator = start().await;
    let setup = setup(&emulator, false, true).await;
    let client = Client::new();
    let (first, session) = initiate(&emulator, &setup, &client, "ghost").await.unwrap();
    let (second, _) = initiate(&emulator, &setup, &Client::new(), "ghost")
        .await
        .unwrap();
    assert_eq!(
        first["USER_ID_FOR_SRP"], second["USER_ID_FOR_SRP"],
        "stable for the same name"
    );
    assert_eq!(first["SALT"], second["SALT"]);
    assert_eq!(first["USER_ID_FOR_SRP"].len(), 36);
    assert_eq!(
        verify(
            &emulator,
            &setup,
            &client,
            &first,
            Some(session),
            "Any!pass1"
        )
        .await
        .unwrap_err(),
        (
            "NotAuthorizedException".into(),
            "Incorrect username or password.".into()
        )
    );
    // A real user still signs in.
    let client = Client::new();
    let (parameters, session) = initiate(&emulator, &setup, &client, "alice").await.unwrap();
    assert!(verify(
        &emulator,
        &setup,
        &client,
        &parameters,
        Some(session),
        "Perm4nent!pass"
    )
    .await
    .is_ok());
}
