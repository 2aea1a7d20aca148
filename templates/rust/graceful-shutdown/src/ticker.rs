//! The periodic task: a heartbeat that reports progress, stopped through its token.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::{interval, Instant, Interval, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use crate::metrics::Metrics;

/// Each beat logs the progress and records how late it fired (`heartbeat_lag_seconds`): a
/// runtime kept busy by blocking code shows up there before anything times out.
pub async fn run(period: Duration, metrics: Arc<Metrics>, stop: CancellationToken) {
    let mut ticks = ticker(period);
    // The first tick of an interval completes at once; skip it so the first beat is one period in.
    ticks.tick().await;
    loop {
        let scheduled = tokio::select! {
            biased;
            _ = stop.cancelled() => return,
            scheduled = ticks.tick() => scheduled,
        };
        let lag = Instant::now().saturating_duration_since(scheduled);
        metrics.heartbeat_lag_seconds.set(lag.as_secs_f64());
        let processed = metrics.processed.get();
        tracing::info!(processed, "heartbeat processed={processed}");
    }
}

/// An interval that, after a stall (a slow tick, a suspended VM), fires once and then keeps its
/// period from there. The default, `Burst`, would fire every missed tick back to back.
fn ticker(period: Duration) -> Interval {
    let mut ticks = interval(period);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    ticks
}

#[cfg(test)]
mod tests {
    use tokio::time::Instant;

    use super::*;

    #[tokio::test]
    async fn missed_ticks_are_not_fired_back_to_back() {
        let period = Duration::from_millis(20);
        let mut ticks = ticker(period);
        ticks.tick().await;
        // Stall for five periods, as a slow tick would.
        tokio::time::sleep(period * 5).await;
        ticks.tick().await;
        let after_stall = Instant::now();
        ticks.tick().await;
        assert!(
            after_stall.elapsed() >= period * 9 / 10,
            "the next tick waits a full period"
        );
    }

    #[tokio::test]
    async fn stops_when_its_token_is_cancelled() {
        let stop = CancellationToken::new();
        let task = tokio::spawn(run(Duration::from_millis(10), Arc::default(), stop.clone()));
        tokio::time::sleep(Duration::from_millis(35)).await;
        stop.cancel();
        tokio::time::timeout(Duration::from_secs(1), task)
            .await
            .unwrap()
            .unwrap();
    }
}
