// Replays the calls js_vs_native.py drew (JSON on stdin) through the generated
// JavaScript bindings in BINDINGS_DIR over MODULE.wasm, and prints each
// result in the same JSON form as the native side.
// usage: node js_replay.mjs BINDINGS_DIR MODULE.wasm < cases.json
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dir, modulePath] = process.argv.slice(2);
const cases = JSON.parse(readFileSync(0, 'utf8'));
const rt = await import(pathToFileURL(join(dir, 'calcgen_runtime.mjs')));
const module = await rt.instantiate(modulePath);
const services = new Map();
async function service(file, name) {
  const key = `${file}:${name}`;
  if (!services.has(key)) {
    const bindings = await import(pathToFileURL(join(dir, file)));
    services.set(key, new bindings[name](module));
  }
  return services.get(key);
}

const FLOAT = { f64: [8, 'Float64'], f32: [4, 'Float32'] };
function dec(elem, s) {
  if (FLOAT[elem]) {
    const [n, kind] = FLOAT[elem];
    const dv = new DataView(new ArrayBuffer(n));
    for (let i = 0; i < n; i++) dv.setUint8(i, parseInt(s.slice(2 * i, 2 * i + 2), 16));
    return dv[`get${kind}`](0, true);
  }
  return elem === 'i64' || elem === 'u64' ? BigInt(s) : Number(s);
}
function enc(elem, v) {
  if (FLOAT[elem]) {
    const [n, kind] = FLOAT[elem];
    const dv = new DataView(new ArrayBuffer(n));
    dv[`set${kind}`](0, v, true);
    return Array.from(new Uint8Array(dv.buffer), (b) => b.toString(16).padStart(2, '0')).join('');
  }
  return String(v);
}
const hex = (u8) => Array.from(u8, (b) => b.toString(16).padStart(2, '0')).join('');
const bytes = (s) => Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));

const out = [];
for (const c of cases) {
  const svc = await service(c.file, c.service);
  try {
    if (c.kind === 'scalar') {
      out.push({ value: enc(c.elem, svc[c.js](dec(c.elem, c.args[0]), dec(c.elem, c.args[1]))) });
    } else if (c.kind === 'batch') {
      const [a, b] = c.args.map((xs) => rt.ELEMS[c.elem].array.from(xs, (x) => dec(c.elem, x)));
      out.push({ value: Array.from(svc[c.js](a, b), (v) => enc(c.elem, v)) });
    } else {
      out.push({ bytes: hex(svc.module.dispatch('dispatch', svc._dispatch, c.op, bytes(c.bytes))) });
    }
  } catch (e) {
    if (!(e instanceof rt.CalcgenError)) throw e;
    out.push({ status: e.status, index: e.index });
  }
}
process.stdout.write(JSON.stringify(out));
