import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { renderServicesJsonSchema } from '../../src/config/json-schema.js';
import { diskProbe } from '../../src/config/file-probe.js';
import { validateService, validateServicesFile } from '../../src/config/validate.js';

const REPO = join(import.meta.dirname, '../..');
const committed = readFileSync(join(REPO, 'services.schema.json'), 'utf8');
const example = JSON.parse(readFileSync(join(REPO, 'services.example.json'), 'utf8')) as Record<string, unknown>;
const check = new Ajv2020({ strict: false }).compile(JSON.parse(committed));

describe('services.schema.json', () => {
  it('is what the zod schema generates (run `npm run schema` after changing the schema)', () => {
    expect(renderServicesJsonSchema()).toBe(committed);
  });

  it('accepts services.example.json, which points at it', () => {
    expect(example.$schema).toBe('./services.schema.json');
    expect(check(example), JSON.stringify(check.errors)).toBe(true);
    expect(validateServicesFile(example, REPO, diskProbe)).toMatchObject({ ok: true });
  });

  it.each([
    [{ services: [{ script: 'a.js', port: 70000 }] }],
    [{ services: [{ script: 'a.js', colour: 'red' }] }],
    [{ services: [{ script: 'a.js', restart: 'sometimes' }] }],
    [{ services: [{ script: 'a.js', instances: { min: 0 } }] }],
    [{ services: [] }],
  ])('refuses what validation refuses: %j', (file) => {
    expect(check(file)).toBe(false);
    expect(validateServicesFile(file, REPO, diskProbe)).toMatchObject({ ok: false });
  });
});

const probe = { isFile: (path: string) => path === '/srv/app.js', which: () => null };
const one = (service: Record<string, unknown>) => validateService({ script: 'app.js', ...service }, '/srv', probe);

describe('fields passed through for their owners', () => {
  it('validates logMaxLine, inheritEnv, drainTimeout and accessLog and leaves them out when not given', () => {
    expect(one({ logMaxLine: '2M', inheritEnv: false, drainTimeout: '10s', accessLog: true })).toMatchObject({
      ok: true,
      drafts: [{ logMaxLineBytes: 2 * 1024 ** 2, inheritEnv: false, drainTimeoutMs: 10_000, accessLog: true }],
    });
    const plain = one({});
    expect(plain.ok && Object.keys(plain.drafts[0]!).filter((key) => (plain.drafts[0] as never)[key] !== undefined)).not.toContain('inheritEnv');
    expect(one({ logMaxLine: 'huge', inheritEnv: 'yes', drainTimeout: -1, accessLog: 1 })).toEqual({
      ok: false,
      issues: [
        'inheritEnv: must be true or false, got "yes"',
        'drainTimeout: must be a duration like 30000 or "30s", got -1',
        'logMaxLine: must be a size like 1048576 or "1M", got "huge"',
        'accessLog: must be true or false, got 1',
      ],
    });
  });

  it('turns instances {min, max} into a start count and autoscale settings with defaults', () => {
    expect(one({ instances: { min: 2, max: 6 }, loadFactor: 0.8 })).toMatchObject({
      ok: true,
      drafts: [{ instances: 2, autoscale: { min: 2, max: 6, maxConnsPerInstance: 20, loadFactor: 0.8, idleTimeoutMs: 300_000, coldStartTimeoutMs: 60_000 } }],
    });
    // Scale to zero starts none: the first request starts one.
    expect(one({ instances: { min: 0, max: 2 }, idleTimeout: '1m', coldStartTimeout: 5000 })).toMatchObject({
      ok: true,
      drafts: [{ instances: 0, autoscale: { min: 0, max: 2, idleTimeoutMs: 60_000, coldStartTimeoutMs: 5000 } }],
    });
    expect(one({ instances: 3 })).toMatchObject({ ok: true, drafts: [{ instances: 3, autoscale: undefined }] });
  });

  it.each([
    [{ instances: { min: 3, max: 2 } }, 'instances: min must not be above max, got {"min":3,"max":2}'],
    [{ instances: { min: 0, max: 65 } }, 'instances.max: must be a whole number from 1 to 64, got 65'],
    [{ instances: { min: 1, max: 2, step: 1 } }, 'instances: unknown field "step"'],
    [{ instances: 'many' }, 'instances: must be a whole number from 1 to 64, or {min, max} for autoscaling, got "many"'],
    [{ instances: { min: 1, max: 2 }, loadFactor: 1.5 }, 'loadFactor: must be a number from 0 to 1, got 1.5'],
    [{ instances: 2, maxConnsPerInstance: 10 }, 'maxConnsPerInstance: only applies with instances: {min, max}'],
    [{ instances: { min: 1, max: 2 }, port: false }, 'instances: autoscaling ({min, max}) needs a port: apictl measures the load on it'],
  ])('%j → %s', (service, issue) => {
    expect(one(service)).toEqual({ ok: false, issues: [issue] });
  });
});
