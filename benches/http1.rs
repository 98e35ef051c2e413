//! The load generator's HTTP client for the measured loops: one keep-alive HTTP/1.1
//! connection, one request at a time, and nothing a JSON POST does not need (as wrk does).
//! The generator shares the machine's two cores with the server, so what it spends is taken
//! from the server: reqwest's layers (URL parsing, redirect and retry policies, its
//! connection pool) took about a tenth of the CPU in the TOTP sign-in run. Setup code keeps
//! reqwest.

use std::future::Future;
use std::sync::Arc;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::Mutex;

/// A client the benchmark's calls can go through: reqwest for setup, [`Connection`] in the
/// measured loops. Answers the status and the body.
pub trait Post: Sync {
    fn post_json(
        &self,
        url: &str,
        target: &str,
        body: String,
    ) -> impl Future<Output = (u16, Vec<u8>)> + Send;
}

impl Post for reqwest::Client {
    async fn post_json(&self, url: &str, target: &str, body: String) -> (u16, Vec<u8>) {
        let response = self
            .post(url)
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", target)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.bytes().await.unwrap().to_vec())
    }
}

/// One keep-alive connection to `http://host:port/` (clones share it; requests take turns).
#[derive(Clone)]
pub struct Connection {
    host: Arc<str>,
    stream: Arc<Mutex<Option<BufReader<TcpStream>>>>,
}

impl Connection {
    /// A connection to the server at `url` (`http://host:port`), opened on first use.
    pub fn new(url: &str) -> Self {
        let host = url
            .strip_prefix("http://")
            .expect("an http:// URL")
            .trim_end_matches('/');
        Self {
            host: Arc::from(host),
            stream: Arc::default(),
        }
    }

    /// POSTs `body` to `/` with `X-Amz-Target: target`; the status and the body.
    pub async fn post(&self, target: &str, body: &[u8]) -> (u16, Vec<u8>) {
        let mut slot = self.stream.lock().await;
        if slot.is_none() {
            let stream = TcpStream::connect(&*self.host).await.unwrap();
            stream.set_nodelay(true).unwrap();
            *slot = Some(BufReader::new(stream));
        }
        let stream = slot.as_mut().unwrap();
        let mut request = format!(
            "POST / HTTP/1.1\r\nhost: {}\r\ncontent-type: application/x-amz-json-1.1\r\n\
             x-amz-target: {target}\r\ncontent-length: {}\r\n\r\n",
            self.host,
            body.len()
        )
        .into_bytes();
        request.extend_from_slice(body);
        stream.get_mut().write_all(&request).await.unwrap();

        let mut line = String::new();
        stream.read_line(&mut line).await.unwrap();
        // "HTTP/1.1 200 OK"
        let status: u16 = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("not an HTTP status line: {line:?}"));
        let mut length = None;
        loop {
            line.clear();
            stream.read_line(&mut line).await.unwrap();
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse::<usize>().ok();
                }
            }
        }
        let mut answer = vec![0; length.expect("the server sends a content-length")];
        stream.read_exact(&mut answer).await.unwrap();
        (status, answer)
    }
}

impl Post for Connection {
    async fn post_json(&self, _url: &str, target: &str, body: String) -> (u16, Vec<u8>) {
        self.post(target, body.as_bytes()).await
    }
}
