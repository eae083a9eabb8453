import { userInfo } from 'node:os';
import { installUnit, planStartup, uninstallUnit } from '../../startup/install.js';

interface StartupOptions {
  print?: boolean;
  install?: boolean;
  /** true: a user unit (systemd --user); a name: a system unit that runs as that user. */
  user?: string | true;
}

function plan(options: StartupOptions) {
  return options.user === true ? planStartup({ scope: 'user' }) : planStartup({ scope: 'system', user: options.user });
}

export async function run(options: StartupOptions): Promise<void> {
  const startup = plan(options);
  if (options.print) {
    process.stdout.write(startup.unit);
    return;
  }
  const done = installUnit(startup);
  const flags = startup.scope === 'user' ? '--user ' : '';
  const lines = [
    ...done,
    `the daemon now starts at boot and brings back what \`apictl save\` wrote (${startup.name})`,
    `to hand this session's daemon over to systemd now: apictl save && apictl kill && systemctl ${flags}start ${startup.name}`,
  ];
  if (startup.scope === 'user') lines.push(`user units start at boot only with lingering: loginctl enable-linger ${userInfo().username}`);
  lines.push(`undo: apictl unstartup${options.user === true ? ' --user' : options.user ? ` --user ${options.user}` : ''}`);
  process.stdout.write(lines.join('\n') + '\n');
}

export async function runUninstall(options: StartupOptions): Promise<void> {
  const done = uninstallUnit(plan(options));
  process.stdout.write(done.length > 0 ? done.join('\n') + '\n' : 'no apictl unit was installed\n');
}
