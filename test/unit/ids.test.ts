import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { lockName } from '../../src/daemon/lock.js';
import { randomHex } from '../../src/supervisor/launcher.js';

describe('the daemon lock: one name per home, the same in every build', () => {
  it.each(['/root/.apictl', '/srv/apis/ünïcode home/.apictl', `/tmp/${'long/'.repeat(40)}home`])('%s: the SHA-256 name earlier builds (node:crypto) bound', (home) => {
    expect(lockName(home)).toBe(`\0apictl-${createHash('sha256').update(home).digest('hex').slice(0, 32)}`);
  });
});

describe('run ids from /dev/urandom', () => {
  it('are the asked-for number of bytes in hex, and do not repeat', () => {
    const ids = Array.from({ length: 2000 }, () => randomHex(6));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(randomHex(32)).toMatch(/^[0-9a-f]{64}$/);
  });
});
