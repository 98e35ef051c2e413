//! The state shared by every request.

use crate::clock::Clock;
use crate::config::Config;
use crate::messages::Messages;
use crate::store::Store;

pub struct App {
    pub config: Config,
    /// Where clients reach us; known once the listener is bound.
    pub public_url: String,
    pub store: Store,
    pub messages: Messages,
    pub clock: Clock,
}

impl App {
    pub fn new(config: Config, public_url: String) -> Self {
        Self {
            config,
            public_url,
            store: Store::default(),
            messages: Messages::default(),
            clock: Clock::default(),
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
        self.store.clear();
        self.messages.clear();
        self.clock.reset();
    }
}
