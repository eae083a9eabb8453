// A plain JavaScript API.
const http = require('node:http');

const port = Number(process.env.PORT);
http
  .createServer((req, res) => {
    if (req.url === '/health') return res.writeHead(200).end('ok\n');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ hello: 'from JavaScript', pid: process.pid }) + '\n');
  })
  .listen(port, '127.0.0.1', () => console.log(`hello.js listening on port ${port}`));
