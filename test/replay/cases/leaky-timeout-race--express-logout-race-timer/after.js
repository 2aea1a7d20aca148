// Replay case (after the fix) — excerpt of public code, kept under its original license (MIT).
// Repository: https://github.com/KanishJebaMathewM/Truxify
// Commit:     a425e489e5207ef034dfef33ff48e6bfef021c1a (fix)
// Path:       backend/api/src/routes/authRoutes.js
// Subject:    fix(authRoutes): clear dangling timeouts on success
// Rule:       leaky-timeout-race should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      Express route awaits Promise.race of a Redis/Firebase call against an inline setTimeout reject that is never cleared

/**
 * Authentication Routes
 *
 * POST /api/auth/logout
 *   Immediately invalidates the authenticated user's Redis profile cache
 *   and optionally revokes Firebase refresh tokens.
 *
 *   Both infra calls are bounded by timeouts so a hanging Redis or Firebase
 *   connection never blocks the logout response.
 */

import express from 'express';
import { authenticate } from '../middleware/auth.js';
import { invalidateCachedProfile } from '../lib/profileCache.js';
import { firebaseAdmin } from '../config/db.js';
import logger from '../middleware/logger.js';

const router = express.Router();

/**
 * POST /api/auth/logout
 * Requires: Bearer token (Firebase or Supabase)
 * Response: { success: true, message: 'Logged out successfully' }
 */
router.post('/logout', authenticate, async (req, res) => {
  const { uid } = req.user;

  // ── 1. Invalidate Redis profile cache ──────────────────────────────
  // Bounded timeout prevents Redis hangs from blocking the logout response.
  try {
    let redisTimer;
    await Promise.race([
      invalidateCachedProfile(uid),
      new Promise((_, reject) => {
        redisTimer = setTimeout(() => reject(new Error('Redis invalidation timeout')), 2000);
      }),
    ]).finally(() => clearTimeout(redisTimer));
  } catch (err) {
    logger.warn(`[auth/logout] Cache invalidation skipped for uid=${uid}: ${err?.message}`);
  }

  // ── 2. Firebase refresh token revocation (optional) ────────────────
  // Bounded timeout prevents Firebase hangs from blocking the logout response.
  if (uid && firebaseAdmin) {
    try {
      let fbTimer;
      await Promise.race([
        firebaseAdmin.auth().revokeRefreshTokens(uid),
        new Promise((_, reject) => {
          fbTimer = setTimeout(() => reject(new Error('Firebase revocation timeout')), 3000);
        }),
      ]).finally(() => clearTimeout(fbTimer));
    } catch (err) {
      logger.error(`[auth/logout] Firebase token revocation failed for uid=${uid}: ${err?.message}`);
    }
  }

  return res.status(200).json({
    success: true,
    message: 'Logged out successfully',
  });
});

export default router;

