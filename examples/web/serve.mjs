// Serves the calculator page: this directory at /, the generated JavaScript
// bindings (generated/) at /bindings/ and the wasm modules of a build
// (BUILD_DIR/examples/calculator) at /wasm/. Prints the URL when listening.
//   node examples/web/serve.mjs [BUILD_DIR] [--port N] [--mount /prefix/=DIR]...
// (a port of 0, the default, takes any free one)
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
let port = 0, build = 'build-wasm';
const mounts = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--port') port = Number(args[++i]);
  else if (args[i] === '--mount') {
    const [prefix, dir] = args[++i].split('=');
    mounts.push([prefix, resolve(dir)]);
  } else build = args[i];
}
mounts.push(['/bindings/', resolve(here, '../../generated')], ['/wasm/', resolve(build, 'examples/calculator')],
            ['/', resolve(here)]);

const TYPES = { '.html': 'text/html; charset=utf-8', '.mjs': 'text/javascript', '.js': 'text/javascript',
                '.wasm': 'application/wasm', '.json': 'application/json', '.css': 'text/css' };

// /hold/KEY answers once /release/KEY is requested: the page (?hold=KEY)
// holds an image on it until its work is done, which delays the load event
// (and keeps a headless browser's virtual time from running out) meanwhile.
const held = new Map();
const PIXEL = Buffer.from('R0lGODlhAQABAAAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');

const server = createServer(async (req, res) => {
  let path;
  try {
    path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  } catch {
    res.writeHead(400, { 'content-type': 'text/plain' });
    res.end('bad request\n');
    return;
  }
  const hold = path.match(/^\/(hold|release)\/(\w+)$/);
  if (hold) {
    const [, what, key] = hold;
    if (what === 'hold') {
      held.get(key)?.(); // a second hold on a key answers the first
      if (held.size >= 64) {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('too many holds\n');
        return;
      }
      const timer = setTimeout(() => held.get(key)?.(), 600000);
      held.set(key, () => {
        clearTimeout(timer);
        held.delete(key);
        res.writeHead(200, { 'content-type': 'image/gif', 'cache-control': 'no-store' });
        res.end(PIXEL);
      });
    } else {
      held.get(key)?.();
      res.writeHead(204);
      res.end();
    }
    return;
  }
  for (const [prefix, dir] of mounts) {
    if (!path.startsWith(prefix)) continue;
    const file = resolve(dir, '.' + sep + path.slice(prefix.length));
    if (file !== dir && !file.startsWith(dir + sep)) break; // outside the mount: 404
    try {
      const served = path.endsWith('/') ? join(file, 'index.html') : file;
      const body = await readFile(served);
      res.writeHead(200, { 'content-type': TYPES[extname(served)] ?? 'application/octet-stream',
                           'cache-control': 'no-store' });
      res.end(body);
      return;
    } catch {
      break;
    }
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end(`not found: ${path}\n`);
});
server.listen(port, '127.0.0.1', () => console.log(`http://127.0.0.1:${server.address().port}/`));
