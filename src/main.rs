use std::process::ExitCode;

use clap::Parser;
use cognito_emulator::config::{Config, LogFormat};
use cognito_emulator::http::Server;
use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::fmt::writer::MakeWriterExt;
use tracing_subscriber::EnvFilter;

/// The target of the one-line-per-request log (src/http/aws_json.rs).
const REQUEST_LOG: &str = "cognito_emulator::requests";

fn main() -> ExitCode {
    let config = Config::parse();
    if config.health_check {
        return if healthy(&config) {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        };
    }
    let log = init_logging(&config);
    let code = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime.block_on(run(config)),
        Err(problem) => {
            eprintln!("cognito-emulator: {problem}");
            ExitCode::FAILURE
        }
    };
    // After the runtime is gone: writes out the request lines still queued.
    drop(log);
    code
}

/// Request lines go through a writer thread, which batches them into few writes and drops
/// them rather than stall a request when it falls behind: written inline they cost about a
/// quarter of the throughput. All other lines (start-up, warnings, errors) are written at
/// once, in order, never dropped.
///
/// The queue holds 16,384 lines: its slots are allocated and touched up front, and
/// tracing-appender's default (128,000) made 4 MB of the idle binary's RSS. The writer drains
/// it continuously, so it fills only if stdout stalls.
fn init_logging(config: &Config) -> WorkerGuard {
    let (requests, guard) = NonBlockingBuilder::default()
        .lossy(true)
        .buffered_lines_limit(16_384)
        .thread_name("request-log")
        .finish(std::io::BufWriter::with_capacity(
            64 * 1024,
            std::io::stdout(),
        ));
    let writer = requests
        .with_filter(|meta: &tracing::Metadata<'_>| meta.target() == REQUEST_LOG)
        .or_else(std::io::stdout);
    let filter = EnvFilter::try_new(&config.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match config.log_format {
        LogFormat::Json => subscriber.json().init(),
        LogFormat::Text => subscriber.init(),
    }
    guard
}

async fn run(config: Config) -> ExitCode {
    let server = match Server::bind(config.clone()).await {
        Ok(server) => server,
        Err(problem) => {
            eprintln!("cognito-emulator: {problem}");
            return ExitCode::from(1);
        }
    };
    if let Some(seed) = &config.seed {
        if let Err(problem) = cognito_emulator::seed::apply_file(&server.app(), seed).await {
            eprintln!("cognito-emulator: {problem}");
            return ExitCode::from(2);
        }
    }
    let addr = server.local_addr();
    let url = server.app().public_url.clone();
    // Printed (not logged) so scripts can read the port when started with --port 0.
    println!("cognito-emulator listening on http://{addr} (public URL {url})");
    println!("  aws cognito-idp list-user-pools --max-results 10 --endpoint-url {url}");
    match server.serve(shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("cognito-emulator: {problem}");
            ExitCode::FAILURE
        }
    }
}

/// `GET /_emulator/health` over a plain socket: a container image needs no HTTP client.
fn healthy(config: &Config) -> bool {
    use std::io::{Read, Write};
    let host = match config.host.as_str() {
        "0.0.0.0" => "127.0.0.1",
        "::" | "[::]" => "::1",
        other => other,
    };
    let timeout = std::time::Duration::from_secs(2);
    let Ok(addrs) = std::net::ToSocketAddrs::to_socket_addrs(&(host, config.port)) else {
        return false;
    };
    addrs.into_iter().any(|addr| {
        let Ok(mut stream) = std::net::TcpStream::connect_timeout(&addr, timeout) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(timeout));
        let request =
            "GET /_emulator/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
        let mut response = String::new();
        stream.write_all(request.as_bytes()).is_ok()
            && stream.read_to_string(&mut response).is_ok()
            && response.starts_with("HTTP/1.1 200")
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
