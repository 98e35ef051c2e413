//! Load benchmark: `cargo bench --bench server`.
//!
//! Runs the emulator (release build) on loopback and drives it with 16 concurrent keep-alive
//! connections, next to a bare axum handler that returns a JSON body of the same size as
//! AdminGetUser's: that handler's rate is our ceiling. Also measures start-up latency and
//! memory of the real binary. Reports figures and ratios; asserts nothing.
//!
//! `cargo bench --bench server -- logins logging` runs only the named parts (after the
//! ceiling): `requests`, `logins`, `mfa`, `triggers`, `oauth`, `identity`, `logging`, `durable`,
//! `process`; none named runs all.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod http1;
mod identity;
mod second_factors;
mod srp_client;
mod token_trigger;

use cognito_emulator::config::Config;
use cognito_emulator::http::Server;
use cognito_emulator::infra::crypto::jwt::SigningKey;
use cognito_emulator::infra::crypto::srp;
use http1::{Connection, Post};
use serde_json::{json, Value};

const CONNECTIONS: usize = 16;
const RUN: Duration = Duration::from_secs(3);

struct Stats {
    requests: usize,
    errors: usize,
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

/// Drives `make_request(i)` from 16 connections for `RUN`, or for `total` requests.
async fn load<F>(url: &str, total: Option<usize>, make_request: F) -> Stats
where
    F: Fn(u64) -> (String, Value) + Send + Sync + 'static,
{
    let make_request = Arc::new(make_request);
    let counter = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONNECTIONS {
        let make_request = make_request.clone();
        let counter = counter.clone();
        let url = url.to_string();
        tasks.push(tokio::spawn(async move {
            let connection = Connection::new(&url);
            let mut latencies = Vec::new();
            let mut errors = 0;
            loop {
                let i = counter.fetch_add(1, Ordering::Relaxed);
                match total {
                    Some(total) if i as usize >= total => break,
                    None if started.elapsed() >= RUN => break,
                    _ => {}
                }
                let (target, body) = make_request(i);
                let t = Instant::now();
                let (status, _) = connection.post(&target, body.to_string().as_bytes()).await;
                latencies.push(t.elapsed());
                if status != 200 {
                    errors += 1;
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (l, e) = task.await.unwrap();
        latencies.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    Stats {
        requests: latencies.len(),
        errors,
        per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
    }
}

fn idp(op: &str) -> String {
    format!("AWSCognitoIdentityProviderService.{op}")
}

fn report(name: &str, stats: &Stats, ceiling: Option<f64>) {
    let ratio = ceiling
        .map(|c| format!("{:5.1}%", 100.0 * stats.per_second / c))
        .unwrap_or_else(|| "    -".into());
    println!(
        "| {name:<44} | {:>9.0} | {ratio:>8} | {:>8.3} | {:>8.3} | {:>7} | {:>4} |",
        stats.per_second,
        stats.p50.as_secs_f64() * 1000.0,
        stats.p99.as_secs_f64() * 1000.0,
        stats.requests,
        stats.errors
    );
}

async fn call(client: &impl Post, url: &str, op: &str, body: Value) -> Value {
    call_target(client, url, &idp(op), body).await
}

/// `target`'s answer to `body`, which must be a success.
async fn call_target(client: &impl Post, url: &str, target: &str, body: Value) -> Value {
    let (status, answer) = client.post_json(url, target, body.to_string()).await;
    let value: Value = serde_json::from_slice(&answer).unwrap();
    assert_eq!(status, 200, "{target}: {value}");
    value
}

/// Creates `count` users `user<i>@example.com` in `pool` through the API, 16 at a time.
/// A pool (`pool`: CreateUserPool's input) and an app client with password and refresh
/// sign-in plus `flows`: their ids.
async fn pool_and_client(
    http: &impl Post,
    url: &str,
    pool: Value,
    flows: &[&str],
) -> (String, String) {
    let created = call(http, url, "CreateUserPool", pool).await;
    let pool_id = created["UserPool"]["Id"].as_str().unwrap().to_string();
    let mut explicit = vec!["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"];
    explicit.extend(flows);
    let app = call(
        http,
        url,
        "CreateUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientName": "bench", "ExplicitAuthFlows": explicit}),
    )
    .await;
    let client_id = app["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_string();
    (pool_id, client_id)
}

/// A confirmed user with a permanent password.
async fn user_with_password(http: &impl Post, url: &str, pool: &str, name: &str, password: &str) {
    call(
        http,
        url,
        "AdminCreateUser",
        json!({"UserPoolId": pool, "Username": name, "MessageAction": "SUPPRESS"}),
    )
    .await;
    call(
        http,
        url,
        "AdminSetUserPassword",
        json!({"UserPoolId": pool, "Username": name, "Password": password, "Permanent": true}),
    )
    .await;
}

async fn fill(url: &str, pool: &str, count: usize, offset: usize) {
    let pool = pool.to_string();
    let stats = load(url, Some(count), move |i| {
        let i = i as usize + offset;
        (
            idp("AdminCreateUser"),
            json!({"UserPoolId": pool, "Username": format!("user{i}"), "MessageAction": "SUPPRESS",
                   "UserAttributes": [{"Name": "email", "Value": format!("user{i}@example.com")}, {"Name": "name", "Value": format!("User {i}")}]}),
        )
    })
    .await;
    assert_eq!(stats.errors, 0);
}

fn rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// The real binary: time to first answer, idle memory, memory per user.
async fn process_figures() {
    let started = Instant::now();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cognito-emulator"))
        .args(["--port", "0", "--log", "warn"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("binary");
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .to_string();
    let client = reqwest::Client::new();
    client
        .get(format!("{url}/_emulator/health"))
        .send()
        .await
        .unwrap();
    let first_answer = started.elapsed();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let idle = rss_kb(child.id());

    let pool = call(
        &client,
        &url,
        "CreateUserPool",
        json!({"PoolName": "memory"}),
    )
    .await;
    let pool = pool["UserPool"]["Id"].as_str().unwrap().to_string();
    let before = rss_kb(child.id());
    let users = 100_000;
    fill(&url, &pool, users, 0).await;
    let after = rss_kb(child.id());
    println!();
    println!(
        "binary: first request answered {:.1} ms after spawn",
        first_answer.as_secs_f64() * 1000.0
    );
    println!("binary: idle RSS {:.1} MB", idle as f64 / 1024.0);
    println!(
        "binary: RSS {:.1} MB with {users} users (each with email and name): {:.0} bytes per user",
        after as f64 / 1024.0,
        (after.saturating_sub(before) * 1024) as f64 / users as f64
    );
    let _ = child.kill();
    let _ = child.wait();
}

/// The ceiling: a bare axum handler answering a body of AdminGetUser's size.
async fn bare_axum(body_size: usize) -> String {
    let body: String = format!(
        "{{\"pad\":\"{}\"}}",
        "x".repeat(body_size.saturating_sub(10))
    );
    let app = axum::Router::new().route(
        "/",
        axum::routing::post(move || {
            let body = body.clone();
            async move { ([("content-type", "application/x-amz-json-1.1")], body) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

/// Whether the command line asks for this part of the benchmark (none named: all).
fn wanted(part: &str) -> bool {
    let named: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    named.is_empty() || named.iter().any(|n| n == part)
}

fn main() {
    // reqwest is built without a default TLS provider (the emulator picks aws-lc-rs).
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    // The servers get their own runtime (2 workers, like the binary on this machine); the load
    // generator gets another. Their names tell them apart in a profile (`perf report --sort comm`).
    let servers = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("emulator")
        .enable_all()
        .build()
        .unwrap();
    let clients = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("load")
        .enable_all()
        .build()
        .unwrap();

    let emulator_url = servers.block_on(async {
        let server = Server::bind(Config::default_for_tests()).await.unwrap();
        let url = format!("http://{}", server.local_addr());
        server.spawn();
        url
    });

    clients.block_on(async {
        let client = reqwest::Client::new();
        let url = emulator_url.clone();
        let pool = call(&client, &url, "CreateUserPool", json!({"PoolName": "bench"})).await;
        let pool = pool["UserPool"]["Id"].as_str().unwrap().to_string();
        fill(&url, &pool, 1_000, 0).await;
        let sample = call(&client, &url, "AdminGetUser", json!({"UserPoolId": pool, "Username": "user1"})).await;
        let body_size = sample.to_string().len();

        let bare_url = servers.block_on_inside(bare_axum(body_size));
        println!("16 connections, {} s per run, release build, loopback; AdminGetUser body {body_size} bytes", RUN.as_secs());
        println!();
        println!("| workload                                     |     req/s | vs bare  | p50 (ms) | p99 (ms) |   total | errs |");
        println!("|---|---:|---:|---:|---:|---:|---:|");
        let ceiling = load(&bare_url, None, |_| (String::new(), json!({}))).await;
        report("bare axum handler (ceiling)", &ceiling, None);
        let c = Some(ceiling.per_second);

        if wanted("requests") {
            requests_figures(&url, &pool, c).await;
        }
        if wanted("logins") {
            login_figures(&url, c).await;
        }
        if wanted("mfa") {
            second_factors::figures(&url).await;
        }
        if wanted("triggers") {
            token_trigger::figures(&servers).await;
        }
        if wanted("oauth") {
            oauth_figures(&url).await;
        }
        if wanted("identity") {
            identity::figures(&url, c).await;
        }
        if wanted("logging") {
            logging_figures(c).await;
        }
        if wanted("durable") {
            durable_figures(&servers, &url).await;
        }
        if wanted("process") {
            process_figures().await;
        }
    });
}

async fn requests_figures(url: &str, pool: &str, c: Option<f64>) {
    let url = url.to_string();
    let p = pool.to_string();
    let stats = load(&url, None, move |i| {
        (
            idp("AdminGetUser"),
            json!({"UserPoolId": p, "Username": format!("user{}", (i * 7919) % 1000)}),
        )
    })
    .await;
    report("AdminGetUser (pool of 1,000)", &stats, c);

    let p = pool.to_string();
    let stats = load(&url, None, move |i| {
            (
                idp("AdminCreateUser"),
                json!({"UserPoolId": p, "Username": format!("new{i}"), "MessageAction": "SUPPRESS",
                       "UserAttributes": [{"Name": "email", "Value": format!("new{i}@example.com")}]}),
            )
        })
        .await;
    report("AdminCreateUser", &stats, c);

    let stats = load(&url, None, |i| {
        (idp("CreateUserPool"), json!({"PoolName": format!("p{i}")}))
    })
    .await;
    report("CreateUserPool", &stats, c);

    let client = reqwest::Client::new();
    let big = call(&client, &url, "CreateUserPool", json!({"PoolName": "big"})).await;
    let big = big["UserPool"]["Id"].as_str().unwrap().to_string();
    fill(&url, &big, 100_000, 0).await;
    let b = big.clone();
    let stats = load(&url, None, move |i| {
            (
                idp("ListUsers"),
                json!({"UserPoolId": b, "Filter": format!("email ^= \"user{}\"", (i * 7919) % 100_000), "Limit": 60}),
            )
        })
        .await;
    report("ListUsers email ^= prefix (pool of 100,000)", &stats, c);
    let b = big.clone();
    let stats = load(&url, None, move |_| {
            (idp("ListUsers"), json!({"UserPoolId": b, "Filter": "cognito:user_status = \"FORCE_CHANGE_PASSWORD\"", "Limit": 60}))
        })
        .await;
    report("ListUsers status filter, 60 of 100,000", &stats, c);
}

/// Spawns the release binary with `args` (and `--port 0`); its stdout is drained by a thread,
/// as a container runtime reading the logs would. Returns the child and its URL.
fn spawn_binary(args: &[&str]) -> (std::process::Child, String) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cognito-emulator"))
        .args(["--port", "0"])
        .args(args)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("binary");
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .to_string();
    (child, url)
}

/// The binary's per-request log line: AdminGetUser with the default `--log info` (one line per
/// request) against `--log warn` (none), alternating.
async fn logging_figures(c: Option<f64>) {
    println!();
    println!("| the binary, stdout drained through a pipe   |     req/s | vs bare  | p50 (ms) | p99 (ms) |   total | errs |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for round in 0..2 {
        for log in ["info", "warn"] {
            let (mut child, url) = spawn_binary(&["--log", log]);
            let client = reqwest::Client::new();
            let pool = call(&client, &url, "CreateUserPool", json!({"PoolName": "logs"})).await;
            let pool = pool["UserPool"]["Id"].as_str().unwrap().to_string();
            fill(&url, &pool, 1_000, 0).await;
            let stats = load(&url, None, move |i| {
                (
                    idp("AdminGetUser"),
                    json!({"UserPoolId": pool, "Username": format!("user{}", (i * 7919) % 1000)}),
                )
            })
            .await;
            report(
                &format!("AdminGetUser, --log {log} (round {})", round + 1),
                &stats,
                c,
            );
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// With `--data-dir`: AdminCreateUser and AdminGetUser throughput against the in-memory
/// server's, and the binary's restart time with 100,000 users on disk. The machine's speed
/// drifts within seconds, so in-memory and durable runs alternate and each pair gives a ratio.
async fn durable_figures(servers: &tokio::runtime::Runtime, in_memory_url: &str) {
    let dir = std::env::temp_dir().join(format!("cognito-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut config = Config::default_for_tests();
    config.data_dir = Some(dir.join("in-process"));
    let url = servers.block_on_inside(async move {
        let server = Server::bind(config).await.unwrap();
        let url = format!("http://{}", server.local_addr());
        server.spawn();
        url
    });
    let client = reqwest::Client::new();
    let create_users = |url: String, pool: String, round: usize| async move {
        load(&url, None, move |i| {
            (
                idp("AdminCreateUser"),
                json!({"UserPoolId": pool, "Username": format!("d{round}-{i}"), "MessageAction": "SUPPRESS",
                       "UserAttributes": [{"Name": "email", "Value": format!("d{round}-{i}@example.com")}]}),
            )
        })
        .await
    };
    let get_users = |url: String, pool: String| async move {
        load(&url, None, move |i| {
            (
                idp("AdminGetUser"),
                json!({"UserPoolId": pool, "Username": format!("d0-{}", (i * 7919) % 1000)}),
            )
        })
        .await
    };
    let new_pool = |url: String, name: String| {
        let client = client.clone();
        async move {
            let pool = call(&client, &url, "CreateUserPool", json!({"PoolName": name})).await;
            pool["UserPool"]["Id"].as_str().unwrap().to_string()
        }
    };
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!();
    println!("| --data-dir, alternating runs | in-memory req/s | durable req/s | ratio | durable p50 (ms) | durable p99 (ms) |");
    println!("|---|---:|---:|---:|---:|---:|");
    let mut ratios = Vec::new();
    let mut read_pools = None;
    for round in 0..5 {
        let memory_pool = new_pool(in_memory_url.to_string(), format!("memory{round}")).await;
        let durable_pool = new_pool(url.clone(), format!("durable{round}")).await;
        let memory = create_users(in_memory_url.to_string(), memory_pool.clone(), round).await;
        let durable = create_users(url.clone(), durable_pool.clone(), round).await;
        ratios.push(durable.per_second / memory.per_second);
        println!(
            "| AdminCreateUser, round {} | {:.0} | {:.0} | {:.0}% | {:.2} | {:.2} |",
            round + 1,
            memory.per_second,
            durable.per_second,
            100.0 * durable.per_second / memory.per_second,
            ms(durable.p50),
            ms(durable.p99)
        );
        read_pools.get_or_insert((memory_pool, durable_pool));
    }
    let (memory_pool, durable_pool) = read_pools.unwrap();
    let memory = get_users(in_memory_url.to_string(), memory_pool).await;
    let durable = get_users(url.clone(), durable_pool).await;
    println!(
        "| AdminGetUser | {:.0} | {:.0} | {:.0}% | {:.2} | {:.2} |",
        memory.per_second,
        durable.per_second,
        100.0 * durable.per_second / memory.per_second,
        ms(durable.p50),
        ms(durable.p99)
    );
    ratios.sort_by(f64::total_cmp);
    println!();
    println!(
        "durable (--data-dir): AdminCreateUser median {:.0}% of in-memory (rounds: {})",
        100.0 * ratios[ratios.len() / 2],
        ratios
            .iter()
            .map(|r| format!("{:.0}%", 100.0 * r))
            .collect::<Vec<_>>()
            .join(", ")
    );

    // The binary: 100,000 users written, killed, started again.
    let spawn = || {
        let started = Instant::now();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cognito-emulator"))
            .args(["--port", "0", "--log", "warn", "--data-dir"])
            .arg(dir.join("binary"))
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("binary");
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
        std::thread::spawn(move || for _ in std::io::BufRead::lines(stdout) {});
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap()
            .to_string();
        (child, url, started)
    };
    let (mut child, url, _) = spawn();
    let pool = call(
        &client,
        &url,
        "CreateUserPool",
        json!({"PoolName": "restart"}),
    )
    .await;
    let pool = pool["UserPool"]["Id"].as_str().unwrap().to_string();
    fill(&url, &pool, 100_000, 0).await;
    let _ = child.kill();
    let _ = child.wait();
    let (mut child, url, started) = spawn();
    client
        .get(format!("{url}/_emulator/health"))
        .send()
        .await
        .unwrap();
    let restart = started.elapsed();
    let count = call(
        &client,
        &url,
        "DescribeUserPool",
        json!({"UserPoolId": pool}),
    )
    .await["UserPool"]["EstimatedNumberOfUsers"]
        .clone();
    println!(
        "durable: restart with {count} users on disk answered after {:.0} ms",
        restart.as_secs_f64() * 1e3
    );
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs `work` on two threads for `RUN` and returns iterations per second.
fn ceiling(work: impl Fn() + Send + Sync + 'static) -> f64 {
    let work = Arc::new(work);
    let started = Instant::now();
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let work = work.clone();
            std::thread::spawn(move || {
                let mut n = 0u64;
                while started.elapsed() < RUN {
                    work();
                    n += 1;
                }
                n
            })
        })
        .collect();
    let total: u64 = threads.into_iter().map(|t| t.join().unwrap()).sum();
    total as f64 / started.elapsed().as_secs_f64()
}

/// Password and SRP sign-ins against the crypto each one needs, measured in the same run.
async fn login_figures(url: &str, _ceiling: Option<f64>) {
    let client = reqwest::Client::new();
    let (pool, client_id) = pool_and_client(
        &client,
        url,
        json!({"PoolName": "logins"}),
        &["ALLOW_USER_SRP_AUTH"],
    )
    .await;
    const PASSWORD: &str = "Bench!pass1";
    for i in 0..100 {
        user_with_password(&client, url, &pool, &format!("login{i}"), PASSWORD).await;
    }

    let id = client_id.clone();
    let password = load(url, None, move |i| {
        (
            idp("InitiateAuth"),
            json!({"ClientId": id, "AuthFlow": "USER_PASSWORD_AUTH",
                   "AuthParameters": {"USERNAME": format!("login{}", i % 100), "PASSWORD": PASSWORD}}),
        )
    })
    .await;

    // SRP: two round trips per sign-in, the client's SRP math included.
    let srp_logins = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let pool_name = pool.split_once('_').unwrap().1.to_string();
    let tasks: Vec<_> = (0..CONNECTIONS)
        .map(|t| {
            let (url, client_id, pool_name, srp_logins) = (url.to_string(), client_id.clone(), pool_name.clone(), srp_logins.clone());
            tokio::spawn(async move {
                let http = Connection::new(&url);
                let mut i = t;
                while started.elapsed() < RUN {
                    let user = load_generator_client();
                    let first = call(&http, &url, "InitiateAuth", json!({"ClientId": client_id, "AuthFlow": "USER_SRP_AUTH",
                        "AuthParameters": {"USERNAME": format!("login{}", i % 100), "SRP_A": user.srp_a()}})).await;
                    let parameters: std::collections::HashMap<String, String> =
                        serde_json::from_value(first["ChallengeParameters"].clone()).unwrap();
                    let signature = tokio::task::block_in_place(|| user.sign(&pool_name, PASSWORD, &parameters));
                    let done = call(&http, &url, "RespondToAuthChallenge", json!({"ClientId": client_id, "ChallengeName": "PASSWORD_VERIFIER",
                        "Session": first["Session"], "ChallengeResponses": {"USERNAME": parameters["USER_ID_FOR_SRP"],
                        "PASSWORD_CLAIM_SECRET_BLOCK": parameters["SECRET_BLOCK"], "PASSWORD_CLAIM_SIGNATURE": signature,
                        "TIMESTAMP": srp_client::TIMESTAMP}})).await;
                    assert!(done["AuthenticationResult"]["AccessToken"].is_string());
                    srp_logins.fetch_add(1, Ordering::Relaxed);
                    i += CONNECTIONS;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let srp_rate = srp_logins.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();

    // The crypto each sign-in needs, on both cores, nothing else.
    let key = Arc::new(SigningKey::generate());
    let claims = json!({"sub": "00000000-0000-0000-0000-000000000000", "iss": "http://127.0.0.1/us-east-1_x", "token_use": "id",
                        "exp": 2_000_000_000, "iat": 1_700_000_000, "email": "someone@example.com"});
    let (k, c) = (key.clone(), claims.clone());
    let signatures = tokio::task::block_in_place(|| ceiling(move || drop(k.sign(&c))));
    let (k, c) = (key.clone(), claims.clone());
    let x = rand::random::<[u8; 32]>();
    let a = srp::parse_a(&srp_client::Client::new().srp_a()).unwrap();
    let srp_server = tokio::task::block_in_place(|| {
        ceiling(move || {
            let v = srp::verifier_from_x(&x);
            let challenge = srp::server_challenge(&v);
            let _ = srp::session_key(&a, &challenge.big_b, &challenge.b, &v);
            drop(k.sign(&c));
            drop(k.sign(&c));
        })
    });
    let sample = {
        let mut p = std::collections::HashMap::new();
        p.insert("USER_ID_FOR_SRP".to_string(), "login0".to_string());
        p.insert("SALT".to_string(), "0a1b2c3d".to_string());
        p.insert("SRP_B".to_string(), srp_client::Client::new().srp_a());
        p.insert("SECRET_BLOCK".to_string(), "AAAA".to_string());
        p
    };
    let srp_client_side = tokio::task::block_in_place(|| {
        ceiling(move || {
            let user = load_generator_client();
            drop(user.sign("x", PASSWORD, &sample));
        })
    });
    let password_ceiling = signatures / 2.0;
    // The load generator's SRP math runs on the same two cores: the ceiling for this setup
    // is the server's and the client's crypto together.
    let srp_ceiling = 1.0 / (1.0 / srp_server + 1.0 / srp_client_side);
    println!();
    println!("| sign-in | logins/s | crypto ceiling (logins/s) | ratio |");
    println!("|---|---:|---:|---:|");
    println!(
        "| InitiateAuth USER_PASSWORD_AUTH | {:.0} | {:.0} (2 RS256 signatures) | {:.0}% |",
        password.per_second,
        password_ceiling,
        100.0 * password.per_second / password_ceiling
    );
    println!(
        "| USER_SRP_AUTH, both round trips | {srp_rate:.0} | {srp_ceiling:.0} (server: 4 modexp + 2 signatures = {srp_server:.0}/s; client SRP {srp_client_side:.0}/s) | {:.0}% |",
        100.0 * srp_rate / srp_ceiling
    );
    println!(
        "password logins p50 {:.2} ms, p99 {:.2} ms",
        password.p50.as_secs_f64() * 1e3,
        password.p99.as_secs_f64() * 1e3
    );
}

/// Posts forms to `/oauth2/token` from 16 connections for `RUN`, or until `total` requests
/// were made; `form(i)` is the i-th request's form. Returns successful requests per second.
async fn token_load(
    url: &str,
    basic: Option<(String, String)>,
    total: Option<u64>,
    form: impl Fn(u64) -> Vec<(String, String)> + Send + Sync + 'static,
) -> (f64, u64) {
    let form = Arc::new(form);
    let counter = Arc::new(AtomicU64::new(0));
    let failures = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let (form, counter, failures, done, basic) = (
                form.clone(),
                counter.clone(),
                failures.clone(),
                done.clone(),
                basic.clone(),
            );
            let url = format!("{url}/oauth2/token");
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                while started.elapsed() < RUN {
                    let i = counter.fetch_add(1, Ordering::Relaxed);
                    if total.is_some_and(|total| i >= total) {
                        break;
                    }
                    let mut request = http.post(&url).form(&form(i));
                    if let Some((id, secret)) = &basic {
                        request = request.basic_auth(id, Some(secret));
                    }
                    let response = request.send().await.unwrap();
                    let ok = response.status().is_success();
                    let _ = response.bytes().await.unwrap();
                    if ok {
                        done.fetch_add(1, Ordering::Relaxed);
                    } else {
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    (
        done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64(),
        failures.load(Ordering::Relaxed),
    )
}

/// The token endpoint: client_credentials tokens (one RS256 signature each) and
/// authorization-code exchanges (two), against the signing ceiling measured in the same run.
async fn oauth_figures(url: &str) {
    let client = reqwest::Client::new();
    let pool = call(&client, url, "CreateUserPool", json!({"PoolName": "oauth"})).await;
    let pool = pool["UserPool"]["Id"].as_str().unwrap().to_string();
    call(
        &client,
        url,
        "CreateResourceServer",
        json!({"UserPoolId": pool, "Identifier": "api", "Name": "api",
        "Scopes": [{"ScopeName": "read", "ScopeDescription": "read"}]}),
    )
    .await;
    let machine = call(&client, url, "CreateUserPoolClient", json!({"UserPoolId": pool, "ClientName": "m2m",
        "GenerateSecret": true, "AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthFlows": ["client_credentials"],
        "AllowedOAuthScopes": ["api/read"]})).await;
    let machine_id = machine["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_string();
    let machine_secret = machine["UserPoolClient"]["ClientSecret"]
        .as_str()
        .unwrap()
        .to_string();
    let (m2m_rate, m2m_failures) =
        token_load(url, Some((machine_id, machine_secret)), None, |_| {
            vec![("grant_type".into(), "client_credentials".into())]
        })
        .await;

    // Codes for the exchanges, issued ahead within one hosted session (no signing).
    const CALLBACK: &str = "http://localhost:3000/cb";
    let web = call(&client, url, "CreateUserPoolClient", json!({"UserPoolId": pool, "ClientName": "web",
        "AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid"],
        "CallbackURLs": [CALLBACK]})).await;
    let web_id = web["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_string();
    call(
        &client,
        url,
        "AdminCreateUser",
        json!({"UserPoolId": pool, "Username": "browser", "MessageAction": "SUPPRESS"}),
    )
    .await;
    call(&client, url, "AdminSetUserPassword", json!({"UserPoolId": pool, "Username": "browser", "Password": "Bench!pass1", "Permanent": true})).await;
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let authorize = format!("{url}/oauth2/authorize?response_type=code&client_id={web_id}&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcb");
    let login = browser.get(&authorize).send().await.unwrap();
    let login = format!("{url}{}", login.headers()["location"].to_str().unwrap());
    let page = browser.get(&login).send().await.unwrap();
    let csrf_cookie = page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let html = page.text().await.unwrap();
    let csrf = html
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let signed_in = browser
        .post(&login)
        .header("cookie", &csrf_cookie)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", "browser"),
            ("password", "Bench!pass1"),
        ])
        .send()
        .await
        .unwrap();
    let session = signed_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    // Each code is single use: enough for more than a run at the signing ceiling; the run
    // ends early if they run out.
    let mut codes = Vec::new();
    for _ in 0..20_000 {
        let answer = browser
            .get(&authorize)
            .header("cookie", &session)
            .send()
            .await
            .unwrap();
        let location = answer.headers()["location"].to_str().unwrap().to_string();
        codes.push(location.split("code=").nth(1).unwrap().to_string());
    }
    let total = codes.len() as u64;
    let codes = Arc::new(codes);
    let (code_rate, code_failures) = token_load(url, None, Some(total), move |i| {
        vec![
            ("grant_type".into(), "authorization_code".into()),
            ("client_id".into(), web_id.clone()),
            ("code".into(), codes[i as usize % codes.len()].clone()),
            ("redirect_uri".into(), CALLBACK.into()),
        ]
    })
    .await;

    let key = Arc::new(SigningKey::generate());
    let claims = json!({"sub": "00000000-0000-0000-0000-000000000000", "iss": "http://127.0.0.1/us-east-1_x", "token_use": "access",
                        "exp": 2_000_000_000, "iat": 1_700_000_000, "scope": "api/read"});
    let signatures = tokio::task::block_in_place(|| ceiling(move || drop(key.sign(&claims))));
    println!();
    println!("| token endpoint | tokens/s | RS256 ceiling | ratio |");
    println!("|---|---:|---:|---:|");
    println!(
        "| client_credentials (1 signature) | {m2m_rate:.0} | {signatures:.0} | {:.0}% |",
        100.0 * m2m_rate / signatures
    );
    println!(
        "| authorization_code exchange (2 signatures) | {code_rate:.0} | {:.0} | {:.0}% |",
        signatures / 2.0,
        200.0 * code_rate / signatures
    );
    if m2m_failures + code_failures > 0 {
        println!("failures: client_credentials {m2m_failures}, authorization_code {code_failures}");
    }
}

/// The load generator's SRP client, on the same fast exponentiation as the server, so the
/// two cores go to the server rather than to the generator's arithmetic. (The integration
/// tests keep the independent num-bigint client.)
fn load_generator_client() -> srp_client::Client {
    srp_client::Client::with_modpow(|base, exp, _| srp::mod_exp(base, exp, true))
}

trait BlockOnInside {
    fn block_on_inside<F: std::future::Future + Send + 'static>(&self, future: F) -> F::Output
    where
        F::Output: Send + 'static;
}

impl BlockOnInside for tokio::runtime::Runtime {
    /// Runs `future` on this runtime from inside another one.
    fn block_on_inside<F: std::future::Future + Send + 'static>(&self, future: F) -> F::Output
    where
        F::Output: Send + 'static,
    {
        let handle = self.handle().clone();
        std::thread::spawn(move || handle.block_on(future))
            .join()
            .unwrap()
    }
}
