//! Shutdown signals: the OS signals that ask the process to stop, and the in-process broadcast
//! that tells every task to wind down.

use std::io;

use tokio::sync::watch;

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

/// Starts the shutdown broadcast: one trigger, any number of cloned listeners.
pub fn channel() -> (Trigger, Shutdown) {
    let (sender, receiver) = watch::channel(false);
    (Trigger(sender), Shutdown(receiver))
}

/// Held by `main`; firing it tells every `Shutdown` clone to wind down.
pub struct Trigger(watch::Sender<bool>);

impl Trigger {
    pub fn fire(&self) {
        // send_replace also works when every listener is already gone.
        self.0.send_replace(true);
    }
}

/// A listener for the shutdown broadcast. `watch` keeps only the latest value, so a task that
/// subscribes late still sees a shutdown that already happened.
#[derive(Clone)]
pub struct Shutdown(watch::Receiver<bool>);

impl Shutdown {
    /// Resolves once shutdown has begun (at once if it already has). Cancel-safe, so it can sit
    /// in a `select!` loop.
    pub async fn wait(&mut self) {
        while !*self.0.borrow_and_update() {
            if self.0.changed().await.is_err() {
                // The trigger was dropped: nobody can ask for shutdown any more, so treat it as one.
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn every_listener_sees_the_trigger_even_when_it_subscribed_late() {
        let (trigger, shutdown) = channel();
        let mut early = shutdown.clone();
        let waiting = tokio::spawn(async move { early.wait().await });

        trigger.fire();
        tokio::time::timeout(Duration::from_secs(1), waiting)
            .await
            .expect("an early listener wakes up")
            .expect("the listener task does not panic");

        let mut late = shutdown.clone();
        tokio::time::timeout(Duration::from_secs(1), late.wait())
            .await
            .expect("a late listener returns at once");
    }

    #[tokio::test]
    async fn dropping_the_trigger_counts_as_shutdown() {
        let (trigger, mut shutdown) = channel();
        drop(trigger);
        tokio::time::timeout(Duration::from_secs(1), shutdown.wait())
            .await
            .expect("wait returns when the trigger is gone");
    }
}
