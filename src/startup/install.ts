import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApictlError } from '../errors.js';
import { resolveHome } from '../state/paths.js';
import { renderUnit, unitName, type UnitOptions } from './render-unit.js';

export interface StartupPlan {
  scope: 'system' | 'user';
  name: string;
  path: string;
  unit: string;
}

export function planStartup(options: { user?: string; scope: 'system' | 'user' }): StartupPlan {
  const current = userInfo();
  const user = options.user ?? current.username;
  const home = options.user && options.user !== current.username ? homeOf(options.user) : homedir();
  const apictlHome = options.user && options.user !== current.username && !process.env.APICTL_HOME ? join(home, '.apictl') : resolveHome();
  const unitOptions: UnitOptions = {
    user: options.scope === 'system' ? user : null,
    home,
    apictlHome,
    apictlBin: fileURLToPath(new URL('../../bin/apictl', import.meta.url)),
    path: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    scope: options.scope,
  };
  const name = unitName(options.scope, user);
  const folder = options.scope === 'user' ? join(home, '.config/systemd/user') : '/etc/systemd/system';
  return { scope: options.scope, name, path: join(folder, name), unit: renderUnit(unitOptions) };
}

/** Without systemd as init (containers), installing a unit would do nothing: say so. */
export function assertSystemdRunning(): void {
  if (!existsSync('/run/systemd/system')) {
    throw new ApictlError('APICTL_NO_SYSTEMD', 'systemd is not running on this machine (no /run/systemd/system), so a unit would never start', {
      hint: 'run `apictl daemon --resurrect` under your init instead (e.g. a container CMD or supervisord program); `apictl startup --print` still shows the unit',
    });
  }
}

export function installUnit(plan: StartupPlan): string[] {
  assertSystemdRunning();
  mkdirSync(join(plan.path, '..'), { recursive: true });
  writeFileSync(plan.path, plan.unit, { mode: 0o644 });
  const flags = plan.scope === 'user' ? ['--user'] : [];
  systemctl([...flags, 'daemon-reload']);
  systemctl([...flags, 'enable', plan.name]);
  return [`wrote ${plan.path}`, `ran systemctl ${[...flags, 'enable', plan.name].join(' ')}`];
}

export function uninstallUnit(plan: StartupPlan): string[] {
  const done: string[] = [];
  const flags = plan.scope === 'user' ? ['--user'] : [];
  if (existsSync('/run/systemd/system')) {
    try {
      systemctl([...flags, 'disable', plan.name]);
      done.push(`ran systemctl ${[...flags, 'disable', plan.name].join(' ')}`);
    } catch {
      // not enabled: nothing to disable
    }
  }
  if (existsSync(plan.path)) {
    rmSync(plan.path);
    done.push(`removed ${plan.path}`);
    if (existsSync('/run/systemd/system')) systemctl([...flags, 'daemon-reload']);
  }
  return done;
}

function systemctl(args: string[]): void {
  try {
    execFileSync('systemctl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
    throw new ApictlError('APICTL_SYSTEMCTL', `systemctl ${args.join(' ')} failed${stderr ? `: ${stderr}` : ''}`, {
      hint: 'installing a system unit needs root (sudo apictl startup --user NAME), or use --user for a user unit',
    });
  }
}

function homeOf(user: string): string {
  try {
    const line = execFileSync('getent', ['passwd', user], { encoding: 'utf8' }).trim();
    const home = line.split(':')[5];
    if (home) return home;
  } catch {
    // fall through
  }
  throw new ApictlError('APICTL_USAGE', `--user ${user}: no such user on this machine`);
}
