//! A pool's session and threat-protection settings (kept with its header), and the sign-in
//! events kept on each user.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::generated::cognito_idp::{
    AuthEventType, ClientSSOSessionConfigType, LogConfigurationType, RiskConfigurationType,
    UserPoolTokenSessionConfigType, UserSessionTrackingType,
};

/// How many events a user keeps (newest first); older ones are forgotten.
pub const EVENTS_KEPT: usize = 100;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Security {
    /// SetUserPoolSessionConfiguration; None until first set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sessions: Option<SessionSettings>,
    /// SetUserPoolClientSessionConfiguration, by client id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub client_sso: BTreeMap<String, ClientSSOSessionConfigType>,
    /// SetRiskConfiguration without a ClientId.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<RiskConfigurationType>,
    /// SetRiskConfiguration for one app client: replaces the pool's entirely for it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub client_risk: BTreeMap<String, RiskConfigurationType>,
    /// SetLogDeliveryConfiguration: where logs would be exported (nothing is sent).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub log_delivery: Vec<LogConfigurationType>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionSettings {
    pub tracking: UserSessionTrackingType,
    pub token: UserPoolTokenSessionConfigType,
}

impl Security {
    /// Whether sign-ins are tracked as sessions that can be listed and revoked one by one.
    pub fn tracking(&self) -> bool {
        self.sessions
            .as_ref()
            .is_some_and(|s| s.tracking == UserSessionTrackingType::Enabled)
    }

    /// The risk configuration in force for a client: its own, or else the pool's.
    pub fn risk_for(&self, client_id: Option<&str>) -> Option<&RiskConfigurationType> {
        client_id
            .and_then(|c| self.client_risk.get(c))
            .or(self.risk.as_ref())
    }

    /// A deleted client's settings go with it.
    pub fn forget_client(&mut self, client_id: &str) {
        self.client_sso.remove(client_id);
        self.client_risk.remove(client_id);
    }
}

/// One event of a user's history (AdminListUserAuthEvents), with the token that lets the
/// user give feedback on it (UpdateAuthEventFeedback).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredAuthEvent {
    pub event: AuthEventType,
    pub feedback_token: String,
}
