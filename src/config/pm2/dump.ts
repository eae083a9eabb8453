import { DUMP_STATE_KEYS } from './notes.js';
import { isObject } from './map.js';

// ~/.pm2/dump.pm2: a JSON array of pm2's process records. Each carries its
// configuration under runtime names (pm_exec_path, pm_cwd), its runtime
// state, and the whole environment of the shell pm2 was started from, both
// in `env` and copied to the top level. Pure: the current shell is passed in.

const PM2_OWN_ENV = /^(PM2_|pm_|NODE_APP_INSTANCE$|unique_id$|name$|instances$|exec_mode$|pmx$)/;

/** A dump record → an ecosystem app; variables pm2 captured from a shell like yours are left out, by name. */
export function appFromDumpRecord(record: Record<string, unknown>, shellEnv: NodeJS.ProcessEnv, warn: (message: string) => void): Record<string, unknown> {
  const env = isObject(record.env) ? record.env : {};
  const app: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    // pm2 copies env to the top level of the record: those are not fields.
    if (DUMP_STATE_KEYS.has(key) || (key in env && key !== 'env')) continue;
    if (key === 'pm_exec_path') app.script = value;
    else if (key === 'pm_cwd') app.cwd = value;
    else if (key !== 'env') app[key] = value;
  }
  const kept: Record<string, unknown> = {};
  const inherited: string[] = [];
  for (const [key, value] of Object.entries(env)) {
    if (PM2_OWN_ENV.test(key) || isObject(value)) continue;
    if (shellEnv[key] === String(value)) inherited.push(key);
    else kept[key] = value;
  }
  if (inherited.length > 0) {
    const names = inherited.slice(0, 8).join(', ') + (inherited.length > 8 ? `, … (${inherited.length} in all)` : '');
    warn(`env: left out variables pm2 captured from its shell that equal yours now: ${names}`);
  }
  if (Object.keys(kept).length > 0) app.env = kept;
  return app;
}

export function appsFromDump(records: unknown[], shellEnv: NodeJS.ProcessEnv): { apps: Record<string, unknown>[]; warnings: string[] } {
  const warnings: string[] = [];
  const apps = records.filter(isObject).map((record, index) =>
    appFromDumpRecord(record, shellEnv, (message) => warnings.push(`apps[${index}]${typeof record.name === 'string' ? ` (${record.name})` : ''}: ${message}`)),
  );
  return { apps, warnings };
}
