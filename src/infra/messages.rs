//! Everything Cognito would e-mail or text is kept here (readable over
//! `/_emulator/messages`) and logged, instead of being sent.

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
    kept: Mutex<Vec<Message>>,
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
        self.kept.lock().push(message);
    }

    /// Messages matching every given filter; `username` also matches the destination, so a
    /// test can look a message up by the e-mail address it knows.
    pub fn list(&self, user_pool_id: Option<&str>, username: Option<&str>) -> Vec<Message> {
        self.kept
            .lock()
            .iter()
            .filter(|m| user_pool_id.is_none_or(|p| m.user_pool_id == p))
            .filter(|m| username.is_none_or(|u| m.username == u || m.destination == u))
            .cloned()
            .collect()
    }

    pub fn clear(&self) {
        self.kept.lock().clear();
    }
}
