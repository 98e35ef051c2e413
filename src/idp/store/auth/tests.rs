//! Unit tests of the auth state: sessions, codes, refresh tokens and sweeps.

/// Expired challenges go, with their SECRET_BLOCK entries, when new ones are added.
#[test]
fn expired_sessions_are_forgotten() {
    let mut auth = super::AuthState::default();
    let session = |expires: f64, block: &str| super::AuthSession {
        client_id: "c".into(),
        user: 1,
        username: "u".into(),
        pending: super::Pending::NewPassword,
        expires,
        used: false,
        secret_block: Some(block.into()),
        device_key: None,
        custom: None,
    };
    auth.add_session("a".into(), session(100.0, "A"), 0.0);
    auth.add_session("b".into(), session(300.0, "B"), 0.0);
    auth.add_session("c".into(), session(200.0, "C"), 150.0);
    assert_eq!(auth.sessions.len(), 2, "a expired at 100");
    assert!(!auth.secret_blocks.contains_key("A"));
    auth.add_session("d".into(), session(900.0, "D"), 250.0);
    let mut left: Vec<&String> = auth.sessions.keys().collect();
    left.sort();
    assert_eq!(left, ["b", "d"]);
    assert_eq!(auth.secret_blocks.len(), 2);
}

use super::*;

#[test]
fn expired_codes_are_swept_as_new_ones_arrive() {
    let mut auth = AuthState::default();
    let code = |expires| PendingCode {
        code: "123456".into(),
        expires,
        failures: 0,
        pending_value: None,
    };
    let (early, late) = (100.0, 10_000.0);
    for user in 0..3000 {
        auth.add_code((user, CodePurpose::SignUp), code(early), 0.0);
    }
    for user in 3000..6000 {
        auth.add_code((user, CodePurpose::SignUp), code(late), late - 1.0);
    }
    assert!(auth.codes.len() <= 3000, "{} codes kept", auth.codes.len());
    assert!(auth.codes.contains_key(&(5999, CodePurpose::SignUp)));
}

#[test]
fn revocations_are_forgotten_once_no_access_token_can_use_them() {
    let mut auth = AuthState::default();
    auth.track_changes();
    auth.revoke_origin("old".into(), 0.0);
    let two_days = 2.0 * 86_400.0;
    for i in 0..1100 {
        auth.revoke_origin(format!("new{i}"), two_days);
    }
    assert!(!auth.is_revoked_origin("old"));
    assert!(auth.is_revoked_origin("new0"));
    assert!(auth.is_revoked_origin("new1099"));
    let (_, origins) = auth.take_changes();
    assert!(
        origins.contains(&("old".to_string(), None)),
        "the deletion is persisted"
    );
    assert!(origins.contains(&("new7".to_string(), Some(two_days))));
    // Within a day the revocation stays.
    let mut auth = AuthState::default();
    auth.revoke_origin("recent".into(), two_days - 3_600.0);
    for i in 0..1100 {
        auth.revoke_origin(format!("new{i}"), two_days);
    }
    assert!(auth.is_revoked_origin("recent"));
}

#[test]
fn code_requests_are_counted_in_a_sliding_window_and_forgotten() {
    let mut auth = AuthState::default();
    for i in 0..3 {
        assert!(auth.allow_code_request(0, f64::from(i), 10.0, 3));
    }
    assert!(
        !auth.allow_code_request(0, 5.0, 10.0, 3),
        "a fourth within 10 s"
    );
    assert!(auth.allow_code_request(1, 5.0, 10.0, 3), "per user");
    assert!(
        auth.allow_code_request(0, 10.5, 10.0, 3),
        "the first left the window"
    );
    assert!(!auth.allow_code_request(0, 10.6, 10.0, 3));
    // Users whose requests left the window are forgotten as others ask.
    for user in 2..1100 {
        auth.allow_code_request(user, 100.0, 10.0, 3);
    }
    assert!(!auth.code_requests.contains_key(&0));
    assert!(!auth.code_requests.contains_key(&1));
    assert!(auth.code_requests.contains_key(&1099));
}
