// Replay case (after the fix) — excerpt of public code, kept under its original license (MIT).
// Repository: https://github.com/webgme/webgme-engine
// Commit:     8ecf4a33add68b4d674d92a9f20226b7f4e7fd67 (fix)
// Path:       src/server/standalone.js
// Subject:    Initiate graceful server shutdown on SIGTERM as well (#69)
// Rule:       missing-graceful-shutdown should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      CommonJS server module stops its servers gracefully on process.on('SIGINT') only; SIGTERM (docker/systemd stop) kills it mid-request
// Note:       The StandAloneServer constructor is cut down to its start() method (which creates and listens on the HTTP server); its other members are elided.

/*globals requireJS*/
/*eslint-env node*/

/**
 * @module Server:StandAlone
 * @author kecso / https://github.com/kecso
 */

'use strict';

var path = require('path'),
    OS = require('os'),
    Q = require('q'),
    fs = require('fs'),
    Express = require('express'),
    compression = require('compression'),
    cookieParser = require('cookie-parser'),
    bodyParser = require('body-parser'),
    methodOverride = require('method-override'),
    multipart = require('connect-multiparty'),
    Http = require('http'),
    ejs = require('ejs'),

    MongoAdapter = require('./storage/mongo'),
    RedisAdapter = require('./storage/datastores/redisadapter'),
    MemoryAdapter = require('./storage/memory'),
    Storage = require('./storage/safestorage'),
    WebSocket = require('./storage/websocket'),
    WebhookManager = require('./util/WebhookManager'),

    // Middleware
    BlobServer = require('./middleware/blob/BlobServer'),
    ExecutorServer = require('./middleware/executor/ExecutorServer'),
    api = require('./api'),

    getClientConfig = require('../../config/getclientconfig'),
    GMEAUTH = require('./middleware/auth/gmeauth'),
    Logger = require('./logger'),

    AddOnEventPropagator = require('../addon/addoneventpropagator'),

    webgmeUtils = require('../utils'),

    servers = [],

    mainLogger;
function shutdown() {
    var i,
        error = false,
        numStops = 0;

    function exit(code) {
        process.exit(code);
    }

    function serverOnStop(server) {
        server.stop(function (err) {
            numStops -= 1;
            if (err) {
                error = true;
                server.logger.error('Stopping server failed', {metadata: err});
            } else {
                server.logger.info('Server stopped.');
            }

            if (numStops === 0) {
                if (error) {
                    exit(1);
                } else {
                    exit(0);
                }

            }
        });
    }

    for (i = 0; i < servers.length; i += 1) {
        // stop server gracefully on ctrl+C or cmd+c
        if (servers[i].isRunning) {
            servers[i].logger.info('Requesting server to stop ...');
            numStops += 1;
            serverOnStop(servers[i]);
        }
    }

    if (numStops === 0) {
        exit(0);
    }
}

process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

function StandAloneServer(gmeConfig) {
    var self = this,
        logger = null,
        __httpServer = null;
    // … (other members elided)
    function start(callback) {
        var serverDeferred = Q.defer();

        if (typeof callback !== 'function') {
            callback = function () {
            };
        }

        if (self.isRunning) {
            // FIXME: should this be an error?
            callback();
            return;
        }

        sockets = {};

        __httpServer = Http.createServer(__app);

        if (gmeConfig.server.timeout > -1) {
            __httpServer.timeout = gmeConfig.server.timeout;
        }

        function handleNewConnection(socket) {
            var socketId = socket.remoteAddress + ':' + socket.remotePort;

            if (socket.encrypted) { // https://nodejs.org/api/tls.html#tls_tlssocket_encrypted
                socketId += ':encrypted';
            }

            sockets[socketId] = socket;
            logger.debug('socket connected (added to list) ' + socketId);

            socket.on('close', function () {
                if (sockets.hasOwnProperty(socketId)) {
                    logger.debug('socket closed (removed from list) ' + socketId);
                    delete sockets[socketId];
                }
            });
        }

        __httpServer.on('connection', handleNewConnection);
        __httpServer.on('secureConnection', handleNewConnection);

        __httpServer.on('clientError', function (err/*, socket*/) {
            logger.debug('clientError', err);
        });

        __httpServer.on('error', function (err) {
            if (err.code === 'EADDRINUSE') {
                logger.error('Failed to start server', {metadata: {port: gmeConfig.server.port, error: err}});
                serverDeferred.reject(err);
            } else {
                logger.error('Server raised an error', {metadata: {port: gmeConfig.server.port, error: err}});
            }
        });

        logger.debug('starting server');

        __gmeAuth.connect()
            .then(function (db) {
                var promises = [];

                logger.debug('gmeAuth connected');

                promises.push(Q.ninvoke(__workerManager, 'start'));
                promises.push(__storage.openDatabase());

                if (__executorServer) {
                    promises.push(__executorServer.start({mongoClient: db}));
                }

                return Q.all(promises);
            })
            .then(function () {
                var promises = [];
                __webSocket.start(__httpServer);

                promises.push(apiReady);

                routeComponents.forEach(function (component) {
                    promises.push(Q.ninvoke(component, 'start'));
                });

                return Q.all(promises);
            })
            .then(function () {
                // Finally start listening to the server port.
                __httpServer.listen(gmeConfig.server.handle || gmeConfig.server.port, function () {
                    logger.info('Server is listening ...');
                    serverDeferred.resolve();
                });

                return serverDeferred.promise;
            })
            .nodeify(function (err) {
                self.isRunning = true;
                if (err) {
                    logger.error('Error at server start', err);
                }

                callback(err);
            });
    }

    this.start = start;
}

module.exports = StandAloneServer;
