//! Command-line flags, each also readable from an environment variable.

use clap::{Parser, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Parser)]
#[command(
    name = "cognito-emulator",
    version,
    about = "A local emulator of Amazon Cognito"
)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "COGNITO_EMULATOR_HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on; 0 picks a free port (printed on start-up).
    #[arg(long, env = "COGNITO_EMULATOR_PORT", default_value_t = 9229)]
    pub port: u16,
    /// Region used in pool ids, ARNs and issuers.
    #[arg(long, env = "COGNITO_EMULATOR_REGION", default_value = "us-east-1")]
    pub region: String,
    /// Account id used in ARNs.
    #[arg(
        long,
        env = "COGNITO_EMULATOR_ACCOUNT_ID",
        default_value = "000000000000"
    )]
    pub account_id: String,
    /// URL clients reach the emulator at (e.g. `http://cognito:9229` in a Docker network);
    /// defaults to `http://<host>:<port>`.
    #[arg(long, env = "COGNITO_EMULATOR_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Put the AWS form of the issuer, `https://cognito-idp.<region>.amazonaws.com/<poolId>`,
    /// in tokens (for verifiers that insist on it, e.g. aws-jwt-verify's CognitoJwtVerifier)
    /// instead of `<public URL>/<poolId>`.
    #[arg(long, env = "COGNITO_EMULATOR_AWS_ISSUER", default_value_t = false)]
    pub aws_issuer: bool,
    /// A seed file (YAML, or JSON when it ends in `.json`) with pools, clients, groups and
    /// users to create at start-up; see `fixtures/seed.example.yaml`.
    #[arg(long, env = "COGNITO_EMULATOR_SEED")]
    pub seed: Option<std::path::PathBuf>,
    /// Instead of serving: ask the emulator at --host/--port for its health and exit 0 if it
    /// answers (for container HEALTHCHECKs, where there is no curl).
    #[arg(long, env = "COGNITO_EMULATOR_HEALTH_CHECK", default_value_t = false)]
    pub health_check: bool,
    /// Keep all state in this directory (SQLite) so it survives restarts; without it, state
    /// lives in memory only.
    #[arg(long, env = "COGNITO_EMULATOR_DATA_DIR")]
    pub data_dir: Option<std::path::PathBuf>,
    /// Log filter, as RUST_LOG (e.g. `info`, `cognito_emulator=debug`).
    #[arg(long, env = "COGNITO_EMULATOR_LOG", default_value = "info")]
    pub log: String,
    /// Log line format.
    #[arg(long, env = "COGNITO_EMULATOR_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Host names, besides loopback, the public URL's and the listening address's, under
    /// which the emulator's own endpoints (`/_emulator`) answer; comma-separated, `*` for any.
    /// Other hosts are refused, against DNS rebinding.
    #[arg(long, env = "COGNITO_EMULATOR_ALLOWED_HOSTS", value_delimiter = ',')]
    pub allowed_hosts: Vec<String>,
    /// Most connections served at once; further ones wait to be accepted until one closes.
    #[arg(long, env = "COGNITO_EMULATOR_MAX_CONNECTIONS", default_value_t = 512)]
    pub max_connections: usize,
    /// Seconds a connection may go without sending a whole request head, from when it opens
    /// or answers its previous request, before it is closed (idle keep-alive connections, and
    /// ones too slow to send their headers).
    #[arg(long, env = "COGNITO_EMULATOR_IDLE_TIMEOUT", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub idle_timeout: u64,
    /// Where Lambda triggers are invoked: the base URL of an AWS Lambda Invoke API
    /// (`sam local start-lambda`'s `http://127.0.0.1:3001`, LocalStack's `http://localhost:4566`,
    /// or any server answering `POST /2015-03-31/functions/<name>/invocations`). Without it,
    /// an operation whose pool configures a trigger fails as Cognito does when it cannot
    /// invoke the function.
    #[arg(long, env = "COGNITO_EMULATOR_LAMBDA_ENDPOINT")]
    pub lambda_endpoint: Option<String>,
    /// A function invoked somewhere else than --lambda-endpoint: `NAME=URL` (the function
    /// name from its ARN); repeat the flag, or separate entries with commas in the variable.
    #[arg(
        long,
        env = "COGNITO_EMULATOR_LAMBDA_FUNCTION_ENDPOINTS",
        value_delimiter = ','
    )]
    pub lambda_function_endpoint: Vec<String>,
    /// A KMS endpoint (e.g. LocalStack's `http://localhost:4566`) for custom sender triggers:
    /// their codes are encrypted with the AWS Encryption SDK under the pool's KMSKeyID, with a
    /// data key from this KMS. Without it the code is given to the function in plain text.
    #[arg(long, env = "COGNITO_EMULATOR_KMS_ENDPOINT")]
    pub kms_endpoint: Option<String>,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "COGNITO_EMULATOR_MAX_BODY_BYTES", default_value_t = 1 << 20)]
    pub max_body_bytes: usize,
}

impl Config {
    /// Loopback, an ephemeral port, defaults for everything else.
    pub fn default_for_tests() -> Self {
        Self::parse_from(["cognito-emulator", "--port", "0"])
    }
}
