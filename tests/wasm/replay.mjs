// Replays the calls js_vs_native.py draws through generated JavaScript
// bindings, in Node (js_replay.mjs) or in a browser (examples/web, ?cases=):
// the same code on both, so the page's results compare with native ones too.
// importBindings(file) returns the bindings module of one .proto.

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

/** Each case's result, as js_vs_native.py writes the native ones. */
export async function replay(cases, rt, module, importBindings) {
  const services = new Map();
  const out = [];
  for (const c of cases) {
    const key = `${c.file}:${c.service}`;
    if (!services.has(key)) services.set(key, new (await importBindings(c.file))[c.service](module));
    const svc = services.get(key);
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
  return out;
}
