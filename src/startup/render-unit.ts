export interface UnitOptions {
  /** Who the daemon runs as; null for a user unit (systemd --user runs it as its owner). */
  user: string | null;
  home: string;
  apictlHome: string;
  /** Absolute path of bin/apictl. */
  apictlBin: string;
  /** PATH at install time: node is found through it when the unit starts, not frozen in. */
  path: string;
  scope: 'system' | 'user';
}

/**
 * Pure: a systemd unit that runs `apictl daemon --resurrect` in the
 * foreground. Type=simple (no forking, no pid file). node is resolved through
 * PATH at each start (`/usr/bin/env node`), so a Node upgrade in place does not
 * break boot. KillMode=mixed: on stop systemd signals only the daemon, which
 * stops every service gracefully itself; SIGKILL to the rest comes only after
 * TimeoutStopSec.
 */
export function renderUnit(options: UnitOptions): string {
  const quote = (value: string) => (/[\s"\\]/.test(value) ? `"${value.replace(/["\\]/g, '\\$&')}"` : value);
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
    `Environment=${quote(`PATH=${options.path}`)}`,
    `ExecStart=/usr/bin/env node ${quote(options.apictlBin)} daemon --resurrect`,
    `ExecStop=/usr/bin/env node ${quote(options.apictlBin)} kill`,
    'Restart=on-failure',
    'RestartSec=2',
    'KillMode=mixed',
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
