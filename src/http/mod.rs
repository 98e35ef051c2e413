//! The HTTP layer: every axum route and nothing else imports axum. The AWS JSON entry
//! ([`aws_json`]), the well-known documents, the emulator's own endpoints; CORS, binding and
//! graceful shutdown.

pub mod aws_json;
mod connections;
pub mod emulator;
mod guard;
mod hosted;
pub mod well_known;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::http::{HeaderName, Method, StatusCode};
use axum::response::Response;
use axum::routing::post;
use axum::{middleware, Router};
use tokio::net::TcpListener;
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};

use crate::app::App;
use crate::config::Config;
use crate::error::{ApiError, ErrorCode};

pub fn router(app: Arc<App>) -> Router {
    let guard = Arc::new(guard::Guard::new(&app.config, &app.public_url));
    Router::new()
        .route(
            "/",
            post(aws_json::handle).layer(middleware::from_fn_with_state(
                guard.clone(),
                guard::check_api,
            )),
        )
        .merge(well_known::router())
        .merge(hosted::api_router())
        // Before the layers, which must wrap these too (the CORS layer answers preflights).
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .layer(cors())
        .merge(hosted::page_router())
        // Added after the CORS layer, so web pages cannot read the emulator's own endpoints.
        .nest(
            "/_emulator",
            emulator::router()
                .method_not_allowed_fallback(method_not_allowed)
                .layer(middleware::from_fn_with_state(guard, guard::check)),
        )
        .with_state(app)
}

/// Browser apps (amazon-cognito-identity-js, Amplify) call the AWS API and the well-known
/// documents cross-origin.
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_credentials(true)
        .allow_methods([Method::GET, Method::POST, Method::DELETE, Method::OPTIONS])
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers([
            HeaderName::from_static("x-amzn-requestid"),
            HeaderName::from_static("x-amzn-errortype"),
            HeaderName::from_static("x-amzn-errormessage"),
        ])
        .max_age(std::time::Duration::from_secs(600))
}

async fn not_found() -> Response {
    aws_json::error_response_with_status(
        StatusCode::NOT_FOUND,
        &ApiError::new(
            ErrorCode::UnknownOperationException,
            "No such endpoint. The Cognito APIs answer POST / with an X-Amz-Target header; the emulator's own endpoints are under /_emulator.",
        ),
    )
}

async fn method_not_allowed() -> Response {
    aws_json::error_response_with_status(
        StatusCode::METHOD_NOT_ALLOWED,
        &ApiError::new(
            ErrorCode::UnknownOperationException,
            "Method not allowed. The Cognito APIs answer POST / with an X-Amz-Target header.",
        ),
    )
}

/// A bound server, ready to serve.
pub struct Server {
    listener: TcpListener,
    app: Arc<App>,
}

impl Server {
    pub async fn bind(config: Config) -> std::io::Result<Self> {
        let listener = TcpListener::bind((config.host.as_str(), config.port))
            .await
            .map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!("cannot listen on {}:{}: {e}", config.host, config.port),
                )
            })?;
        let addr = listener.local_addr()?;
        let public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", display_addr(&config.host, addr)))
            .trim_end_matches('/')
            .to_string();
        let app = Arc::new(App::new(config, public_url).map_err(std::io::Error::other)?);
        // Weak: the writer thread must not keep the state alive; it ends with it.
        let writer = Arc::downgrade(&app);
        app.store
            .start_writer(move || writer.upgrade().map_or(Ok(()), |app| app.store.flush()));
        Ok(Self { listener, app })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("bound listener has an address")
    }

    pub fn app(&self) -> Arc<App> {
        self.app.clone()
    }

    pub async fn serve(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let limits = connections::Limits {
            max_connections: self.app.config.max_connections,
            idle_timeout: std::time::Duration::from_secs(self.app.config.idle_timeout),
        };
        connections::serve(self.listener, router(self.app), limits, shutdown).await
    }

    /// Serves on a background task (tests, benchmarks) until [`RunningServer::stop`].
    pub fn spawn(self) -> RunningServer {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let shutdown = async move {
            // Dropping the handle without calling stop leaves the server running.
            if stopped.await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        RunningServer {
            stop,
            task: tokio::spawn(self.serve(shutdown)),
        }
    }
}

/// A server serving on a background task.
pub struct RunningServer {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// Shuts down gracefully (requests in flight finish) and waits until it has.
    pub async fn stop(self) -> std::io::Result<()> {
        let _ = self.stop.send(());
        self.task.await.map_err(std::io::Error::other)?
    }
}

fn display_addr(host: &str, addr: SocketAddr) -> String {
    // 0.0.0.0 is where we listen, not where anyone can reach us.
    let host = match host {
        "0.0.0.0" | "::" | "[::]" => "localhost",
        other => other,
    };
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{}", addr.port())
    } else {
        format!("{host}:{}", addr.port())
    }
}
