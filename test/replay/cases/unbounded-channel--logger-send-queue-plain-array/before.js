// Replay case (before the fix) — excerpt of public code, kept under its original license (Apache-2.0).
// Repository: https://github.com/fluent/fluent-logger-node
// Commit:     d81e981c983d0116c07568d1c20b672c76e0cd6f (its parent holds this version)
// Path:       lib/sender.js
// Subject:    add messageQueueSizeLimit option
// Rule:       unbounded-channel should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      logger class keeps records in a plain array this._sendQueue: push() on every emit, shift() when the socket flushes, no cap while the fluentd server is unreachable
// Note:       The class is cut down to the members that create, fill and drain the queue; the fix adds an opt-in messageQueueSizeLimit that drops the oldest record.

'use strict';
const EventEmitter = require('events').EventEmitter;
const msgpack = require('msgpack-lite');
const net = require('net');
const stream = require('stream');
const crypto = require('crypto');
const tls = require('tls');
const zlib = require('zlib');
const FluentLoggerError = require('./logger-error');
const EventTime = require('./event-time');

class FluentSender {
  constructor(tag_prefix, options) {
    options = options || {};
    this._eventMode = options.eventMode || 'Message'; // Message, PackedForward, CompressedPackedForward
    if (!/^Message|PackedForward|CompressedPackedForward$/.test(this._eventMode)) {
      throw new FluentLoggerError.ConfigError('Unknown event mode: ' + this._eventMode);
    }
    this.tag_prefix = tag_prefix;
    this.host = options.host || 'localhost';
    this.port = options.port || 24224;
    this.path = options.path;
    this.timeout = options.timeout || 3.0;
    this.tls = !!options.tls;
    this.tlsOptions = options.tlsOptions || {};
    this.enableReconnect = typeof options.enableReconnect === 'boolean' ? options.enableReconnect : true;
    this.reconnectInterval = options.reconnectInterval || 600000; // Default is 10 minutes
    this.requireAckResponse = options.requireAckResponse;
    this.ackResponseTimeout = options.ackResponseTimeout || 190000; // Default is 190 seconds
    this.internalLogger = options.internalLogger || console;
    this._timeResolution = options.milliseconds ? 1 : 1000;
    this._socket = null;
    if (this._eventMode === 'Message') {
      this._sendQueue = []; // queue for items waiting for being sent.
      this._flushInterval = 0;
    } else {
      this._sendQueue = new Map();
      this._flushInterval = options.flushInterval || 100;
      this._sendQueueSizeLimit = options.sendQueueSizeLimit || 8 * 1024 * 1024; // 8MiB
      this._sendQueueSize = 0;
      this._flushSendQueueTimeoutId = null;
      this._compressed = (this._eventMode === 'CompressedPackedForward');
    }
    this._eventEmitter = new EventEmitter();
    // options.security = { clientHostname: "client.localdomain", sharedKey: "very-secret-shared-key" }
    this.security = options.security || {
      clientHostname: null,
      sharedKey: null,
      username: '',
      password: ''
    };
    this.sharedKeySalt = crypto.randomBytes(16).toString('hex');
    // helo, pingpong, established
    this._status = null;
    this._connecting = false;
  }

  emit(/*[label] <data>, [timestamp], [callback] */a0, a1, a2, a3) {
    let label, data, timestamp, callback;
    let timestampOrCallback, cbArg;
    // Label must be string always
    // Data can be almost anything
    // Date can be either timestamp number or Date object
    // Last argument is an optional callback
    if (typeof a0 === 'string') {
      label = a0;
      data = a1;
      timestampOrCallback = a2;
      cbArg = a3;
    } else {
      data = a0;
      timestampOrCallback = a1;
      cbArg = a2;
    }

    if (typeof timestampOrCallback === 'function') {
      callback = timestampOrCallback;
    } else if (timestampOrCallback) {
      timestamp = timestampOrCallback;
      if (typeof cbArg === 'function') {
        callback = cbArg;
      }
    }

    const tag = this._makeTag(label);
    let error;
    let options;
    if (tag === null) {
      options = {
        tag_prefix: this.tag_prefix,
        label: label
      };
      error = new FluentLoggerError.MissingTag('tag is missing', options);
      this._handleEvent('error', error, callback);
      return;
    }
    if (typeof data !== 'object') {
      options = {
        tag_prefix: this.tag_prefix,
        label: label,
        record: data
      };
      error = new FluentLoggerError.DataTypeError('data must be an object', options);
      this._handleEvent('error', error, callback);
      return;
    }

    this._push(tag, timestamp, data, callback);
    this._connect(() => {
      this._flushSendQueue();
    });
  }

  _push(tag, time, data, callback) {
    if (this._eventMode === 'Message') {
      // Message mode
      let item = this._makePacketItem(tag, time, data);
      item.callback = callback;
      this._sendQueue.push(item);
    } else {
      // PackedForward mode
      const eventEntry = this._makeEventEntry(time, data);
      this._sendQueueSize += eventEntry.length;
      if (this._sendQueue.has(tag)) {
        let eventEntryData = this._sendQueue.get(tag);
        eventEntryData.eventEntries.push(eventEntry);
        if (callback) eventEntryData.callbacks.push(callback);
      } else {
        const callbacks = callback ? [callback] : [];
        this._sendQueue.set(tag, { eventEntries: [eventEntry], callbacks: callbacks });
      }
    }
  }

  _flushSendQueue() {
    if (this._flushingSendQueue)
      return;

    this._flushingSendQueue = true;
    this._waitToWrite();
  }

  _doFlushSendQueue(timeoutId) {
    if (this._eventMode === 'Message') {
      let item = this._sendQueue.shift();
      if (item === undefined) {
        this._flushingSendQueue = false;
        // nothing written;
        return;
      }
      this._doWrite(item.packet, item.options, timeoutId, [item.callback]);
    } else {
      if (this._sendQueue.size === 0) {
        this._flushingSendQueue = false;
        return;
      }
      let first = this._sendQueue.entries().next().value;
      let tag = first[0];
      let eventEntryData = first[1];
      let entries = Buffer.concat(eventEntryData.eventEntries, this._sendQueueSize);
      let size = entries.length;
      this._sendQueue.delete(tag);
      if (this._compressed) {
        entries = zlib.gzipSync(entries);
        size = entries.length;
      }
      const options = {
        chunk: crypto.randomBytes(16).toString('base64'),
        size: size,
        compressed: this._compressed ? 'gzip' : 'text'
      };
      const packet = msgpack.encode([tag, entries, options], { codec: codec });
      this._doWrite(packet, options, timeoutId, eventEntryData.callbacks);
    }
  }
}
