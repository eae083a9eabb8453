import { argsWithPort } from './dockerfile.js';
import { collectFieldWarnings } from './field-table.js';
import { autoscaleOf, isFronted, layInstances, replicasOf } from './instance-layout.js';
import { interpreterArgv } from './runtime.js';
import { isSecretName, warnSecretsInClear } from './secrets.js';
import type { ExportInput, ExportOutput, ExportService } from './types.js';
import { formatDuration, formatSize, toSeconds } from './units.js';

// apictl counts a crash loop as crashes each within 30 s of starting.
const CRASH_WINDOW_S = 30;

/** A value in a unit file: `%` is a specifier, `$` a variable in ExecStart; quoted when it has spaces or quotes. */
function quote(value: string, exec: boolean): string {
  let escaped = value.replace(/%/g, '%%');
  if (exec) escaped = escaped.replace(/\$/g, '$$$$');
  return /[\s"'\\;]/.test(escaped) || escaped === '' ? `"${escaped.replace(/["\\]/g, '\\$&')}"` : escaped;
}

/** The program: absolute as given, else through /usr/bin/env so the unit finds it on PATH at each start. */
function execArgv(service: ExportService, port: string | null): string[] {
  const program = interpreterArgv(service.runtime, service.interpreter, service.interpreterArgs, 'host');
  const argv = [...program, service.script, ...argsWithPort(service.args, port)];
  return argv[0]!.startsWith('/') ? argv : ['/usr/bin/env', ...argv];
}

// Stands for the template's `%i` until the values around it are escaped.
const INSTANCE = '\u0000instance\u0000';
const withInstance = (line: string) => line.replaceAll(INSTANCE, '%i');

function unitOf(service: ExportService, template: boolean, ports: number[]): string {
  const port = service.port === null ? null : template ? INSTANCE : String(service.port);
  const env: Record<string, string> = {
    ...service.env,
    ...(port === null ? {} : { PORT: port }),
    APICTL_NAME: service.name,
    ...(template ? {} : { APICTL_INSTANCE: '0' }),
  };
  const restart = service.restart === 'never' ? 'no' : service.restart;
  const lines = [
    `# Written by \`apictl export systemd\` for "${service.name}".`,
    ...(template ? instanceComment(service, ports) : []),
    '[Unit]',
    `Description=${service.name}${template ? ' instance on port %i' : ''} (exported from apictl)`,
    'After=network.target',
    `StartLimitIntervalSec=${service.maxRestarts * CRASH_WINDOW_S}`,
    `StartLimitBurst=${service.maxRestarts}`,
    '',
    '[Service]',
    'Type=simple',
    `WorkingDirectory=${quote(service.cwd, false)}`,
    ...(service.envFile ? [`EnvironmentFile=${quote(service.envFile.path, false)}`] : []),
    ...Object.entries(env).map(([key, value]) => withInstance(`Environment=${quote(`${key}=${value}`, false)}`)),
    ...(service.runtime === 'typescript' ? [`# TypeScript: --import tsx needs tsx in ${service.cwd}/node_modules (npm install tsx)`] : []),
    withInstance(`ExecStart=${execArgv(service, port).map((arg) => quote(arg, true)).join(' ')}`),
    `Restart=${restart}`,
    `RestartSec=${formatDuration(service.restartDelayMs)}`,
    // The whole control group gets the signal, as apictl signals the process group.
    'KillMode=control-group',
    `KillSignal=${service.stopSignal}`,
    `TimeoutStopSec=${toSeconds(service.killTimeoutMs + (service.drainTimeoutMs ?? 0))}`,
    ...(service.maxMemoryBytes === undefined ? [] : [`MemoryMax=${formatSize(service.maxMemoryBytes, 'systemd')}`]),
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ];
  return lines.join('\n');
}

function instanceComment(service: ExportService, ports: number[]): string[] {
  const enabled = ports.slice(0, replicasOf(service)).map((port) => `${service.name}@${port}`);
  const lines = [`# One unit per instance, named by its port: systemctl enable --now ${enabled.join(' ')}`];
  if (autoscaleOf(service) && ports.length > enabled.length) lines.push(`# Ports up to ${ports.at(-1)} are laid out for max instances (the front lists them all).`);
  return lines;
}

const unitName = (service: ExportService) => (isFronted(service) ? `${service.name}@.service` : `${service.name}.service`);

/** Pure: one unit per service; a template `name@.service` for a fronted one, its instances named by their ports. */
export function renderSystemd(input: ExportInput): ExportOutput {
  const layout = layInstances(input);
  const files = input.services.map((service) => ({ path: unitName(service), content: unitOf(service, isFronted(service), layout.get(service.name) ?? []) }));
  const warnings = [
    ...collectFieldWarnings(input, 'systemd'),
    ...input.services.flatMap((service) =>
      warnSecretsInClear(service.name, Object.keys(service.env).filter(isSecretName), unitName(service), 'any user can read it with `systemctl show`: move it to an EnvironmentFile= only root can read'),
    ),
  ];
  return { files, warnings };
}
