import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { renderPrometheus, type ScrapeSource } from './prometheus.js';

export const DEFAULT_METRICS_HOST = '127.0.0.1';


/** Pure: the metrics port from the daemon's environment (APICTL_METRICS_PORT), or null when unset. */
export function metricsPortFrom(env: NodeJS.ProcessEnv): number | null {
  const text = env.APICTL_METRICS_PORT;
  if (text === undefined || text === '') return null;
  const port = Number(text);
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? port : null;
}

/**
 * With APICTL_METRICS_PORT set, serves GET /metrics (Prometheus text) on
 * 127.0.0.1 unless told otherwise (APICTL_METRICS_HOST). Never keeps the
 * daemon alive on its own (unref). prom-client loads on the first scrape.
 */
export async function serveMetricsIfAsked(env: NodeJS.ProcessEnv, source: ScrapeSource, logger: Logger): Promise<Server | null> {
  const port = metricsPortFrom(env);
  if (port === null) {
    if (env.APICTL_METRICS_PORT) logger.error({ value: env.APICTL_METRICS_PORT }, 'APICTL_METRICS_PORT must be 1..65535: metrics not served');
    return null;
  }
  const host = env.APICTL_METRICS_HOST || DEFAULT_METRICS_HOST;
  // node:http only when a metrics port is asked for.
  const { createServer } = await import('node:http');
  const render = () => renderPrometheus(source);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { allow: 'GET, HEAD' }).end();
    if (path !== '/metrics') return void res.writeHead(404, { 'content-type': 'text/plain' }).end('see /metrics\n');
    render().then(
      ({ contentType, text }) => res.writeHead(200, { 'content-type': contentType }).end(req.method === 'HEAD' ? undefined : text),
      (error: Error) => {
        logger.error({ err: error }, 'metrics: cannot render');
        res.writeHead(500, { 'content-type': 'text/plain' }).end('cannot render metrics\n');
      },
    );
  });
  server.on('error', (error) => logger.error({ err: error, port, host }, 'metrics: cannot listen'));
  server.listen({ port, host }, () => logger.info({ port, host }, 'metrics served at /metrics'));
  server.unref();
  return server;
}
