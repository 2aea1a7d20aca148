// Replay case (before the fix) — excerpt of public code, kept under its original license (MIT).
// Repository: https://github.com/KanishJebaMathewM/Truxify
// Commit:     8865b5c823580dbbdec3bba150fd0bd97676205e (its parent holds this version)
// Path:       backend/api/src/services/reputation.js
// Subject:    fix: clear timeout timer in getDriverReputation Promise.race
// Rule:       leaky-timeout-race should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      exported async function races a contract RPC call against an inline setTimeout reject with no handle kept

import { ethers } from 'ethers';
import logger from '../middleware/logger.js';

/**
 * Fetch the on-chain reputation score for a driver.
 *
 * @param {string} walletAddress — 0x-prefixed Polygon address of the driver
 * @returns {Promise<number|null>}
 */
export async function getDriverReputation(walletAddress) {
  if (!reputationContract) {
    logger.warn('[reputation] Contract not initialised — skipping on-chain retrieval.');
    return null;
  }
  if (!ethers.isAddress(walletAddress)) {
    logger.warn(`[reputation] Invalid wallet address "${walletAddress}" — skipping.`);
    return null;
  }
  try {
    const score = await Promise.race([
      reputationContract.getReputation(walletAddress),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('RPC timeout')), 5000)
      ),
    ]);
    return Number(score);
  } catch (err) {
    logger.error(`[reputation] Failed to fetch on-chain reputation for ${walletAddress}: ${err.message}`);
    return null;
  }
}
