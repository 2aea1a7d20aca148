// Replay case (before the fix) — excerpt of public code, kept under its original license (MIT).
// Repository: https://github.com/KanishJebaMathewM/Truxify
// Commit:     8405a8265274a6980cff4c1347cd2994c7207db2 (its parent holds this version)
// Path:       backend/api/src/lib/circuitBreaker.js
// Subject:    fix: clear circuitBreaker timeout timer after race The timeout timer was never cleared when the wrapped call resolved first, leaving a pending rejection and a timer leak. Clear it in a finally block.
// Rule:       leaky-timeout-race should report the buggy (before) version; the fixed (after) version should be quiet for it.
// Shape:      timeout promise built first into a local (timer unref'd inside the executor, never cleared) and then raced against fn(...args)

import logger from '../middleware/logger.js';

export class CircuitBreaker {
  constructor(name, options = {}) {
    this.name = name || 'defaultCircuitBreaker';
    this.failureThreshold = options.failureThreshold || 5;
    this.resetTimeoutMs = options.resetTimeoutMs || 30000;
    this.requestTimeoutMs = options.requestTimeoutMs || 5000;
    this.fallback = options.fallback || null;

    this.state = CircuitState.CLOSED;
    this.failureCount = 0;
    this.successCount = 0;
    this.nextAttempt = Date.now();
  }

  async execute(fn, ...args) {
    const currentState = this.getState();

    if (currentState === CircuitState.OPEN) {
      logger.warn(`[CircuitBreaker:${this.name}] Request rejected, circuit is OPEN`);
      if (typeof this.fallback === 'function') {
        return this.fallback(...args);
      }
      throw new Error(`CircuitBreaker:${this.name} is OPEN`);
    }

    try {
      const timeoutPromise = new Promise((_, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`[CircuitBreaker:${this.name}] Request timed out after ${this.requestTimeoutMs}ms`));
        }, this.requestTimeoutMs);
        timer.unref?.();
      });

      const result = await Promise.race([fn(...args), timeoutPromise]);
      this.onSuccess();
      return result;
    } catch (err) {
      return this.onFailure(err, args);
    }
  }
}
