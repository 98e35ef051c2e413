use clap::Parser;
use cognito_emulator::config::{Config, LogFormat};
use cognito_emulator::server::Server;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let config = Config::parse();
    let filter = EnvFilter::try_new(&config.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let subscriber = tracing_subscriber::fmt().with_env_filter(filter);
    match config.log_format {
        LogFormat::Json => subscriber.json().init(),
        LogFormat::Text => subscriber.init(),
    }

    let server = Server::bind(config.clone()).await?;
    if let Some(seed) = &config.seed {
        if let Err(problem) = cognito_emulator::seed::apply_file(&server.app(), seed) {
            eprintln!("cognito-emulator: {problem}");
            std::process::exit(2);
        }
    }
    let addr = server.local_addr();
    let url = server.app().public_url.clone();
    // Printed (not logged) so scripts can read the port when started with --port 0.
    println!("cognito-emulator listening on http://{addr} (public URL {url})");
    println!("  aws cognito-idp list-user-pools --max-results 10 --endpoint-url {url}");
    server.serve(shutdown_signal()).await
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
