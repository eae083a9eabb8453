import { describe, expect, it } from 'vitest';
import { closest } from '../../src/cli/suggest.js';
import { parseDotenv } from '../../src/config/dotenv.js';
import { nextCandidatePort } from '../../src/config/ports.js';
import { parseDurationMs, parseSizeBytes } from '../../src/config/units.js';
import { MessageTooLarge, NdjsonDecoder, encodeMessage } from '../../src/protocol/framing.js';
import { instanceEnv } from '../../src/supervisor/instance-env.js';
import { aggregateStatus } from '../../src/supervisor/service.js';
import { isSameDefinition, planStart } from '../../src/supervisor/start-plan.js';
import { formatBytes, formatDuration } from '../../src/format.js';
import { parseStoredLine, storedLinePrefix } from '../../src/logs/log-line.js';
import { Ring } from '../../src/logs/ring.js';
import { readMarker } from '../../src/process/supervised-marker.js';
import { groupMembers } from '../../src/metrics/sampler.js';
import { rotationDefaults } from '../../src/logs/log-registry.js';
import { readStickyIndex } from '../../src/balancer/sticky.js';
import { nextProbeDelayMs } from '../../src/supervisor/readiness.js';
import type { ServiceDefinition } from '../../src/types.js';

describe('units', () => {
  it.each([[100, 100], ['100', 100], ['100ms', 100], ['5s', 5000], ['1.5s', 1500], ['2m', 120_000], ['1h', 3_600_000], ['x', null], [-1, null], [true, null]])(
    'duration %j → %j',
    (input, expected) => expect(parseDurationMs(input)).toBe(expected),
  );
  it.each([[1024, 1024], ['300M', 314_572_800], ['300MB', 314_572_800], ['1G', 1024 ** 3], ['512k', 524_288], ['10', 10], ['0', null], ['big', null]])(
    'size %j → %j',
    (input, expected) => expect(parseSizeBytes(input)).toBe(expected),
  );
});

describe('parseDotenv', () => {
  it('reads the usual forms and reports bad lines', () => {
    const text = '# comment\nA=1\nexport B="two words\\nnext"\nC=\'$literal\'\nD=plain # trailing\n\nnot a line\n';
    expect(parseDotenv(text)).toEqual({ values: { A: '1', B: 'two words\nnext', C: '$literal', D: 'plain' }, badLines: [7] });
  });

  it('keeps quoted multi-line values such as PEM keys whole, with the lines after them', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nAKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----';
    const text = `A=1\nKEY="${pem}"\nSINGLE='x\ny'\nB=2\n`;
    expect(parseDotenv(text)).toEqual({ values: { A: '1', KEY: pem, SINGLE: 'x\ny', B: '2' }, badLines: [] });
  });
});

describe('nextCandidatePort', () => {
  it.each([
    [8000, [], 8000, 8000],
    [8000, [8000, 8001], 8000, 8002],
    [8000, [8003], 8003, 8004],
    [65535, [65535], 65535, null],
  ])('base %i reserved %j from %i → %j', (base, reserved, from, expected) => {
    expect(nextCandidatePort(base, new Set(reserved), from)).toBe(expected);
  });
});

describe('NdjsonDecoder', () => {
  it('refuses a message over its cap, whether it comes in one chunk or many', () => {
    expect(() => new NdjsonDecoder(10).push(Buffer.from('{"a":"0123456789"}\n'))).toThrow(MessageTooLarge);
    const decoder = new NdjsonDecoder(10);
    decoder.push(Buffer.from('{"a":"01'));
    expect(() => decoder.push(Buffer.from('23456789'))).toThrow(MessageTooLarge);
    expect(new NdjsonDecoder(10).push(Buffer.from('{"a":1}\n'))).toEqual([{ a: 1 }]);
  });

  it('joins messages split anywhere, even inside a multi-byte character', () => {
    const bytes = Buffer.from(encodeMessage({ id: 1, text: 'héllo ✓' }) + encodeMessage({ id: 2 }));
    for (let cut = 1; cut < bytes.length; cut++) {
      const decoder = new NdjsonDecoder();
      expect([...decoder.push(bytes.subarray(0, cut)), ...decoder.push(bytes.subarray(cut))]).toEqual([{ id: 1, text: 'héllo ✓' }, { id: 2 }]);
    }
  });
});

describe('stored log lines', () => {
  it('round-trip with and without an instance tag', () => {
    const iso = '2026-11-21T20:39:00.123Z';
    expect(parseStoredLine(`${storedLinePrefix(iso, null)}hi [x]`, 'api', 'out')).toEqual({ time: Date.parse(iso), service: 'api', instance: 0, stream: 'out', line: 'hi [x]' });
    expect(parseStoredLine(`${storedLinePrefix(iso, 3)}hi`, 'api', 'err')).toEqual({ time: Date.parse(iso), service: 'api', instance: 3, stream: 'err', line: 'hi' });
  });

  it('mark a piece that continues a cut line with + after the time', () => {
    const iso = '2026-11-21T20:39:00.123Z';
    expect(storedLinePrefix(iso, null, true)).toBe(`${iso}+ `);
    expect(storedLinePrefix(iso, 1, true)).toBe(`${iso}+ [1] `);
    expect(storedLinePrefix(null, null, true)).toBe('+ ');
    expect(storedLinePrefix(null, 2)).toBe('[2] ');
    expect(parseStoredLine(`${iso}+ [1] rest`, 'api', 'out')).toEqual({ time: Date.parse(iso), service: 'api', instance: 1, stream: 'out', line: 'rest', continued: true });
  });
});

describe('Ring', () => {
  it('keeps the newest items, oldest first', () => {
    const ring = new Ring<number>(3);
    for (let value = 1; value <= 5; value++) ring.push(value);
    expect(ring.toArray()).toEqual([3, 4, 5]);
  });
});

describe('aggregateStatus', () => {
  it.each([
    [[], 'stopped'], [['online', 'online'], 'online'], [['online', 'waiting'], 'waiting'], [['errored', 'online'], 'errored'],
    [['stopped', 'online'], 'online'], [['starting', 'online'], 'starting'], [['stopped', 'stopped'], 'stopped'],
  ] as const)('%j → %s', (statuses, expected) => expect(aggregateStatus([...statuses])).toBe(expected));
});

describe('planStart', () => {
  const existing: ServiceDefinition = {
    name: 'api', script: '/a.js', interpreterArgs: [], args: [], cwd: '/', port: 8000, instances: 1, env: {},
    restart: 'always', maxRestarts: 10, restartDelayMs: 100, killTimeoutMs: 5000,
  };
  const registered = new Map([['api', existing]]);

  it('treats the same definition (port unspecified) as the existing service', () => {
    expect(isSameDefinition(existing, { ...existing, port: 'auto' })).toBe(true);
    expect(planStart([{ ...existing, port: 'auto' }], registered)).toEqual({ steps: [{ kind: 'existing', name: 'api' }], issues: [] });
  });

  it('refuses a different definition under a taken name, and a port another service owns', () => {
    const plan = planStart([{ ...existing, args: ['x'] }, { ...existing, name: 'other', port: 8000 }], registered);
    expect(plan.issues).toEqual([
      'api: a service with this name exists with a different definition (delete it first or pick another name)',
      'other: port 8000 belongs to service "api"',
    ]);
  });
});

describe('format', () => {
  it.each([[0, '0 B'], [512, '512 B'], [1536, '1.5 KB'], [99 * 1024 * 1024, '99.0 MB'], [300 * 1024 * 1024, '300 MB']])('bytes %i → %s', (value, text) =>
    expect(formatBytes(value)).toBe(text),
  );
  it.each([[0, '0s'], [59_999, '59s'], [61_000, '1m 1s'], [3_600_000, '1h'], [90_000_000, '1d 1h']])('duration %i → %s', (value, text) =>
    expect(formatDuration(value)).toBe(text),
  );
});

describe('readMarker', () => {
  it('finds the supervisor marker and service name in an environ block', () => {
    expect(readMarker('PATH=/bin\0APICTL_SUPERVISOR_HOME=/h/.apictl\0APICTL_NAME=api\0APICTL_SPAWN_ID=0123456789ab\0')).toEqual({ home: '/h/.apictl', service: 'api', spawnId: '0123456789ab' });
    expect(readMarker('PATH=/bin\0')).toEqual({ home: null, service: null, spawnId: null });
  });
});

describe('sticky cookie', () => {
  it.each([[undefined, null], ['a=1', null], ['apictl_instance=2', 2], ['x=1; apictl_instance=0; y=2', 0], ['not_apictl_instance=3', null]])(
    '%s → %s',
    (header, index) => expect(readStickyIndex(header)).toBe(index),
  );
});

describe('rotationDefaults', () => {
  it.each([
    [{}, { maxBytes: 10 * 1024 * 1024, keep: 5 }],
    [{ APICTL_LOG_MAX_SIZE: '50M', APICTL_LOG_KEEP: '2' }, { maxBytes: 50 * 1024 * 1024, keep: 2 }],
    [{ APICTL_LOG_MAX_SIZE: 'huge', APICTL_LOG_KEEP: '-1' }, { maxBytes: 10 * 1024 * 1024, keep: 5 }],
    [{ APICTL_LOG_KEEP: '0' }, { maxBytes: 10 * 1024 * 1024, keep: 0 }],
  ])('%j → %j', (env, expected) => expect(rotationDefaults(env)).toEqual(expected));
});

describe('groupMembers', () => {
  it('groups pids by process group, only for the groups asked about', () => {
    const stats = [{ pid: 10, pgrp: 10 }, { pid: 11, pgrp: 10 }, { pid: 20, pgrp: 20 }, { pid: 30, pgrp: 30 }];
    expect([...groupMembers(stats, new Set([10, 30]))]).toEqual([[10, [10, 11]], [30, [30]]]);
  });
});

describe('instanceEnv', () => {
  it('layers daemon env < envFile < env, then what apictl promises; the markers cannot be overridden', () => {
    const env = instanceEnv({
      base: { PATH: '/bin', LEVEL: 'base', APICTL_SUPERVISOR_HOME: '/home/x/.apictl' },
      fromFile: { LEVEL: 'file', FILE_ONLY: '1', PORT: '1' },
      definition: { name: 'api', env: { LEVEL: 'env', APICTL_SUPERVISOR_HOME: 'spoofed', PYTHONUNBUFFERED: '0', APICTL_SPAWN_ID: 'spoofed' } },
      port: 8100,
      index: 2,
      spawnId: 'abcdefabcdef',
    });
    expect(env).toEqual({
      PATH: '/bin',
      LEVEL: 'env',
      FILE_ONLY: '1',
      PYTHONUNBUFFERED: '0',
      PORT: '8100',
      APICTL_NAME: 'api',
      APICTL_INSTANCE: '2',
      APICTL_SUPERVISOR_HOME: '/home/x/.apictl',
      APICTL_SPAWN_ID: 'abcdefabcdef',
    });
    expect(instanceEnv({ base: {}, fromFile: {}, definition: { name: 'w', env: {} }, port: null, index: 0, spawnId: 'x' })).not.toHaveProperty('PORT');
  });

  it('with inheritEnv: false keeps only the minimal variables of the daemon', () => {
    const env = instanceEnv({
      base: { PATH: '/bin', HOME: '/root', AWS_SECRET_ACCESS_KEY: 'shh', LANG: 'C.UTF-8', APICTL_SUPERVISOR_HOME: '/h' },
      fromFile: {},
      definition: { name: 'w', env: { MINE: '1' }, inheritEnv: false },
      port: null,
      index: 0,
      spawnId: 'x',
    });
    expect(env).toEqual({ PATH: '/bin', HOME: '/root', LANG: 'C.UTF-8', PYTHONUNBUFFERED: '1', MINE: '1', APICTL_NAME: 'w', APICTL_INSTANCE: '0', APICTL_SUPERVISOR_HOME: '/h', APICTL_SPAWN_ID: 'x' });
  });
});

describe('nextProbeDelayMs', () => {
  // A request held through a cold start waits on readiness: at most 10 ms late for the first 10 s, then 250 ms.
  it.each([[5, 0, 8], [8, 100, 10], [10, 9_999, 10], [10, 10_000, 15], [200, 20_000, 250], [250, 60_000, 250]])('after %i ms at %i ms: %i ms', (previous, elapsed, next) => {
    expect(nextProbeDelayMs(previous, elapsed)).toBe(next);
  });
});

describe('closest', () => {
  it.each([['compsoe', 'compose'], ['k8', 'k8s'], ['nginxx', 'nginx'], ['zzzzzz', null]])('%s → %s', (word, expected) =>
    expect(closest(word, ['compose', 'k8s', 'systemd', 'nginx', 'haproxy'])).toBe(expected),
  );
});
