export interface UnitOptions {
  /** Who the daemon runs as; null for a user unit (systemd --user runs it as its owner). */
  user: string | null;
  home: string;
  apictlHome: string;
  /** Absolute path of bin/apictl (the keeper, bin/apictl-keeper, sits beside it). */
  apictlBin: string;
  /** PATH at install time: node and bash are found through it when the unit starts, not frozen in. */
  path: string;
  scope: 'system' | 'user';
}

/**
 * Pure: a systemd unit that runs apictl's keeper in the foreground, which
 * runs the daemon (logging to the journal too) and restarts it at once if it
 * dies; the first daemon also starts what dump.json lists. node is resolved
 * through PATH at each start (`/usr/bin/env`), so a Node upgrade in place does
 * not break boot. KillMode=process: when the keeper itself is restarted,
 * systemd leaves the services (and a running daemon) alone, and the next
 * daemon adopts them; `systemctl stop` runs `apictl kill` first, which stops
 * every service gracefully. Restart=on-failure restarts a keeper that died.
 */
export function renderUnit(options: UnitOptions): string {
  const quote = (value: string) => (/[\s"\\]/.test(value) ? `"${value.replace(/["\\]/g, '\\$&')}"` : value);
  const keeper = options.apictlBin.replace(/apictl$/, 'apictl-keeper');
  const lines = [
    '# Written by `apictl startup`; remove with `apictl unstartup`.',
    '[Unit]',
    `Description=apictl API supervisor (${options.apictlHome})`,
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    ...(options.user ? [`User=${options.user}`] : []),
    `WorkingDirectory=${quote(options.home)}`,
    `Environment=${quote(`APICTL_HOME=${options.apictlHome}`)}`,
    `Environment=${quote(`APICTL_KEEPER_HOME=${options.apictlHome}`)}`,
    `Environment=${quote(`PATH=${options.path}`)}`,
    `ExecStart=/usr/bin/env bash ${quote(keeper)} --resurrect --foreground`,
    `ExecStop=/usr/bin/env node ${quote(options.apictlBin)} kill`,
    'Restart=on-failure',
    'RestartSec=1',
    'KillMode=process',
    'TimeoutStopSec=90',
    '',
    '[Install]',
    `WantedBy=${options.scope === 'user' ? 'default.target' : 'multi-user.target'}`,
    '',
  ];
  return lines.join('\n');
}

/** Pure: the unit's file name; one per user so several users can each have theirs. */
export function unitName(scope: 'system' | 'user', user: string): string {
  return scope === 'user' ? 'apictl.service' : `apictl-${user.replace(/[^A-Za-z0-9_.-]/g, '_')}.service`;
}
