import { warnPortlessRoutes } from './front-plan.js';
import { k8sLabels, toKubernetesName } from './k8s-names.js';
import { orderRoutes } from './route-rules.js';
import type { ExportInput, ExportService } from './types.js';
import { toSeconds } from './units.js';

const ANNOTATION = 'nginx.ingress.kubernetes.io';

/** ingress-nginx annotations for one service: cookie affinity (sticky), proxy timeouts. */
function annotationsOf(service: ExportService): Record<string, string> {
  const annotations: Record<string, string> = {};
  if (service.traffic.sticky) {
    annotations[`${ANNOTATION}/affinity`] = 'cookie';
    annotations[`${ANNOTATION}/affinity-mode`] = 'persistent';
    annotations[`${ANNOTATION}/session-cookie-name`] = 'apictl_instance';
  }
  if (service.traffic.connectTimeoutMs !== undefined) annotations[`${ANNOTATION}/proxy-connect-timeout`] = String(toSeconds(service.traffic.connectTimeoutMs));
  if (service.traffic.upstreamTimeoutMs !== undefined) annotations[`${ANNOTATION}/proxy-read-timeout`] = String(toSeconds(service.traffic.upstreamTimeoutMs));
  return annotations;
}

/**
 * Pure: one Ingress per routes table and service (annotations such as cookie
 * affinity apply to a whole Ingress, so a sticky service gets its own; the
 * ingress controller merges them into one host). Prefix paths match as
 * apictl's router does: "/api" is "/api" and "/api/…", the longest wins.
 */
export function renderK8sIngresses(input: ExportInput): { manifests: Record<string, unknown>[]; warnings: string[] } {
  const warnings = warnPortlessRoutes(input);
  if (input.routes.length > 1) {
    warnings.push(`routes: ${input.routes.length} tables (ports ${input.routes.map((table) => table.port).join(', ')}) share the ingress controller's one port: give each Ingress a host to keep them apart`);
  }
  const byName = new Map(input.services.map((service) => [service.name, service]));
  const manifests: Record<string, unknown>[] = [];
  for (const table of input.routes) {
    const rules = orderRoutes(table);
    for (const target of [...new Set(rules.map((rule) => rule.service))].sort()) {
      const service = byName.get(target);
      if (!service || service.port === null) continue; // warnPortlessRoutes says so
      const name = toKubernetesName(target);
      const annotations = annotationsOf(service);
      const paths = rules
        .filter((rule) => rule.service === target)
        .map((rule) => ({ path: rule.base, pathType: 'Prefix', backend: { service: { name, port: { number: service.port } } } }));
      manifests.push({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: `routes-${table.port}-${name}`, labels: k8sLabels(name), ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
        spec: { ingressClassName: 'nginx', rules: [{ http: { paths } }] },
      });
    }
  }
  return { manifests, warnings };
}
