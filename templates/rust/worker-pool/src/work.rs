//! The CPU-bound work. It runs on Tokio's blocking pool, never on a runtime worker thread, and
//! checks a cancel flag so a job that timed out gives its thread back instead of running on.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// How many primes are there up to `n`? (trial division: deliberately CPU-heavy)
    CountPrimes(u64),
    /// Keep one core busy for this long: a stand-in for work of a known duration.
    Spin(Duration),
}

impl Work {
    /// Parses a request line: `primes <n>` or `spin <milliseconds>`.
    pub fn parse(line: &str) -> Result<Self, String> {
        let mut words = line.split_whitespace();
        let (kind, argument) = (words.next(), words.next());
        let number = || -> Result<u64, String> {
            argument
                .and_then(|value| value.parse().ok())
                .ok_or_else(|| {
                    format!(
                        "expected a whole number after {:?}",
                        kind.unwrap_or_default()
                    )
                })
        };
        let work = match kind {
            Some("primes") => Work::CountPrimes(number()?),
            Some("spin") => Work::Spin(Duration::from_millis(number()?)),
            _ => return Err("expected \"primes <n>\" or \"spin <ms>\"".into()),
        };
        if words.next().is_some() {
            return Err("too many words".into());
        }
        Ok(work)
    }

    /// Does the work; `None` when `cancel` was set before it finished.
    pub fn run(self, cancel: &AtomicBool) -> Option<u64> {
        match self {
            Work::CountPrimes(n) => count_primes(n, cancel),
            Work::Spin(duration) => spin(duration, cancel),
        }
    }
}

fn count_primes(n: u64, cancel: &AtomicBool) -> Option<u64> {
    let mut count = 0;
    for candidate in 2..=n {
        if candidate % 1024 == 0 && cancel.load(Ordering::Relaxed) {
            return None;
        }
        if (2..)
            .take_while(|d| d * d <= candidate)
            .all(|d| candidate % d != 0)
        {
            count += 1;
        }
    }
    Some(count)
}

fn spin(duration: Duration, cancel: &AtomicBool) -> Option<u64> {
    let started = Instant::now();
    while started.elapsed() < duration {
        if cancel.load(Ordering::Relaxed) {
            return None;
        }
        std::hint::spin_loop();
    }
    Some(duration.as_millis() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_primes() {
        let running = AtomicBool::new(false);
        assert_eq!(Work::CountPrimes(1).run(&running), Some(0));
        assert_eq!(Work::CountPrimes(100).run(&running), Some(25));
        assert_eq!(Work::CountPrimes(10_000).run(&running), Some(1229));
    }

    #[test]
    fn stops_when_cancelled() {
        let cancelled = AtomicBool::new(true);
        assert_eq!(Work::CountPrimes(u64::MAX).run(&cancelled), None);
        assert_eq!(Work::Spin(Duration::from_secs(3600)).run(&cancelled), None);
    }

    #[test]
    fn parses_request_lines() {
        assert_eq!(Work::parse("primes 10"), Ok(Work::CountPrimes(10)));
        assert_eq!(
            Work::parse(" spin 5 "),
            Ok(Work::Spin(Duration::from_millis(5)))
        );
        assert!(Work::parse("primes ten").is_err());
        assert!(Work::parse("primes 1 2").is_err());
        assert!(Work::parse("sort 3").is_err());
        assert!(Work::parse("").is_err());
    }
}
