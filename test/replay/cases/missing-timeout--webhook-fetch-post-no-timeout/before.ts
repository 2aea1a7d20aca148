// @ts-nocheck — an excerpt that imports modules which are not here; asyncpat lints it, tsc does not check it.
// Replay case (before the fix) — excerpt of public code, kept under its original license (MIT).
// Repository: https://github.com/snapshot-labs/snapshot-webhook
// Commit:     3b2d7059d37fbb5e3c798c85e1553077c43941f6 (its parent holds this version)
// Path:       src/events.ts
// Subject:    fix: add timeout on outgoing webhook requests (#71)
// Rule:       missing-timeout should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      sendEvent() POSTs every event to each subscriber's webhook URL with fetch (cross-fetch) and no timeout/signal: a slow subscriber holds the connection at the OS timeout
// Note:       Cut down to the imports and sendEvent / sendEventToWebhookSubscribers; the fix switches to node-fetch and passes its `timeout` option.

import fetch from 'cross-fetch';
import snapshot from '@snapshot-labs/snapshot.js';
import { sendEventToDiscordSubscribers } from './discord';
import { sendPushNotification } from './helpers/beams';
import db from './helpers/mysql';
import { sha256 } from './helpers/utils';
import { getProposal, getProposalScores } from './helpers/proposal';
import { capture } from './helpers/sentry';

const delay = 5;
const interval = 15;
const serviceEvents = parseInt(process.env.SERVICE_EVENTS || '0');

export async function sendEvent(event, to) {
  event.token = sha256(`${to}${serviceEventsSalt}`);
  event.secret = sha256(`${to}${serviceEventsSalt}`);
  const headerSecret = sha256(`${to}${process.env.SERVICE_EVENTS_SALT}`);
  try {
    const res = await fetch(to, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authentication: headerSecret
      },
      body: JSON.stringify(event)
    });
    return res.text();
  } catch (error) {
    console.log('[events] Error sending event data to webhook', to, JSON.stringify(error));
    return;
  }
}

const sendEventToWebhookSubscribers = (event, subscribers) => {
  Promise.allSettled(
    subscribers
      .filter(subscriber => [event.space, '*'].includes(subscriber.space))
      .map(subscriber => sendEvent(event, subscriber.url))
  )
    .then(() => console.log('[events] Process event done'))
    .catch(e => console.log('[events] Process event failed', e));
};
