//! Everything Cognito would e-mail or text is kept here (readable over
//! `/_emulator/messages`) and logged, instead of being sent. Only the most recent
//! [`KEPT_PER_POOL`] of each pool are kept, so a long-running emulator does not grow without
//! bound.

use std::collections::{HashMap, VecDeque};
use std::sync::mpsc::{channel, Sender};
use std::sync::OnceLock;

use parking_lot::Mutex;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub id: String,
    pub user_pool_id: String,
    pub username: String,
    /// What the message is for, e.g. `AdminCreateUser`.
    pub trigger: String,
    /// `EMAIL` or `SMS`.
    pub delivery_medium: String,
    /// The e-mail address or phone number it would have gone to.
    pub destination: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub body: String,
    /// The code or temporary password the message carries, for tests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub created_at: f64,
}

/// How many messages each pool keeps; older ones are dropped first.
pub const KEPT_PER_POOL: usize = 1_000;

#[derive(Debug, Default)]
struct Kept {
    /// Numbers messages in the order they were kept, to list pools' messages together.
    next: u64,
    by_pool: HashMap<String, VecDeque<(u64, Message)>>,
}

/// The messages one operation would send. Built under the pool's lock, delivered (kept and
/// logged) by the service layer once the operation has succeeded, with no lock held: the
/// place where a CustomMessage trigger will rewrite them.
#[derive(Debug, Default)]
pub struct Outbox(Mutex<Vec<Message>>);

impl Outbox {
    pub fn send(&self, message: Message) {
        self.0.lock().push(message);
    }

    pub fn take(&self) -> Vec<Message> {
        std::mem::take(&mut *self.0.lock())
    }
}

#[derive(Debug, Default)]
pub struct Messages {
    kept: Mutex<Kept>,
    /// Messages are logged on a thread of their own: writing a log line is I/O, and
    /// delivery happens on the threads that serve requests.
    logger: OnceLock<Sender<Message>>,
}

fn log(message: &Message) {
    tracing::info!(
        target: "cognito_emulator::infra::messages",
        user_pool_id = %message.user_pool_id,
        username = %message.username,
        trigger = %message.trigger,
        medium = %message.delivery_medium,
        destination = %message.destination,
        code = message.code.as_deref().unwrap_or(""),
        "message kept: {}",
        message.body
    );
}

impl Messages {
    pub fn push(&self, message: Message) {
        let logger = self.logger.get_or_init(|| {
            let (sender, receiver) = channel::<Message>();
            std::thread::Builder::new()
                .name("message-log".into())
                .spawn(move || receiver.iter().for_each(|m| log(&m)))
                .expect("spawn the message logger");
            sender
        });
        let _ = logger.send(message.clone());
        let mut kept = self.kept.lock();
        let number = kept.next;
        kept.next += 1;
        let pool = kept
            .by_pool
            .entry(message.user_pool_id.clone())
            .or_default();
        if pool.len() == KEPT_PER_POOL {
            pool.pop_front();
        }
        pool.push_back((number, message));
    }

    /// Messages matching every given filter; `username` also matches the destination, so a
    /// test can look a message up by the e-mail address it knows.
    pub fn list(&self, user_pool_id: Option<&str>, username: Option<&str>) -> Vec<Message> {
        let kept = self.kept.lock();
        let mut found: Vec<&(u64, Message)> = match user_pool_id {
            Some(pool) => kept.by_pool.get(pool).into_iter().flatten().collect(),
            None => kept.by_pool.values().flatten().collect(),
        };
        found.retain(|(_, m)| username.is_none_or(|u| m.username == u || m.destination == u));
        // Oldest first, across pools.
        found.sort_unstable_by_key(|(number, _)| *number);
        found.into_iter().map(|(_, m)| m.clone()).collect()
    }

    /// Drops a deleted pool's messages, so pools created and deleted by test suites leave
    /// nothing behind.
    pub fn forget_pool(&self, user_pool_id: &str) {
        self.kept.lock().by_pool.remove(user_pool_id);
    }

    pub fn clear(&self) {
        self.kept.lock().by_pool.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(pool: &str, n: usize) -> Message {
        Message {
            id: n.to_string(),
            user_pool_id: pool.into(),
            username: format!("user{n}"),
            trigger: "AdminCreateUser".into(),
            delivery_medium: "EMAIL".into(),
            destination: format!("user{n}@example.com"),
            subject: None,
            body: String::new(),
            code: None,
            created_at: 0.0,
        }
    }

    #[test]
    fn each_pool_keeps_only_its_most_recent_messages() {
        let messages = Messages::default();
        messages.push(message("other", 0));
        for n in 1..=KEPT_PER_POOL + 10 {
            messages.push(message("busy", n));
        }
        messages.push(message("other", KEPT_PER_POOL + 11));

        let busy = messages.list(Some("busy"), None);
        assert_eq!(busy.len(), KEPT_PER_POOL);
        assert_eq!(busy[0].id, "11", "the oldest ten were dropped");
        assert_eq!(busy[KEPT_PER_POOL - 1].id, (KEPT_PER_POOL + 10).to_string());
        assert_eq!(
            messages.list(Some("other"), None).len(),
            2,
            "other pools keep theirs"
        );

        let all = messages.list(None, None);
        assert_eq!(all.len(), KEPT_PER_POOL + 2);
        assert_eq!(all[0].id, "0", "oldest first, across pools");
        assert_eq!(all[1].id, "11");
        assert_eq!(all[KEPT_PER_POOL + 1].id, (KEPT_PER_POOL + 11).to_string());
        assert_eq!(messages.list(None, Some("user12@example.com"))[0].id, "12");
    }
}
