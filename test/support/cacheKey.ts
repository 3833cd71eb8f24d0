/** A cache key for tests (server/src/core/cacheKey.ts), so no test reads or makes the user's real one. */
import { randomBytes } from 'node:crypto';
import { CacheKey, fixedCacheKey, type CacheKeySource } from '../../server/src/core/cacheKey';

/** A fresh random key: another "user" than every other call's. */
export function newCacheKey(): CacheKey {
  return new CacheKey(randomBytes(32));
}

/** A source answering one fresh key (all stores given it are one user's). */
export function testCacheKey(key: CacheKey = newCacheKey()): CacheKeySource {
  return fixedCacheKey(key);
}
