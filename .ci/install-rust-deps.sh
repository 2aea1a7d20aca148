#!/usr/bin/env bash
# Installs what the Rust template tests (test/templates/rust-templates.test.ts) need to build the
# generated Cargo projects offline: Debian's vendored crates under /usr/share/cargo/registry.
# Idempotent: does nothing when every package is already installed.
set -euo pipefail

packages=(
  librust-tokio-dev        # tokio 1.24 (+ mio, signal-hook-registry, socket2, tokio-macros...)
  librust-tokio-stream-dev # WatchStream / BroadcastStream (pub-sub), StreamExt on FramedRead (worker-pool)
  librust-tokio-util-dev   # CancellationToken (pub-sub, graceful-shutdown), LinesCodec (pub-sub, worker-pool)
  librust-hyper-dev        # hyper 0.14 HTTP/1.1 server (server)
  librust-prometheus-dev   # prometheus 0.13: GET /metrics (server, worker-pool, graceful-shutdown)
  librust-tracing-subscriber-dev # tracing-subscriber 0.3: JSON logs (server, worker-pool, graceful-shutdown)
  librust-libc-dev         # kill(2) in the integration tests
)

# A toolchain is expected on the machine (rustup's, with clippy). Without one, fall back to Debian's.
if ! command -v cargo >/dev/null 2>&1 && [ ! -x "${HOME:-/root}/.cargo/bin/cargo" ]; then
  echo "install-rust-deps: no cargo found; installing Debian's cargo, rustc and clippy" >&2
  packages+=(cargo rustc rust-clippy)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-rust-deps: all Debian Rust packages already installed"
  exit 0
fi

echo "install-rust-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-rust-deps: done ($(ls /usr/share/cargo/registry | wc -l) crates in /usr/share/cargo/registry)"
