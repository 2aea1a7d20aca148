// Replay case (before the fix) — excerpt of public code, kept under its original license (see repository).
// Repository: https://github.com/abanchev/binance-proxy
// Commit:     85dd7655597fb95a44af65aceffa605c800752f0 (its parent holds this version)
// Path:       src/index.js
// Subject:    react on relevant posix SIG signals
// Rule:       missing-graceful-shutdown should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      ESM entry point: getServer(client).then(app => app.listen(8080, '0.0.0.0')) and nothing handles SIGTERM/SIGINT

import getServer from "./server/index.js";
import client from './client.js'

getServer(client).then(app => app.listen(8080, '0.0.0.0'));
