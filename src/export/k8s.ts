import { toYaml } from './yaml-text.js';
import { checkImage, dockerfileName, renderDockerfile } from './dockerfile.js';
import { collectFieldWarnings } from './field-table.js';
import { pathInside } from './from-definitions.js';
import { autoscaleOf, replicasOf } from './instance-layout.js';
import { k8sLabels, toKubernetesName } from './k8s-names.js';
import { renderK8sIngresses } from './k8s-ingress.js';
import { splitSecrets } from './secrets.js';
import { serviceEnv } from './service-env.js';
import type { ExportFile, ExportHealth, ExportInput, ExportOutput, ExportService } from './types.js';
import { formatSize, toSeconds } from './units.js';

export const MANIFEST_FILE = 'k8s.yaml';
export const SECRETS_FILE = 'k8s-secrets.yaml';
/** The CPU request an autoscaled pod gets, so the HPA has something to measure utilisation against. */
const AUTOSCALE_CPU_REQUEST = '250m';

type Manifest = Record<string, unknown>;

function probe(health: ExportHealth): Manifest {
  return {
    httpGet: { path: health.path, port: 'http' },
    periodSeconds: toSeconds(health.intervalMs),
    timeoutSeconds: toSeconds(health.timeoutMs),
    failureThreshold: health.failures,
  };
}

function container(service: ExportService, name: string, hasSecret: boolean): Manifest {
  const entry: Manifest = { name, image: name, imagePullPolicy: 'IfNotPresent' };
  if (service.port !== null) entry.ports = [{ name: 'http', containerPort: service.port }];
  entry.envFrom = [{ configMapRef: { name: `${name}-env` } }, ...(hasSecret ? [{ secretRef: { name: `${name}-env` } }] : [])];
  const limits: Record<string, string> = {};
  const requests: Record<string, string> = {};
  if (service.maxMemoryBytes !== undefined) limits.memory = requests.memory = formatSize(service.maxMemoryBytes, 'k8s');
  if (autoscaleOf(service)) requests.cpu = AUTOSCALE_CPU_REQUEST;
  if (Object.keys(limits).length + Object.keys(requests).length > 0) {
    entry.resources = { ...(Object.keys(limits).length > 0 ? { limits } : {}), ...(Object.keys(requests).length > 0 ? { requests } : {}) };
  }
  if (service.health && service.port !== null) {
    entry.readinessProbe = probe(service.health);
    entry.livenessProbe = probe(service.health);
  }
  return entry;
}

function deployment(service: ExportService, name: string, hasSecret: boolean): Manifest {
  const labels = k8sLabels(name);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels },
    spec: {
      // An HPA owns the count of an autoscaled service.
      ...(autoscaleOf(service) ? {} : { replicas: replicasOf(service) }),
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          terminationGracePeriodSeconds: toSeconds(service.killTimeoutMs + (service.drainTimeoutMs ?? 0)),
          containers: [container(service, name, hasSecret)],
        },
      },
    },
  };
}

function objectsOf(service: ExportService): { manifests: Manifest[]; secret: Manifest | null; secretNames: string[] } {
  const name = toKubernetesName(service.name);
  const { plain, secret } = splitSecrets(serviceEnv(service, replicasOf(service) === 1 && !autoscaleOf(service) ? 0 : null, { withFile: true }));
  const secretNames = Object.keys(secret);
  const manifests: Manifest[] = [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${name}-env`, labels: k8sLabels(name) }, data: plain },
    deployment(service, name, secretNames.length > 0),
  ];
  if (service.port !== null) {
    manifests.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, labels: k8sLabels(name) },
      spec: {
        selector: k8sLabels(name),
        ports: [{ name: 'http', port: service.port, targetPort: 'http' }],
        ...(service.traffic.sticky ? { sessionAffinity: 'ClientIP' } : {}),
      },
    });
  }
  const autoscale = autoscaleOf(service);
  if (autoscale) {
    manifests.push({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name, labels: k8sLabels(name) },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
        minReplicas: Math.max(1, autoscale.min),
        maxReplicas: Math.max(1, autoscale.max),
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: Math.max(1, Math.round(autoscale.loadFactor * 100)) } } }],
        behavior: { scaleDown: { stabilizationWindowSeconds: Math.min(3600, toSeconds(autoscale.idleTimeoutMs, 0)) } },
      },
    });
  }
  const secretManifest = secretNames.length > 0 ? { apiVersion: 'v1', kind: 'Secret', metadata: { name: `${name}-env`, labels: k8sLabels(name) }, type: 'Opaque', stringData: secret } : null;
  return { manifests, secret: secretManifest, secretNames };
}

const toDocuments = (manifests: Manifest[]) => manifests.map(toYaml).join('---\n');

/** Pure: the manifests (k8s.yaml), the Secrets apart (k8s-secrets.yaml), and the Dockerfiles the images build from. */
export function renderK8s(input: ExportInput): ExportOutput {
  const warnings = collectFieldWarnings(input, 'k8s');
  const manifests: Manifest[] = [];
  const secrets: Manifest[] = [];
  const builds: string[] = [];
  for (const service of input.services) {
    const name = toKubernetesName(service.name);
    if (name !== service.name) warnings.push(`${service.name}: name: not a valid Kubernetes name; the objects are named "${name}"`);
    const objects = objectsOf(service);
    manifests.push(...objects.manifests);
    if (objects.secret) secrets.push(objects.secret);
    for (const key of objects.secretNames) {
      const field = key in service.env ? `env.${key}` : `envFile ${key}`;
      warnings.push(`${service.name}: ${field}: looks secret: it goes to Secret ${name}-env, and ${SECRETS_FILE} now holds its value in clear; keep that file out of version control, or create the Secret yourself`);
    }
    warnings.push(...checkImage(service));
    builds.push(`#   docker build -t ${name} -f ${dockerfileName(service)} ${pathInside(input.outDir, service.cwd)}`);
  }
  const ingresses = renderK8sIngresses(input);
  manifests.push(...ingresses.manifests);
  warnings.push(...ingresses.warnings);
  const apply = secrets.length > 0 ? `kubectl apply -f ${SECRETS_FILE} -f ${MANIFEST_FILE}` : `kubectl apply -f ${MANIFEST_FILE}`;
  const header = ['# Written by `apictl export k8s`. Build the images first (from this folder), push them where the cluster pulls from:', ...builds, `# then: ${apply}`, ''].join('\n');
  const files: ExportFile[] = [{ path: MANIFEST_FILE, content: header + toDocuments(manifests) }];
  if (secrets.length > 0) files.push({ path: SECRETS_FILE, content: `# Written by \`apictl export k8s\`: values in clear; keep this file out of version control.\n${toDocuments(secrets)}`, secret: true });
  files.push(...input.services.map(renderDockerfile));
  return { files, warnings };
}
