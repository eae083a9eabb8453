import { join } from 'node:path';
import { toYaml } from './yaml-text.js';
import { checkImage, dockerfileName, healthProbe, renderDockerfile } from './dockerfile.js';
import { collectFieldWarnings } from './field-table.js';
import { pathInside } from './from-definitions.js';
import { replicasOf } from './instance-layout.js';
import { serviceEnv } from './service-env.js';
import { isSecretName, warnSecretsInClear } from './secrets.js';
import type { ExportInput, ExportOutput, ExportService } from './types.js';
import { formatDuration, formatSize } from './units.js';

const COMPOSE_FILE = 'docker-compose.yml';

function restartOf(service: ExportService): string {
  if (service.restart === 'never') return 'no';
  return service.restart === 'on-failure' ? `on-failure:${service.maxRestarts}` : 'always';
}

function composeService(service: ExportService, outDir: string): Record<string, unknown> {
  const replicas = replicasOf(service);
  const entry: Record<string, unknown> = {
    build: { context: pathInside(outDir, service.cwd), dockerfile: pathInside(service.cwd, join(outDir, dockerfileName(service))) },
    image: service.name.toLowerCase(),
    // An init as PID 1 forwards the stop signal and reaps children, as apictl's process-group stop does.
    init: true,
    environment: serviceEnv(service, replicas === 1 ? 0 : null, { withFile: false }),
  };
  if (service.envFile) entry.env_file = [pathInside(outDir, service.envFile.path)];
  if (service.port !== null) {
    if (replicas === 1) entry.ports = [`${service.port}:${service.port}`];
    else entry.expose = [String(service.port)];
  }
  entry.restart = restartOf(service);
  entry.stop_signal = service.stopSignal;
  entry.stop_grace_period = formatDuration(service.killTimeoutMs + (service.drainTimeoutMs ?? 0));
  const probe = healthProbe(service);
  if (probe && service.health) {
    entry.healthcheck = {
      test: ['CMD', ...probe],
      interval: formatDuration(service.health.intervalMs),
      timeout: formatDuration(service.health.timeoutMs),
      retries: service.health.failures,
    };
  }
  const deploy: Record<string, unknown> = {};
  if (replicas !== 1) deploy.replicas = replicas;
  if (service.maxMemoryBytes !== undefined) {
    const memory = formatSize(service.maxMemoryBytes, 'compose');
    deploy.resources = { limits: { memory }, reservations: { memory } };
  }
  if (Object.keys(deploy).length > 0) entry.deploy = deploy;
  if (service.logMaxBytes !== undefined || service.logKeep !== undefined) {
    const options: Record<string, string> = {};
    if (service.logMaxBytes !== undefined) options['max-size'] = formatSize(service.logMaxBytes, 'compose');
    if (service.logKeep !== undefined) options['max-file'] = String(Math.max(1, service.logKeep));
    entry.logging = { driver: 'json-file', options };
  }
  return entry;
}

/** Pure: docker-compose.yml and one Dockerfile per service. */
export function renderCompose(input: ExportInput): ExportOutput {
  const services = Object.fromEntries(input.services.map((service) => [service.name, composeService(service, input.outDir)]));
  const header = '# Written by `apictl export compose`: docker-compose up --build\n';
  const files = [
    { path: COMPOSE_FILE, content: header + toYaml({ services }) },
    ...input.services.map(renderDockerfile),
  ];
  const warnings = [
    ...collectFieldWarnings(input, 'compose'),
    ...input.services.flatMap(checkImage),
    ...input.services.flatMap((service) =>
      warnSecretsInClear(service.name, Object.keys(service.env).filter(isSecretName), COMPOSE_FILE, 'move it to an env_file kept out of version control'),
    ),
  ];
  return { files, warnings };
}
