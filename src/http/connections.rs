//! The accept loop. `axum::serve` has no timeouts and no connection limit, so idle or silent
//! connections piled up until the process ran out of file descriptors and nobody was served.
//! Here every connection holds one of `--max-connections` permits; at the limit the next one
//! is not accepted (it waits in the listen backlog, holding none of our descriptors) until a
//! connection closes. A connection is closed once it has gone `--idle-timeout` without
//! sending a whole request head, counted from when it opened or answered its last request, so
//! a slot is never held for long by a connection that does nothing.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// How long to pause after a failed accept (e.g. out of file descriptors) rather than spin.
const ACCEPT_RETRY: Duration = Duration::from_millis(100);

pub struct Limits {
    pub max_connections: usize,
    pub idle_timeout: Duration,
}

/// Serves HTTP/1.1 until `shutdown`, then lets requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        // Also runs between requests: it is what closes idle keep-alive connections.
        .header_read_timeout(limits.idle_timeout)
        .keep_alive(true);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => (stream, peer),
                Err(error) => {
                    tracing::warn!("accepting a connection failed: {error}");
                    tokio::time::sleep(ACCEPT_RETRY).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        // Operations see the peer's address (sign-in events, sessions, blocked IP ranges).
        let service = TowerToHyperService::new(tower::ServiceExt::map_request(
            router.clone(),
            move |mut request: axum::extract::Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                request
            },
        ));
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // Errors are the client's doing (gone away, too slow): nothing to answer.
            if let Err(error) = connection.await {
                tracing::debug!("connection ended: {error}");
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
