//! Threat protection as far as it can be simulated locally: where a request comes from, the
//! always-block and always-allow IP ranges of a risk configuration, and the risk verdict
//! an event records. No risk scoring happens: every other sign-in is "no risk", and
//! credentials are never found compromised.

use std::net::IpAddr;

use crate::app::RequestContext;
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_idp::*;
use crate::idp::store::UserPool;

/// Where a request comes from, as threat protection and sessions see it.
#[derive(Debug, Clone, Default)]
pub struct Source {
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
}

impl Source {
    /// The request's own peer and `User-Agent`.
    pub fn of(ctx: &RequestContext) -> Self {
        Source {
            ip: ctx.source_ip,
            user_agent: ctx.user_agent.clone(),
        }
    }

    /// An admin sign-in made for a user by a server: the user's address and headers come
    /// in `ContextData` when the server passes them.
    pub fn of_admin(ctx: &RequestContext, data: Option<&ContextDataType>) -> Self {
        let mut source = Self::of(ctx);
        if let Some(data) = data {
            if let Ok(ip) = data.ip_address.trim().parse::<IpAddr>() {
                source.ip = Some(ip.to_canonical());
            }
            if let Some(agent) = data
                .http_headers
                .iter()
                .find(|h| {
                    h.header_name
                        .as_deref()
                        .map(str::to_ascii_lowercase)
                        .as_deref()
                        == Some("user-agent")
                })
                .and_then(|h| h.header_value.clone())
            {
                source.user_agent = Some(agent);
            }
        }
        source
    }

    /// A public sign-in: `UserContextData.IpAddress` counts only when the app client
    /// propagates additional user context data (EnablePropagateAdditionalUserContextData).
    pub fn of_public(
        ctx: &RequestContext,
        data: Option<&UserContextDataType>,
        propagate: bool,
    ) -> Self {
        let mut source = Self::of(ctx);
        if let Some(ip) = data
            .filter(|_| propagate)
            .and_then(|d| d.ip_address.as_deref())
            .and_then(|ip| ip.trim().parse::<IpAddr>().ok())
        {
            source.ip = Some(ip.to_canonical());
        }
        source
    }
}

/// Parses `a.b.c.d/n` or `x::y/n` (a bare address is a single-address range).
pub fn parse_cidr(text: &str) -> Option<(IpAddr, u8)> {
    let (address, bits) = match text.split_once('/') {
        Some((a, b)) => (a, Some(b)),
        None => (text, None),
    };
    let address: IpAddr = address.parse().ok()?;
    let max = if address.is_ipv4() { 32 } else { 128 };
    let bits = match bits {
        Some(b) => b.parse::<u8>().ok().filter(|b| *b <= max)?,
        None => max,
    };
    Some((address, bits))
}

fn in_range(ip: IpAddr, range: &str) -> bool {
    let Some((network, bits)) = parse_cidr(range) else {
        return false;
    };
    match (ip, network) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

fn in_any(ip: IpAddr, ranges: Option<&Vec<String>>) -> bool {
    ranges.is_some_and(|list| list.iter().any(|r| in_range(ip, r)))
}

/// The pool's threat protection mode (AdvancedSecurityMode).
pub fn mode(pool: &UserPool) -> AdvancedSecurityModeType {
    pool.config
        .user_pool_add_ons
        .as_ref()
        .map(|a| a.advanced_security_mode)
        .unwrap_or_default()
}

/// What threat protection decides about a request from `source` to `client_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing to say (or threat protection is off, or the address is always allowed).
    NoRisk,
    /// From an always-blocked range, in full-function (ENFORCED) mode.
    Blocked,
}

pub fn verdict(pool: &UserPool, client_id: Option<&str>, source: &Source) -> Verdict {
    // Exceptions act in full-function mode only; audit mode only observes.
    if mode(pool) != AdvancedSecurityModeType::Enforced {
        return Verdict::NoRisk;
    }
    let (Some(ip), Some(config)) = (source.ip, pool.security.risk_for(client_id)) else {
        return Verdict::NoRisk;
    };
    let Some(exceptions) = &config.risk_exception_configuration else {
        return Verdict::NoRisk;
    };
    // An address in both lists is let through: risk is not evaluated for skipped ranges
    // (unconfirmed).
    if in_any(ip, exceptions.skipped_ip_range_list.as_ref()) {
        return Verdict::NoRisk;
    }
    if in_any(ip, exceptions.blocked_ip_range_list.as_ref()) {
        return Verdict::Blocked;
    }
    Verdict::NoRisk
}

/// The error a blocked sign-in gets. Text unconfirmed.
pub fn blocked() -> ApiError {
    ApiError::not_authorized("Unable to login because of security reasons.")
}

/// The risk an event records for a verdict.
pub fn event_risk(verdict: Verdict) -> EventRiskType {
    match verdict {
        Verdict::NoRisk => EventRiskType {
            compromised_credentials_detected: Some(false),
            risk_decision: Some(RiskDecisionType::NoRisk),
            risk_level: None,
        },
        Verdict::Blocked => EventRiskType {
            compromised_credentials_detected: Some(false),
            risk_decision: Some(RiskDecisionType::Block),
            risk_level: Some(RiskLevelType::High),
        },
    }
}

/// Checks a risk configuration's IP ranges (CIDR notation).
pub fn check_ranges(config: &RiskExceptionConfigurationType) -> ApiResult<()> {
    let lists = [&config.blocked_ip_range_list, &config.skipped_ip_range_list];
    for range in lists.into_iter().flatten().flatten() {
        if parse_cidr(range).is_none() || !range.contains('/') {
            // Text unconfirmed.
            return Err(ApiError::invalid_parameter(format!(
                "Invalid IP range {range}: use CIDR notation, e.g. 192.0.2.0/24."
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_match_addresses() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(in_range(ip("127.0.0.1"), "127.0.0.0/8"));
        assert!(in_range(ip("192.0.2.252"), "192.0.2.252/32"));
        assert!(!in_range(ip("192.0.2.253"), "192.0.2.252/32"));
        assert!(in_range(ip("10.1.2.3"), "0.0.0.0/0"));
        assert!(in_range(ip("2001:db8::1"), "2001:db8::/32"));
        assert!(!in_range(ip("2001:db9::1"), "2001:db8::/32"));
        assert!(!in_range(ip("127.0.0.1"), "::1/128"));
        assert!(parse_cidr("10.0.0.0/33").is_none());
        assert!(parse_cidr("nonsense/8").is_none());
    }
}
