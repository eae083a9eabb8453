import type { ExportService } from './types.js';

/**
 * Pure: the environment a service's process gets, as apictl builds it: the
 * envFile's values (when the target copies them), then `env`, then what apictl
 * promises every child (PORT, APICTL_NAME, APICTL_INSTANCE when one instance
 * has a known index), which no user value can override.
 */
export function serviceEnv(service: ExportService, instanceIndex: number | null, options: { withFile: boolean }): Record<string, string> {
  return {
    ...(options.withFile ? (service.envFile?.values ?? {}) : {}),
    ...service.env,
    ...(service.port === null ? {} : { PORT: String(service.port) }),
    APICTL_NAME: service.name,
    ...(instanceIndex === null ? {} : { APICTL_INSTANCE: String(instanceIndex) }),
  };
}
