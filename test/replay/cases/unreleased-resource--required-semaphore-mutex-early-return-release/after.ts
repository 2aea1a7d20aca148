// @ts-nocheck — an excerpt that imports modules which are not here; asyncpat lints it, tsc does not check it.
// Replay case (after the fix) — excerpt of public code, kept under its original license (MIT).
// Repository: https://github.com/MetaMask/core
// Commit:     984ab10ae0e2d3382a413a61002e7c9879fbcc2a (fix)
// Path:       src/transaction/TransactionController.ts
// Subject:    Prevent deadlocks resulting from errors thrown before releasing mutex (#195)
// Rule:       unreleased-resource should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      Mutex from require('await-semaphore').Mutex released before an early return and at the end, but not when the awaited registry lookup throws
// Note:       The class is cut down to the mutex field and the method that takes it.

import { EventEmitter } from 'events';
import { addHexPrefix, bufferToHex } from 'ethereumjs-util';
import BaseController, { BaseConfig, BaseState } from '../BaseController';
import NetworkController from '../network/NetworkController';
import {
	BNToHex,
	fractionBN,
	handleFetch,
	hexToBN,
	normalizeTransaction,
	safelyExecute,
	validateTransaction,
	isSmartContractCode
} from '../util';
const MethodRegistry = require('eth-method-registry');
const EthQuery = require('eth-query');
const Transaction = require('ethereumjs-tx');
const random = require('uuid/v1');
const { BN } = require('ethereumjs-util');
const Mutex = require('await-semaphore').Mutex;

export class TransactionController extends BaseController<TransactionConfig, TransactionState> {
	private mutex = new Mutex();

	/**
	 * Handle new method data request
	 *
	 * @param fourBytePrefix - String corresponding to method prefix
	 * @returns - Promise resolving to method data object corresponding to signature prefix
	 */
	async handleMethodData(fourBytePrefix: string): Promise<MethodData> {
		const releaseLock = await this.mutex.acquire();
		try {
			const { methodData } = this.state;
			const knownMethod = Object.keys(methodData).find(
				(knownFourBytePrefix) => fourBytePrefix === knownFourBytePrefix
			);
			if (knownMethod) {
				return methodData[fourBytePrefix];
			}
			const registry = await this.registryLookup(fourBytePrefix);
			this.update({ methodData: { ...methodData, ...{ [fourBytePrefix]: registry } } });
			return registry;
		} finally {
			releaseLock();
		}
	}
}
