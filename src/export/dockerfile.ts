import { baseImageOf, imageHasInterpreter, interpreterArgv, RUNTIME_IMAGES } from './runtime.js';
import type { ExportFile, ExportService } from './types.js';
import { toSeconds } from './units.js';

// One Dockerfile per service, shared by the compose and k8s exports: the base
// image and dependency step come from the runtime, the CMD from the service.

export const dockerfileName = (service: ExportService) => `Dockerfile.${service.name}`;

/** `{port}` in args becomes the port, as apictl does at each start. */
export function argsWithPort(args: string[], port: number | string | null): string[] {
  return port === null ? args : args.map((arg) => arg.replaceAll('{port}', String(port)));
}

/** argv inside the image, relative to WORKDIR /app. */
export function imageCommand(service: ExportService): string[] {
  const script = service.interpreter === 'none' ? `./${service.scriptInCwd}` : service.scriptInCwd;
  return [...interpreterArgv(service.runtime, service.interpreter, service.interpreterArgs, 'image'), script, ...argsWithPort(service.args, service.port)];
}

/** argv that exits 0 when the service's health path answers 2xx, run inside its container. */
export function healthProbe(service: ExportService): string[] | null {
  if (!service.health || service.port === null) return null;
  const url = `http://127.0.0.1:${service.port}${service.health.path}`;
  return RUNTIME_IMAGES[service.runtime].probe(url, toSeconds(service.health.timeoutMs));
}

export function renderDockerfile(service: ExportService): ExportFile {
  const image = RUNTIME_IMAGES[service.runtime];
  const needsCurl = service.runtime === 'other' && healthProbe(service) !== null;
  const lines = [
    `# Written by \`apictl export\` for "${service.name}". Build context: the service's folder.`,
    '# Inside a container the service must listen on 0.0.0.0, not 127.0.0.1, to be reached from outside it.',
    `FROM ${baseImageOf(service.runtime, service.interpreter)}`,
    ...(needsCurl ? ['RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates && rm -rf /var/lib/apt/lists/*'] : []),
    'WORKDIR /app',
    'COPY . .',
    ...image.setup,
    ...(service.port === null ? [] : [`ENV PORT=${service.port}`, `EXPOSE ${service.port}`]),
    `STOPSIGNAL ${service.stopSignal}`,
    ...image.beforeCmd,
    `CMD ${JSON.stringify(imageCommand(service))}`,
    '',
  ];
  return { path: dockerfileName(service), content: lines.join('\n') };
}

/** What an image cannot hold as the services file says: a script outside the build context, an interpreter the base lacks. */
export function checkImage(service: ExportService): string[] {
  const warnings: string[] = [];
  if (service.scriptInCwd.startsWith('../')) {
    warnings.push(`${service.name}: script: ${service.script} is outside cwd (${service.cwd}), the build context: the image will not have it; set cwd to a folder that holds it`);
  }
  if (service.runtime === 'other' && !imageHasInterpreter(service.interpreter)) {
    warnings.push(`${service.name}: interpreter: ${baseImageOf(service.runtime, service.interpreter)} has no ${service.interpreter}: install it in ${dockerfileName(service)}`);
  }
  return warnings;
}
