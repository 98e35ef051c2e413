//! What a pool keeps for its OAuth endpoints and hosted pages: authorization codes waiting
//! to be exchanged, and hosted-UI sessions (the browser's cookie). Both are short-lived and
//! kept in memory only: a restart signs browsers out of the hosted UI (unlike Cognito).

use std::collections::HashMap;

use super::users::UserKey;

/// An authorization code: single use, valid five minutes.
#[derive(Debug, Clone)]
pub struct AuthorizationCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub user: UserKey,
    /// The user's `sub` when the code was issued: a user deleted and re-created under the
    /// same key is someone else.
    pub sub: String,
    pub scope: String,
    pub nonce: Option<String>,
    /// PKCE: (method, challenge).
    pub challenge: Option<(String, String)>,
    pub auth_time: i64,
    pub expires: f64,
}

/// A browser signed in to the hosted UI (the session cookie names it).
#[derive(Debug, Clone)]
pub struct HostedSession {
    pub user: UserKey,
    pub sub: String,
    pub auth_time: i64,
    pub expires: f64,
}

/// A sign-in sent to an identity provider, waiting for it to come back.
#[derive(Debug, Clone)]
pub struct PendingFederation {
    /// The authorize request's parameters, to answer once the provider has signed the user in.
    pub authorize_query: String,
    pub provider: String,
    pub nonce: String,
    pub expires: f64,
}

#[derive(Debug, Default)]
pub struct OAuthState {
    codes: HashMap<String, AuthorizationCode>,
    sessions: HashMap<String, HostedSession>,
    federations: HashMap<String, PendingFederation>,
    /// SAML assertions already accepted (their ID), until they expire: none is accepted twice.
    used_assertions: HashMap<String, f64>,
}

/// Past this many codes or sessions, expired ones are swept before another is added.
const SWEEP_AT: usize = 1024;

impl OAuthState {
    pub fn add_code(&mut self, code: String, record: AuthorizationCode, now: f64) {
        if self.codes.len() >= SWEEP_AT {
            self.codes.retain(|_, c| c.expires > now);
        }
        self.codes.insert(code, record);
    }

    /// Takes a code out: whatever follows, it cannot be used again.
    pub fn take_code(&mut self, code: &str, now: f64) -> Option<AuthorizationCode> {
        self.codes.remove(code).filter(|c| c.expires > now)
    }

    pub fn add_session(&mut self, id: String, session: HostedSession, now: f64) {
        if self.sessions.len() >= SWEEP_AT {
            self.sessions.retain(|_, s| s.expires > now);
        }
        self.sessions.insert(id, session);
    }

    pub fn session(&self, id: &str, now: f64) -> Option<&HostedSession> {
        self.sessions.get(id).filter(|s| s.expires > now)
    }

    pub fn end_session(&mut self, id: &str) {
        self.sessions.remove(id);
    }

    pub fn add_federation(&mut self, state: String, pending: PendingFederation, now: f64) {
        if self.federations.len() >= SWEEP_AT {
            self.federations.retain(|_, f| f.expires > now);
        }
        self.federations.insert(state, pending);
    }

    pub fn federation(&self, state: &str, now: f64) -> Option<&PendingFederation> {
        self.federations.get(state).filter(|f| f.expires > now)
    }

    /// Takes a pending federated sign-in out (single use).
    /// Records a SAML assertion as used; false if it was used before (a replay).
    pub fn use_assertion(&mut self, id: &str, expires: f64, now: f64) -> bool {
        if self.used_assertions.len() >= SWEEP_AT {
            self.used_assertions.retain(|_, e| *e > now);
        }
        if self.used_assertions.get(id).is_some_and(|e| *e > now) {
            return false;
        }
        self.used_assertions.insert(id.to_string(), expires);
        true
    }

    pub fn take_federation(&mut self, state: &str, now: f64) -> Option<PendingFederation> {
        self.federations.remove(state).filter(|f| f.expires > now)
    }

    /// A user signed out everywhere, disabled or deleted: their codes and sessions go too.
    pub fn forget_user(&mut self, user: UserKey) {
        self.codes.retain(|_, c| c.user != user);
        self.sessions.retain(|_, s| s.user != user);
    }
}
