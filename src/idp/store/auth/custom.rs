//! A CUSTOM_AUTH sign-in's history, carried from challenge to challenge: what
//! DefineAuthChallenge is shown as `request.session`.

/// One challenge of a custom sign-in and how it went (an entry of `request.session`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeResult {
    /// `SRP_A`, `PASSWORD_VERIFIER` or `CUSTOM_CHALLENGE`.
    pub name: String,
    pub result: bool,
    /// CreateAuthChallenge's `challengeMetadata` (custom challenges only).
    pub metadata: Option<String>,
}

/// Where a CUSTOM_AUTH sign-in is: every challenge it hands out carries this along, so
/// the steps in between (PASSWORD_VERIFIER, a new password, MFA, a device) come back to it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CustomFlow {
    pub session: Vec<ChallengeResult>,
    /// DefineAuthChallenge answered `issueTokens`: what is left is a remembered device's
    /// challenge, then tokens.
    pub issuing: bool,
}

impl CustomFlow {
    /// Custom challenges answered wrongly so far.
    pub fn wrong_answers(&self) -> usize {
        self.session
            .iter()
            .filter(|c| c.name == "CUSTOM_CHALLENGE" && !c.result)
            .count()
    }
}
