//! The periodic task: a heartbeat that reports progress, stopped through its token.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::time::{interval, Interval, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

pub async fn run(period: Duration, processed: Arc<AtomicU64>, stop: CancellationToken) {
    let mut ticks = ticker(period);
    // The first tick of an interval completes at once; skip it so the first beat is one period in.
    ticks.tick().await;
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = ticks.tick() => {}
        }
        println!("heartbeat processed={}", processed.load(Ordering::Relaxed));
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
