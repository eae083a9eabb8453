import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDrafts } from '../../src/config/load.js';
import { readServicesFile } from '../../src/config/read-services-file.js';
import { isServicesFileName } from '../../src/config/services-file-name.js';
import type { FileProbe } from '../../src/config/validate.js';

const folder = mkdtempSync(join(tmpdir(), 'apictl-unit-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
};
const probe: FileProbe = { isFile: (path) => path.endsWith('/app.js'), which: () => null };

async function issuesOf(name: string, text: string): Promise<string[]> {
  const read = await readServicesFile(write(name, text));
  try {
    loadDrafts({ cwd: folder, file: read.payload }, probe);
    return [];
  } catch (error) {
    return (error as { details: { issues: string[] } }).details.issues;
  }
}

describe('services file errors name the line', () => {
  it('YAML syntax errors', async () => {
    await expect(readServicesFile(write('bad.yaml', 'services:\n  - script: app.js\n   port: 1\n'))).rejects.toThrow(/^.*bad\.yaml: not valid YAML: line 3, column \d+: /);
  });

  it('JSON syntax errors', async () => {
    await expect(readServicesFile(write('bad.json', '{\n  "services": [\n    { "script": "app.js", }\n  ]\n}\n'))).rejects.toThrow(
      /bad\.json: not valid JSON: line 3, column \d+: /,
    );
  });

  it('schema problems in YAML, each with the line of its value', async () => {
    const yaml = ['services:', '  - name: ok', '    script: app.js', '  - script: app.js', '    port: 70000', '    colour: red', '    health:', '      path: /h', '      interval: 5', ''].join('\n');
    expect(await issuesOf('services.yaml', yaml)).toEqual([
      'line 5: services[1].port: must be 1..65535 (or false for a service without a port), got 70000',
      'line 9: services[1].health.interval: must be a duration of at least 100 ms, like "10s", got 5',
      'line 6: services[1]: unknown field "colour"',
    ]);
  });

  it('schema problems in JSON, with lines too', async () => {
    const json = '{\n  "services": [\n    {\n      "script": "app.js",\n      "restart": "sometimes"\n    }\n  ]\n}\n';
    expect(await issuesOf('services.json', json)).toEqual(['line 5: services[0].restart: must be "always", "on-failure" or "never", got "sometimes"']);
  });
});

describe('what counts as a services file', () => {
  it.each([
    ['services.json', true], ['services.YAML', true], ['s.yml', true], ['ecosystem.config.js', true], ['ecosystem.config.cjs', true],
    ['pm2.config.mjs', true], ['/root/.pm2/dump.pm2', true], ['app.js', false], ['server.mjs', false], ['api.py', false],
  ])('%s → %s', (name, expected) => {
    expect(isServicesFileName(name)).toBe(expected);
  });

  it('refuses a JSON or YAML file without services or apps', async () => {
    await expect(readServicesFile(write('package.json', '{"name": "x"}'))).rejects.toMatchObject({ code: 'APICTL_NOT_A_SERVICES_FILE' });
    await expect(readServicesFile(write('list.yaml', '- a\n- b\n'))).rejects.toThrow('list.yaml is not a services file: it has neither "services" (apictl) nor "apps" (pm2)');
  });

  it('reads an ecosystem file that exports a function, and JSON with apps', async () => {
    const js = write('fn.config.cjs', "module.exports = () => ({ apps: [{ name: 'a', script: 'app.js', merge_logs: true }] });");
    expect(await readServicesFile(js)).toMatchObject({ format: 'pm2', payload: { raw: { services: [{ name: 'a', script: 'app.js' }] } }, warnings: [expect.stringMatching(/merge_logs/)] });
    const json = write('pm2.json', '{"apps": [{"script": "app.js", "env": {"PORT": 3000}}]}');
    expect(await readServicesFile(json)).toMatchObject({ payload: { raw: { services: [{ script: 'app.js', port: 3000 }] } }, warnings: [] });
    await expect(readServicesFile(write('other.config.js', 'export default { plugins: [] };'))).rejects.toMatchObject({ code: 'APICTL_NOT_A_SERVICES_FILE' });
  });
});
