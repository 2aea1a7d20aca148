// Replay case (after the fix) — excerpt of public code, kept under its original license (see repository).
// Repository: https://github.com/abanchev/binance-proxy
// Commit:     85dd7655597fb95a44af65aceffa605c800752f0 (fix)
// Path:       src/index.js
// Subject:    react on relevant posix SIG signals
// Rule:       missing-graceful-shutdown should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      ESM entry point: getServer(client).then(app => app.listen(8080, '0.0.0.0')) and nothing handles SIGTERM/SIGINT

import getServer from "./server/index.js";
import client from './client.js'

const server = await getServer(client).then(app => app.listen(8080, '0.0.0.0'));


var signals = {
    'SIGINT': 2,
    'SIGTERM': 15
};

function shutdown(signal, value) {
    server.close(function () {
        console.log('server stopped by ' + signal);
        process.exit(128 + value);
    });
}

Object.keys(signals).forEach(function (signal) {
    process.on(signal, function () {
        shutdown(signal, signals[signal]);
    });
});

