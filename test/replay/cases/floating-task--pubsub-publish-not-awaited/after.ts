// @ts-nocheck — an excerpt that imports modules which are not here; asyncpat lints it, tsc does not check it.
// Replay case (after the fix) — excerpt of public code, kept under its original license (see repository).
// Repository: https://github.com/erento/nestjs-modules
// Commit:     c464fe2630f2f30f4f7148e8938d39fa0c2e0fd4 (fix)
// Path:       modules/google-pubsub/src/pubsub.service.ts
// Subject:    bug: fix unhandled rejection due to missing await (#18)
// Rule:       floating-task should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      async service method ends with this.getTopic(name).publish(buffer, attrs) (a @google-cloud/pubsub Topic) neither awaited nor returned
// Note:       The class is cut down to publishMessage and the getTopic helper it calls.

import {PubSub, Subscription, Topic} from '@google-cloud/pubsub';
import {Injectable} from '@nestjs/common';
import * as MessageCrypto from 'message-crypto';
import {EncodedMessage, GoogleAuthOptions} from './domain';
import {PubsubHelper} from './pubsub.helper';

@Injectable()
export class PubsubService {
    public async publishMessage <T> (
        topicName: string,
        message: T,
        attributes: {[key: string]: string} = {},
        encrypted: boolean = true,
    ): Promise<void> {
        if (!message) {
            throw new Error('Message can\'t be empty.');
        }

        const messageWithMetadata: string = JSON.stringify(
            this.pubsubHelper.prepareForPubsub<T>(topicName, message, this.serviceIdentifier),
        );
        const messageBody: string = encrypted ?
            await this.encryptMessage(messageWithMetadata) :
            Buffer.from(messageWithMetadata).toString('base64');

        const signature: string = await this.createSignature(messageBody);

        await this.getTopic(topicName).publish(
            Buffer.from(messageBody, 'base64'),
            {
                signature,
                ...attributes,
            },
        );
    }

    private getTopic (topicName: string): Topic {
        if (!this.pubSubLibrary) {
            throw new Error('There is no Pub/Sub library. Cannot return a topic.');
        }

        try {
            return this.pubSubLibrary.topic(topicName);
        } catch (err) {
            throw new Error('Cannot get a publisher.');
        }
    }
}
