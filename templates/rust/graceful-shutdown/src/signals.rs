//! The OS signals that ask the process to stop. Inside the process a `CancellationToken`
//! carries the request to every task.

use std::io;

/// SIGINT (Ctrl-C) and SIGTERM.
///
/// The handlers are installed when this value is created, before the service reports that it is
/// ready: a signal that arrives early is then queued for `recv` instead of taking the default
/// action, which kills the process without draining anything.
pub struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    pub fn install() -> io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(Self {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    /// Waits for the next shutdown signal and returns its name.
    pub async fn recv(&mut self) -> &'static str {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => "SIGINT",
                _ = self.terminate.recv() => "SIGTERM",
            }
        }
        #[cfg(not(unix))]
        {
            // ctrl_c fails only when no handler can be installed; stopping is the safe reading.
            let _ = tokio::signal::ctrl_c().await;
            "Ctrl-C"
        }
    }
}
