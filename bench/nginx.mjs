// nginx round-robin in front of two bare servers: the usual hand-built stack, for comparison.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpOk, isAlive, until } from './lib.mjs';

export function nginxAvailable() {
  return spawnSync('nginx', ['-v'], { stdio: 'ignore' }).status === 0;
}

/** `balance`: "" (round-robin, nginx's default) or "least_conn". */
export async function startNginxPair(server, frontPort, backendPorts, { balance = '' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'apictl-bench-nginx-'));
  const backends = backendPorts.map((port) => spawn(process.execPath, [server], { env: { ...process.env, PORT: String(port) }, stdio: 'ignore' }));
  writeFileSync(join(dir, 'nginx.conf'), `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream pair { ${balance ? `${balance}; ` : ''}${backendPorts.map((port) => `server 127.0.0.1:${port};`).join(' ')} keepalive 32; }
  server { listen 127.0.0.1:${frontPort}; location / { proxy_pass http://pair; proxy_http_version 1.1; proxy_set_header Connection ""; } }
}
`);
  // Its own process group: SIGKILL to the master alone would leave the worker behind.
  const nginx = spawn('nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  // What it says before its error log is open (a chown it may not do in a user namespace, a port taken).
  let said = '';
  nginx.stderr.on('data', (chunk) => (said = `${said}${chunk}`.slice(-500)));
  const stop = async () => {
    if (isAlive(nginx.pid)) process.kill(-nginx.pid, 'SIGKILL');
    for (const child of backends) child.kill('SIGKILL');
    await until('nginx pair to exit', () => [nginx, ...backends].every((child) => !isAlive(child.pid)), 5_000, 10);
    await until('nginx workers to exit', () => spawnSync('pgrep', ['-g', String(nginx.pid)]).status !== 0, 5_000, 10);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until('nginx and its backends to answer', async () => (await httpOk(frontPort)) && (await Promise.all(backendPorts.map((port) => httpOk(port)))).every(Boolean), 20_000, 20);
  } catch (error) {
    // Nothing left running or on disk, and nginx's own reason in the figure's note.
    const logged = existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '';
    const why = `${said}\n${logged}`.trim().split('\n').at(-1)?.replace(/^\S+ \S+ /, '');
    await stop();
    throw new Error(`${error.message}${why ? ` (nginx: ${why})` : ''}`);
  }
  return stop;
}
