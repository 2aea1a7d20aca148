//! The accept loop, the connection limit and the drain on shutdown.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::Http;
use hyper::service::service_fn;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::{JoinError, JoinSet};
use tokio::time::timeout;

use crate::config::Config;
use crate::routes::{self, App};
use crate::shutdown::{self, Shutdown, Signals};

/// How long a rejected connection may take to send the request head we answer with 503.
const SHED_TIMEOUT: Duration = Duration::from_secs(1);

pub async fn run(config: Config) -> ExitCode {
    let mut signals = match Signals::install() {
        Ok(signals) => signals,
        Err(error) => {
            eprintln!("error: cannot install signal handlers: {error}");
            return ExitCode::from(2);
        }
    };
    let listener = match TcpListener::bind(config.bind_addr).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!(
                "error: cannot listen on {} (BIND_ADDR): {error}",
                config.bind_addr
            );
            return ExitCode::from(2);
        }
    };
    match listener.local_addr() {
        // The tests (and process supervisors) wait for this line on stdout.
        Ok(addr) => println!("listening on {addr}"),
        Err(error) => eprintln!("warning: cannot read the bound address: {error}"),
    }

    let (trigger, shutdown) = shutdown::channel();
    let shutdown_timeout = config.shutdown_timeout;
    let mut http = Http::new();
    http.http1_only(true)
        .http1_header_read_timeout(config.header_read_timeout);
    let http = Arc::new(http);
    let app = Arc::new(App {
        config: config.clone(),
        shutdown: shutdown.clone(),
    });
    let connection_limit = Arc::new(Semaphore::new(config.max_connections));
    // Rejecting costs a task too: bound those as well, and drop the socket beyond that.
    let shed_limit = Arc::new(Semaphore::new(config.max_connections));
    let mut connections = JoinSet::new();

    let signal = loop {
        tokio::select! {
            signal = signals.recv() => break signal,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => match connection_limit.clone().try_acquire_owned() {
                    Ok(permit) => {
                        let task = serve(stream, peer, permit, http.clone(), app.clone(), shutdown.clone());
                        connections.spawn(task);
                    }
                    Err(_) => {
                        if let Ok(permit) = shed_limit.clone().try_acquire_owned() {
                            connections.spawn(shed(stream, permit));
                        }
                    }
                },
                Err(error) => {
                    // Usually EMFILE: out of file descriptors. Pause instead of spinning on it.
                    eprintln!("accept failed: {error}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            // Reap finished connections so the set does not grow with every client ever served.
            Some(finished) = connections.join_next(), if !connections.is_empty() => report(finished),
        }
    };

    eprintln!(
        "{signal} received: no longer accepting; draining {} connection(s)",
        connections.len()
    );
    drop(listener);
    trigger.fire();

    let drain = async {
        while let Some(finished) = connections.join_next().await {
            report(finished);
        }
    };
    let drained = tokio::select! {
        drained = timeout(shutdown_timeout, drain) => drained.is_ok(),
        signal = signals.recv() => {
            eprintln!("{signal} received again: exiting without waiting");
            return ExitCode::from(second_signal_exit_code(signal));
        }
    };
    if drained {
        eprintln!("shutdown complete");
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "shutdown deadline of {} ms exceeded: aborting {} connection(s)",
            shutdown_timeout.as_millis(),
            connections.len()
        );
        connections.shutdown().await;
        ExitCode::FAILURE
    }
}

async fn serve(
    stream: TcpStream,
    peer: SocketAddr,
    permit: OwnedSemaphorePermit,
    http: Arc<Http>,
    app: Arc<App>,
    mut shutdown: Shutdown,
) {
    // Holding the permit for the connection's lifetime is what enforces MAX_CONNECTIONS.
    let _permit = permit;
    let service = service_fn(move |request| routes::handle(app.clone(), request));
    let connection = http.serve_connection(stream, service);
    tokio::pin!(connection);
    let result = tokio::select! {
        result = connection.as_mut() => result,
        _ = shutdown.wait() => {
            // Finish the request in flight, then close; idle keep-alive connections close now.
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(error) = result {
        if !error.is_incomplete_message() {
            eprintln!("connection from {peer}: {error}");
        }
    }
}

/// Answers one request with 503 and closes. Reading the request first matters: closing a socket
/// with unread data makes the client see a reset instead of the 503.
async fn shed(stream: TcpStream, _permit: OwnedSemaphorePermit) {
    let mut http = Http::new();
    http.http1_only(true).http1_keep_alive(false);
    let service = service_fn(|_request| async { Ok::<_, hyper::Error>(routes::overloaded()) });
    // Errors here are from clients we are turning away anyway.
    let _ = timeout(SHED_TIMEOUT, http.serve_connection(stream, service)).await;
}

fn report(finished: Result<(), JoinError>) {
    if let Err(error) = finished {
        if error.is_panic() {
            eprintln!("a connection task panicked: {error}");
        }
    }
}

/// The exit code of a second signal: 128 + its number, as a shell reports a process killed by it
/// (130 for SIGINT, 143 for SIGTERM), the same in every asyncpat template, TypeScript or Rust.
fn second_signal_exit_code(signal: &str) -> u8 {
    if signal == "SIGTERM" {
        143
    } else {
        130
    }
}
