//! Keeps the emulator's own endpoints (`/_emulator`: kept messages carry temporary passwords
//! and codes; reset wipes everything) out of reach of the web pages a developer visits. They
//! get no CORS headers (see [`super::router`]), so a page cannot read them; this middleware
//! refuses what a page could still send: a request under a host name that is not the
//! emulator's (DNS rebinding), and a state-changing request that is cross-site or shaped like
//! a form post.

use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use super::aws_json::error_response_with_status;
use crate::config::Config;
use crate::error::{ApiError, ErrorCode};
use crate::protocol::Target;

/// The host names the emulator's own endpoints answer to, besides loopback.
#[derive(Debug)]
pub struct Guard {
    any_host: bool,
    hosts: HashSet<String>,
    /// `scheme://host:port` of the public URL: a page served from it is the emulator's own.
    public_origin: String,
}

impl Guard {
    pub fn new(config: &Config, public_url: &str) -> Self {
        let public_origin = origin_of(public_url).to_ascii_lowercase();
        let mut hosts: HashSet<String> = config
            .allowed_hosts
            .iter()
            .map(|h| host_name(h.trim()))
            .filter(|h| !h.is_empty())
            .collect();
        let any_host = hosts.remove("*");
        hosts.insert(host_name(authority_of(&public_origin)));
        // A wildcard address is where we listen, not a name anyone reaches us by.
        if !matches!(config.host.as_str(), "0.0.0.0" | "::" | "[::]" | "") {
            hosts.insert(host_name(&config.host));
        }
        Self {
            any_host,
            hosts,
            public_origin,
        }
    }

    fn host_allowed(&self, host: &str) -> bool {
        self.any_host || is_loopback(host) || self.hosts.contains(host)
    }

    fn admit(&self, request: &Request) -> Result<(), ApiError> {
        let headers = request.headers();
        let authority = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .or_else(|| request.uri().authority().map(|a| a.as_str()));
        // A request without a Host header does not come from a browser.
        if let Some(authority) = authority {
            let host = host_name(authority);
            if !self.host_allowed(&host) {
                return Err(denied(format!(
                    "Host '{host}' may not reach the emulator's own endpoints (a guard against DNS rebinding). Allow it with --allowed-hosts {host} (COGNITO_EMULATOR_ALLOWED_HOSTS; '*' allows any), or set --public-url (COGNITO_EMULATOR_PUBLIC_URL) to the URL you reach the emulator at."
                )));
            }
        }
        if matches!(*request.method(), Method::GET | Method::HEAD) {
            return Ok(());
        }
        let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
        if header("sec-fetch-site").is_some_and(|site| site.eq_ignore_ascii_case("cross-site")) {
            return Err(denied(
                "Cross-site requests may not change the emulator's state.",
            ));
        }
        if let Some(origin) = header(header::ORIGIN.as_str()) {
            let own = origin.eq_ignore_ascii_case(&self.public_origin)
                || authority.is_some_and(|a| authority_of(origin).eq_ignore_ascii_case(a));
            if !own {
                return Err(denied(format!(
                    "Requests from origin '{origin}' may not change the emulator's state; call it from a script or test, not from a web page."
                )));
            }
        }
        // What an HTML form or a simple fetch can send without asking the emulator first.
        let content_type = header(header::CONTENT_TYPE.as_str()).map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
        if let Some("application/x-www-form-urlencoded" | "multipart/form-data" | "text/plain") =
            content_type.as_deref()
        {
            return Err(denied(
                "Requests that change the emulator's state must send Content-Type: application/json, or no body.",
            ));
        }
        Ok(())
    }
}

/// In front of the AWS API (`POST /`): any web page may call the operations Cognito leaves
/// unauthenticated (sign-up, sign-in…; browser apps do), but the ones that need AWS
/// credentials (Admin*, pool and client management, ListUsers…) are refused to pages from
/// other hosts. The emulator checks no signature, so otherwise any site a developer visits
/// could read every pool or reset any password. Pages from loopback hosts and
/// `--allowed-hosts` (a developer's own app) may call them.
pub async fn check_api(State(guard): State<Arc<Guard>>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let foreign = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|origin| !guard.host_allowed(&host_name(authority_of(origin))));
    let signed = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| Target::parse(t).ok())
        .is_some_and(Target::is_signed);
    if foreign && signed {
        let error = denied(
            "Web pages from other hosts may not call operations that need AWS credentials. Allow the page's host with --allowed-hosts (COGNITO_EMULATOR_ALLOWED_HOSTS).",
        );
        tracing::warn!("refused a cross-origin call: {}", error.message);
        return error_response_with_status(StatusCode::FORBIDDEN, &error);
    }
    next.run(request).await
}

/// The middleware in front of every `/_emulator` endpoint.
pub async fn check(State(guard): State<Arc<Guard>>, request: Request, next: Next) -> Response {
    match guard.admit(&request) {
        Ok(()) => next.run(request).await,
        Err(error) => {
            tracing::warn!(
                "refused {} {}: {}",
                request.method(),
                request.uri(),
                error.message
            );
            error_response_with_status(StatusCode::FORBIDDEN, &error)
        }
    }
}

fn denied(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::AccessDeniedException, message)
}

/// `scheme://authority` of a URL.
fn origin_of(url: &str) -> &str {
    let start = url.find("://").map_or(0, |i| i + 3);
    let end = url[start..].find('/').map_or(url.len(), |i| start + i);
    &url[..end]
}

/// The authority of a URL or origin, without any user info.
fn authority_of(url: &str) -> &str {
    let origin = origin_of(url);
    let authority = origin.find("://").map_or(origin, |i| &origin[i + 3..]);
    authority.rsplit_once('@').map_or(authority, |(_, a)| a)
}

/// The host name of an authority (`host`, `host:port`, `[v6]:port`), lower case, without
/// port, brackets or a trailing dot.
fn host_name(authority: &str) -> String {
    let host = if let Some(rest) = authority.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
            _ => authority,
        }
    };
    host.trim_end_matches('.').to_ascii_lowercase()
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_lose_ports_brackets_and_case() {
        assert_eq!(host_name("LocalHost:9229"), "localhost");
        assert_eq!(host_name("[::1]:9229"), "::1");
        assert_eq!(host_name("cognito"), "cognito");
        assert_eq!(host_name("example.com.:80"), "example.com");
        assert_eq!(authority_of("http://u@cognito:9229/x"), "cognito:9229");
        assert_eq!(origin_of("http://cognito:9229/x"), "http://cognito:9229");
    }

    #[test]
    fn loopback_public_listening_and_listed_hosts_are_allowed() {
        let mut config = Config::default_for_tests();
        config.host = "0.0.0.0".into();
        config.allowed_hosts = vec!["Extra.Test:1234".into()];
        let guard = Guard::new(&config, "http://cognito:9229");
        for host in [
            "localhost",
            "app.localhost",
            "127.0.0.1",
            "127.1.2.3",
            "::1",
            "cognito",
            "extra.test",
        ] {
            assert!(guard.host_allowed(host), "{host}");
        }
        for host in [
            "evil.example",
            "0.0.0.0",
            "localhost.evil.example",
            "10.0.0.1",
        ] {
            assert!(!guard.host_allowed(host), "{host}");
        }
        config.host = "10.0.0.1".into();
        assert!(Guard::new(&config, "http://localhost:1").host_allowed("10.0.0.1"));
        config.allowed_hosts = vec!["*".into()];
        assert!(Guard::new(&config, "http://localhost:1").host_allowed("evil.example"));
    }
}
