// @ts-nocheck — an excerpt that imports modules which are not here; asyncpat lints it, tsc does not check it.
// Replay case (after the fix) — excerpt of public code, kept under its original license (MIT).
// Repository: https://github.com/MetaMask/core
// Commit:     984ab10ae0e2d3382a413a61002e7c9879fbcc2a (fix)
// Path:       src/assets/CurrencyRateController.ts
// Subject:    Prevent deadlocks resulting from errors thrown before releasing mutex (#195)
// Rule:       unreleased-resource should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      Mutex from require('await-semaphore').Mutex: releaseLock() runs after an awaited fetch on the success path only (a throw leaves the mutex locked: deadlock)
// Note:       The class is cut down to the mutex field and the method that takes it.

const Mutex = require('await-semaphore').Mutex;
import BaseController, { BaseConfig, BaseState } from '../BaseController';
import { safelyExecute, handleFetch } from '../util';

export class CurrencyRateController extends BaseController<CurrencyRateConfig, CurrencyRateState> {
	private mutex = new Mutex();

	/**
	 * Updates exchange rate for the current currency
	 *
	 * @returns Promise resolving to currency data or undefined if disabled
	 */
	async updateExchangeRate(): Promise<CurrencyRateState | void> {
		if (this.disabled || !this.activeCurrency || !this.activeNativeCurrency) {
			return;
		}
		const releaseLock = await this.mutex.acquire();
		try {
			const { conversionDate, conversionRate } = await this.fetchExchangeRate(
				this.activeCurrency,
				this.activeNativeCurrency
			);
			this.update({
				conversionDate,
				conversionRate,
				currentCurrency: this.activeCurrency,
				nativeCurrency: this.activeNativeCurrency
			});

			return this.state;
		} finally {
			releaseLock();
		}
	}
}
