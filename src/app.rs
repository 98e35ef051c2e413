//! The state shared by every request.

use crate::config::Config;
use crate::identity::store::IdentityStore;
use crate::idp::store::limits::ProvisionedLimits;
use crate::idp::store::Store;
use crate::infra::clock::Clock;
use crate::infra::crypto::jwt::{KeyReserve, SigningKey};
use crate::infra::lambda::{Endpoints, Lambda};
use crate::infra::messages::{Messages, Outbox};
use std::sync::OnceLock;

/// What an operation knows about the request besides its input.
#[derive(Debug)]
pub struct RequestContext {
    pub request_id: String,
    /// The region the request was signed for (the SigV4 credential scope), or `--region`:
    /// pools are created in it and listed from it, as each AWS region has its own.
    pub region: String,
    /// Messages the operation would send, delivered once it has succeeded.
    pub outbox: Outbox,
    /// Whether the request came SigV4-signed (IAM credentials; the signature is not checked).
    pub signed: bool,
    /// The address the request came from (the TCP peer), when it came over HTTP.
    pub source_ip: Option<std::net::IpAddr>,
    /// The request's `User-Agent` header.
    pub user_agent: Option<String>,
    /// Whether Lambda triggers run (not while seeding: seeded users are created as written).
    pub triggers: bool,
    /// The request's `ClientId` and `ClientMetadata`, as triggers that run after the
    /// operation (CustomMessage, the custom senders) are given them.
    pub caller: Caller,
}

/// Who asked, as a trigger event's `callerContext.clientId` and `request.clientMetadata` say.
#[derive(Debug, Default, Clone)]
pub struct Caller {
    pub client_id: Option<String>,
    pub client_metadata: Option<std::collections::BTreeMap<String, String>>,
}

impl Caller {
    /// From a request's input: its `ClientId` and `ClientMetadata` members, where it has them.
    pub fn of(input: &serde_json::Value) -> Self {
        Self {
            client_id: input
                .get("ClientId")
                .and_then(|v| v.as_str())
                .map(str::to_string),
            client_metadata: input
                .get("ClientMetadata")
                .and_then(|v| serde_json::from_value(v.clone()).ok()),
        }
    }
}

impl RequestContext {
    pub fn new(region: &str) -> Self {
        Self {
            request_id: crate::infra::ids::uuid(),
            region: region.to_string(),
            outbox: Outbox::default(),
            signed: false,
            source_ip: None,
            user_agent: None,
            triggers: true,
            caller: Caller::default(),
        }
    }
}

pub struct App {
    pub config: Config,
    /// Where clients reach us; known once the listener is bound.
    pub public_url: String,
    pub store: Store,
    /// cognito-identity's state (written by `store`'s commits).
    pub identity: std::sync::Arc<IdentityStore>,
    /// The account's provisioned API rate limits (written by `store`'s commits too).
    pub limits: std::sync::Arc<ProvisionedLimits>,
    pub messages: Messages,
    /// Lambda triggers' invoker and the invocations it made.
    pub lambda: Lambda,
    pub clock: Clock,
    /// Pre-generated signing keys, started with the first pool.
    keys: OnceLock<KeyReserve>,
}

impl App {
    /// In memory, or loaded from `--data-dir` when given.
    pub fn new(config: Config, public_url: String) -> Result<Self, String> {
        let store = match &config.data_dir {
            Some(dir) => Store::durable(dir)?,
            None => Store::default(),
        };
        let identity = std::sync::Arc::new(IdentityStore::default());
        store.attach(identity.clone())?;
        let limits = std::sync::Arc::new(ProvisionedLimits::default());
        store.attach(limits.clone())?;
        let endpoints = Endpoints::parse(
            config.lambda_endpoint.as_deref(),
            &config.lambda_function_endpoint,
        )?;
        Ok(Self {
            lambda: Lambda::new(endpoints),
            config,
            public_url,
            store,
            identity,
            limits,
            messages: Messages::default(),
            clock: Clock::default(),
            keys: OnceLock::new(),
        })
    }

    /// Starts generating signing keys in the background (ahead of the first sign-in).
    pub fn prepare_keys(&self) {
        self.keys.get_or_init(|| KeyReserve::start(2));
    }

    /// A signing key; may take a key generation's time, so call it off the async threads.
    pub fn take_key(&self) -> SigningKey {
        self.keys.get_or_init(|| KeyReserve::start(2)).take()
    }

    /// The `iss` of a pool's tokens.
    pub fn issuer(&self, pool_id: &str) -> String {
        if self.config.aws_issuer {
            // A pool id starts with its region.
            let region = pool_id.split_once('_').map_or(self.region(), |(r, _)| r);
            format!("https://cognito-idp.{region}.amazonaws.com/{pool_id}")
        } else {
            format!("{}/{pool_id}", self.public_url)
        }
    }

    /// The `iss` of identity pools' OpenID tokens (its JWKS and discovery document are under
    /// `<issuer>/.well-known/` when it is the emulator's own URL).
    pub fn identity_issuer(&self) -> String {
        if self.config.aws_issuer {
            "https://cognito-identity.amazonaws.com".to_string()
        } else {
            format!("{}/cognito-identity", self.public_url)
        }
    }

    pub fn region(&self) -> &str {
        &self.config.region
    }

    pub fn account_id(&self) -> &str {
        &self.config.account_id
    }

    /// Forget every pool, message and clock offset.
    pub fn reset(&self) {
        if let Err(e) = self.store.clear() {
            tracing::error!("reset could not clear durable state: {e}");
        }
        self.messages.clear();
        self.lambda.clear();
        self.clock.reset();
    }
}
