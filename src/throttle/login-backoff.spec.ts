import type { ConfigType } from '@nestjs/config';
import { testCrypto } from '../../test/support/crypto';
import type { throttleConfig } from '../config/throttle.config';
import type { CounterStore } from './counter-store';
import { LoginBackoff } from './login-backoff';

const crypto = testCrypto();

/** A counter store that only records which of its methods were called. */
function recordingStore(): { store: CounterStore; calls: string[] } {
  const calls: string[] = [];
  const store = {
    hit: (key: string) => (calls.push(`hit ${key}`), Promise.resolve({ count: 1, resetMs: 1000 })),
    block: (key: string) => (calls.push(`block ${key}`), Promise.resolve()),
    blockedFor: (key: string) => (calls.push(`blockedFor ${key}`), Promise.resolve(0)),
    clear: (keys: string[]) => (calls.push(`clear ${keys.join(' ')}`), Promise.resolve()),
  } as unknown as CounterStore;
  return { store, calls };
}

function backoff(enabled: boolean, store: CounterStore): LoginBackoff {
  const config = {
    enabled,
    loginBackoff: { threshold: 5, windowSeconds: 900, baseSeconds: 30, maxSeconds: 900 },
  } as ConfigType<typeof throttleConfig>;
  return new LoginBackoff(config, store, crypto);
}

describe('LoginBackoff', () => {
  it('touches no counter at all when back-off is off (no Redis round trip per login)', async () => {
    const { store, calls } = recordingStore();
    const off = backoff(false, store);
    await off.assertNotBlocked('user@example.com');
    await off.recordFailure('user@example.com');
    await off.clear('user@example.com');
    expect(calls).toEqual([]);
  });

  it("clears the account's failure count and block when back-off is on", async () => {
    const { store, calls } = recordingStore();
    await backoff(true, store).clear(' User@Example.com ');
    const id = crypto.sha256('user@example.com');
    expect(calls).toEqual([`clear login-failures:${id} login-block:${id}`]);
  });
});
