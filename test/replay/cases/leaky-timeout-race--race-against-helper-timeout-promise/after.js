// Replay case (after the fix) — excerpt of public code, kept under its original license (Apache-2.0).
// Repository: https://github.com/apify/crawlee
// Commit:     637237ae48bbb3832dc9b2ac6020042046b8bc06 (fix)
// Path:       src/cheerio_crawler.js
// Subject:    Rework timeouts, fix some hanging tests
// Rule:       leaky-timeout-race should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      Promise.race([rfPromise, createTimeoutPromise(ms, msg), abortPromise]) where the timer comes from a helper returning delayPromise(ms).then(throw): never cleared, one armed timer per crawled page
// Note:       The class is cut down to the racing method; the helper the race calls is appended from src/utils.js of the same revision.

import util from 'util';
import rqst from 'request';
import _ from 'underscore';
import cheerio from 'cheerio';
import contentType from 'content-type';
import log from 'apify-shared/log';
import { checkParamOrThrow } from 'apify-client/build/utils';
import BasicCrawler from './basic_crawler';
import { addTimeoutToPromise } from './utils';
import { getApifyProxyUrl } from './actor';

class CheerioCrawler {
    async _handleRequestFunction({ request }) {
        if (!this.isRunning) throw new Error('CheerioCrawler is stopped.');

        const rfPromise = this.requestFunction({ request });
        // rejectOnAbortPromise rejects when .abort() is called or BasicCrawler throws.
        // All running pages are therefore terminated with an error to be reclaimed and retried.
        const response = await Promise.race([
            addTimeoutToPromise(rfPromise, this.requestTimeoutMillis, 'CheerioCrawler: requestFunction timed out.'),
            this.rejectOnAbortPromise,
        ]);


        let html;
        if (typeof response === 'string') html = response;
        else if (typeof response === 'object' && typeof response.body === 'string') html = response.body;
        else throw new Error('CheerioCrawler: requestFunction returned neither string, nor an object with a body property of type string.');

        const $ = cheerio.load(html);
        await Promise.race([
            addTimeoutToPromise(
                this.handlePageFunction({ $, html, request, response }),
                this.handlePageTimeoutMillis,
                'CheerioCrawler: handlePageFunction timed out.',
            ),
            this.rejectOnAbortPromise,
        ]);
    }
}

// src/utils.js
/**
 * Wraps the provided Promise with another one that rejects with the given errorMessage
 * after the given timeoutMillis, unless the original promise resolves or rejects earlier.
 *
 * @param {Promise} promise
 * @param {number} timeoutMillis
 * @param {string} errorMessage
 */
export const addTimeoutToPromise = (promise, timeoutMillis, errorMessage) => {
    return new Promise((resolve, reject) => {
        if (!isPromise(promise)) throw new Error('Parameter promise of type Promise must be provided.');
        checkParamOrThrow(timeoutMillis, 'timeoutMillis', 'Number');
        checkParamOrThrow(errorMessage, 'errorMessage', 'String');

        const timeout = setTimeout(() => reject(new Error(errorMessage)), timeoutMillis);
        promise.then((data) => {
            clearTimeout(timeout);
            resolve(data);
        }, (reason) => {
            clearTimeout(timeout);
            reject(reason);
        });
    });
};
