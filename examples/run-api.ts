// A TypeScript API with type annotations: `apictl start --interpreter node run-api.ts`
// runs it on Node 20 through apictl's bundled tsx loader.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

interface Greeting {
  message: string;
  pid: number;
  port: number;
}

const port: number = Number(process.env.PORT ?? 8101);
const greeting: string = process.env.GREETING ?? 'hello';

function handle(req: IncomingMessage, res: ServerResponse): void {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    return;
  }
  const body: Greeting = { message: `${greeting} from TypeScript`, pid: process.pid, port };
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body) + '\n');
}

const server = createServer(handle);
server.listen(port, '127.0.0.1', () => console.log(`run-api.ts listening on http://127.0.0.1:${port}`));

process.on('SIGTERM', () => {
  console.log('SIGTERM: closing');
  server.close(() => process.exit(0));
});
