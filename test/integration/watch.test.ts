import { afterAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, Harness } from '../helpers/harness.js';

const harness = new Harness(21900);
afterAll(() => harness.cleanup());

describe('watch', () => {
  it('restarts the service when a watched file changes, not when an ignored one does', async () => {
    const app = join(harness.work, 'app');
    mkdirSync(join(app, 'tmp'), { recursive: true });
    copyFileSync(join(FIXTURES, 'echo-server.js'), join(app, 'server.js'));
    await harness.ok(['start', join(app, 'server.js'), '--name', 'watched', '--cwd', app, '--watch', '--ignore', 'tmp/**']);
    const before = await harness.service('watched');
    // The ignored change comes last: were it not ignored, it would be the reason given.
    writeFileSync(join(app, 'config.json'), '{"changed": true}');
    writeFileSync(join(app, 'tmp', 'scratch.txt'), 'ignored change');
    const after = await harness.waitFor('a restart after the change', async () => harness.service('watched'), (service) =>
      service.status === 'online' && service.instances[0]!.pid !== before.instances[0]!.pid,
    );
    expect(after.restarts).toBe(1);
    expect(after.reason).toBe(`file changed: ${join(app, 'config.json')}`);
  });
});
