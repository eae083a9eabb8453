import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import type { ExportFile } from '../../src/export/types.js';

// The targets' own tools, run on exported files. Each returns what the tool
// said, so a failure shows it.

export interface ToolResult {
  code: number | null;
  output: string;
}

export function runTool(command: string, args: string[], cwd?: string): ToolResult {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}` };
}

export function writeAll(dir: string, files: ExportFile[]): void {
  mkdirSync(dir, { recursive: true });
  for (const file of files) writeFileSync(join(dir, file.path), file.content);
}

/** An nginx.conf around the exported http {} include, with every path in `dir`, so nginx needs no root paths. */
export function nginxWrapper(dir: string, include: string): string {
  const path = join(dir, 'nginx.conf');
  writeFileSync(path, [
    `pid ${join(dir, 'nginx.pid')};`,
    `error_log ${join(dir, 'error.log')};`,
    'worker_processes 1;',
    'events {}',
    'http {',
    '    access_log off;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `    ${kind}_temp_path ${join(dir, `${kind}-temp`)};`),
    `    include ${include};`,
    '}',
    '',
  ].join('\n'));
  return path;
}

export const nginxArgs = (dir: string, conf: string) => ['-p', dir, '-e', join(dir, 'error.log'), '-c', conf];

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap, 'v1/Secret': Secret, 'v1/Service': Service, 'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler, 'networking.k8s.io/v1/Ingress': Ingress,
};

/** Every object of every document checked against the Kubernetes schemas; returns "apiVersion/kind name" of each. */
export function validateManifests(texts: string[]): string[] {
  const seen: string[] = [];
  for (const text of texts) {
    for (const document of parseAllDocuments(text)) {
      if (document.errors.length > 0) throw new Error(`bad YAML: ${document.errors.join('; ')}`);
      const object = document.toJS() as { apiVersion: string; kind: string; metadata: { name: string } };
      const Model = MODELS[`${object.apiVersion}/${object.kind}`];
      if (!Model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
      new Model(object as never).validate();
      seen.push(`${object.apiVersion}/${object.kind} ${object.metadata.name}`);
    }
  }
  return seen;
}

/** A server that answers "<name> <path it received>", to see where a proxy sent a request. */
export function startEchoBackend(name: string, port: number): ChildProcess {
  const code = `require('http').createServer((q, s) => s.end(${JSON.stringify(name)} + ' ' + q.url)).listen(${port}, '127.0.0.1')`;
  return spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
}

/** A server that answers 200 after `ms`, to fill a proxy's queue. */
export function startSlowBackend(port: number, ms: number): ChildProcess {
  const code = `require('http').createServer((q, s) => setTimeout(() => s.end('done'), ${ms})).listen(${port}, '127.0.0.1')`;
  return spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
}

/** Starts a proxy in its own process group (nginx forks workers), so stopping it stops them all. */
export function startProxy(command: string, args: string[]): ChildProcess {
  return spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
}

/** A config file for `haproxy -f … -f <it>` that opens HAProxy's stats socket at `socket` (read-only). */
export function haproxyStatsConfig(socket: string): string {
  return `global\n    stats socket ${socket} mode 600 level user\n`;
}

/**
 * The requests HAProxy holds for `backend` now, from its stats socket: those
 * its servers are answering and those waiting in its queues.
 */
export function haproxyHeld(socket: string, backend: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = '';
    const client = connect(socket, () => client.end('show stat\n'));
    client.setEncoding('utf8');
    client.on('data', (chunk: string) => (text += chunk));
    client.on('error', reject);
    client.on('end', () => {
      const [header, ...rows] = text.trim().split('\n');
      const fields = (header ?? '').replace(/^# /, '').split(',');
      const [name, server, queued, current] = ['pxname', 'svname', 'qcur', 'scur'].map((field) => fields.indexOf(field));
      let held = 0;
      for (const row of rows.map((line) => line.split(','))) {
        if (row[name!] !== backend || row[server!] === 'FRONTEND') continue;
        // BACKEND: queued with no server chosen yet; a server: its running and its own queue.
        held += Number(row[queued!] || 0) + (row[server!] === 'BACKEND' ? 0 : Number(row[current!] || 0));
      }
      resolve(held);
    });
  });
}

/** SIGTERM, then SIGKILL after 10 s; resolves when it has exited. */
export async function stopProcess(child: ChildProcess, group = false): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const target = group ? -child.pid! : child.pid!;
  process.kill(target, 'SIGTERM');
  const deadline = setTimeout(() => process.kill(target, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(deadline);
}
