// Replay case (before the fix) — excerpt of public code, kept under its original license (Apache-2.0).
// Repository: https://github.com/IBM/couchbackup
// Commit:     541ff16711100d009f75cb1d87d76876b6f04993 (its parent holds this version)
// Path:       app.js
// Subject:    Honoured back pressure from backup output stream
// Rule:       ignored-backpressure should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      targetStream.write() once per 'received' event from a parallel fetch queue, false return ignored (no loop in this function: the producer is an event emitter)

'use strict';

/**
 * CouchBackup module.
 * @module couchbackup
 * @see module:couchbackup
 */

const restoreInternal = require('./includes/restore.js');
const backupShallow = require('./includes/shallowbackup.js');
const backupFull = require('./includes/backup.js');
const debug = require('debug')('couchbackup');
const defaults = require('./includes/defaults.js');
const events = require('events');

module.exports = {

  /**
   * Backup a Cloudant database to a stream.
   *
   * @param {string} srcUrl - URL of database to backup.
   * @param {stream.Writable} targetStream - Stream to write content to.
   * @param {object} opts - Backup options.
   * @param {number} [opts.parallelism=5] - Number of parallel HTTP requests to use.
   * @param {number} [opts.bufferSize=500] - Number of documents per batch request.
   * @param {string} [opts.log] - Log file name. Default uses a temporary file.
   * @param {boolean} [opts.resume] - Whether to resume from existing log.
   * @param {string} [opts.mode=full] - Use `full` or `shallow` mode.
   * @param {backupRestoreCallback} callback - Called on completion.
   */
  backup: function(srcUrl, targetStream, opts, callback) {
    if (typeof callback === 'undefined' && typeof opts === 'function') {
      callback = opts;
      opts = {};
    }
    opts = Object.assign({}, defaults.get(), opts);

    var backup = null;
    if (opts.mode === 'shallow') {
      backup = backupShallow;
    } else {  // full mode
      backup = backupFull;
    }

    const ee = new events.EventEmitter();

    backup(srcUrl, opts.bufferSize, opts.parallelism, opts.log, opts.resume)
      .on('received', function(obj) {
        debug(' backed up batch', obj.batch, ' docs: ', obj.total, 'Time', obj.time);
        targetStream.write(JSON.stringify(obj.data) + '\n');
        ee.emit('written', {total: obj.total, time: obj.time, batch: obj.batch});
      })
      .on('error', function(obj) {
        debug('Error ' + JSON.stringify(obj));
        ee.emit('error', obj);
      })
      .on('finished', function(obj) {
        debug('Backup complete - written ' + JSON.stringify(obj));
        const summary = {total: obj.total};
        if (targetStream === process.stdout) {
          // stdout cannot emit a finish event so just callback.
          ee.emit('finished', summary);
          if (callback) callback(null, summary);
        } else {
          // If we're writing to a file, end the writes and do the callback
          // when the finish event is emitted.
          targetStream.end('', '', function() {
            ee.emit('finished', summary);
            if (callback) callback(null, summary);
          });
        }
      });

    return ee;
  },
};
