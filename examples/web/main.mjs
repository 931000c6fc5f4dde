// The calculator in a browser: loads the WebAssembly module (SIMD where the
// engine has it), calls it through the generated JavaScript bindings and
// checks each result against JavaScript's own arithmetic. With ?cases=URL it
// also replays calls drawn by tests/wasm/js_vs_native.py with the module
// at ?replay= (tests/wasm/replay.mjs; results in
// #replay), with ?tests=URL it runs the C test suites built for wasm, and
// ?module=scalar forces the module without SIMD.
import * as rt from './bindings/calcgen_runtime.mjs';
import { CalcCalculator } from './bindings/calculator_calcgen.mjs';

const params = new URLSearchParams(location.search);
const status = document.getElementById('status');
// ?hold=KEY (with serve.mjs): the page's load event waits for the results.
if (params.has('hold')) {
  const img = new Image(1, 1);
  img.src = `/hold/${params.get('hold')}`;
  document.body.append(img);
}
let failures = 0, checks = 0;

function row(table, cells, bad) {
  const tr = document.createElement('tr');
  for (const c of cells) {
    const td = document.createElement('td');
    td.textContent = String(c);
    if (bad) td.className = 'bad';
    tr.append(td);
  }
  document.getElementById(table).append(tr);
}

function check(call, got, want) {
  checks++;
  const same = Object.is(got, want) || String(got) === String(want);
  if (!same) failures++;
  row('calls', [call, got, want], !same);
}

function error(fn) {
  try {
    fn();
    return 'no error';
  } catch (e) {
    return e instanceof rt.CalcgenError ? `${e.statusName} at ${e.index}` : `${e.name}`;
  }
}

async function run() {
  const simd = rt.simdSupported() && params.get('module') !== 'scalar';
  const moduleUrl = `wasm/${simd ? 'calculator' : 'calculator-scalar'}.wasm`;
  const calc = await CalcCalculator.load(moduleUrl);
  document.getElementById('module').textContent = `${moduleUrl}, kernel set ${calc.module.isa}`;

  const wrap = (x) => BigInt.asIntN(64, x);
  const big = 2n ** 62n + 12345n;
  check('add(2^62 + 12345, 2^62 + 12345)', calc.add(big, big), wrap(big + big));
  check('subtract(-7, 2^63 - 1)', calc.subtract(-7n, 2n ** 63n - 1n), wrap(-7n - (2n ** 63n - 1n)));
  check('multiply(3037000500, 3037000500)', calc.multiply(3037000500n, 3037000500n), wrap(3037000500n * 3037000500n));
  check('divide(-7, 2)', calc.divide(-7n, 2n), -7n / 2n);
  check('modulo(-7, 2)', calc.modulo(-7n, 2n), -7n % 2n);
  check('divideFloat(1, 3)', calc.divideFloat(1, 3), 1 / 3);
  check('divideFloat(-0, 5)', Object.is(calc.divideFloat(-0, 5), -0), true);
  check('divide(1, 0)', error(() => calc.divide(1n, 0n)), 'CG_ERR_DIVIDE_BY_ZERO at -1');
  check('addChecked(2^63 - 1, 1)', error(() => calc.addChecked(2n ** 63n - 1n, 1n)), 'CG_ERR_OVERFLOW at -1');
  const n = 100000;
  const a = new BigInt64Array(n), b = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = BigInt(i) * 6700417n - 2n ** 40n;
    b[i] = BigInt(i % 977) + 1n;
  }
  const r = calc.batchMultiply(a, b);
  let bad = 0;
  for (let i = 0; i < n; i++) if (r[i] !== wrap(a[i] * b[i])) bad++;
  check(`batchMultiply of ${n}: elements that differ`, bad, 0);
  b[77777] = 0n;
  check('batchDivide with b[77777] = 0', error(() => calc.batchDivide(a, b)), 'CG_ERR_DIVIDE_BY_ZERO at 77777');
  check('factorial(20) response bytes', Array.from(calc.factorial(Uint8Array.from([8, 20]))).join(' '),
        [8, ...leb128(2432902008176640000n)].join(' '));

  if (params.has('cases')) {
    // Only a module of this site: the page must not run code a link names.
    const replayUrl = new URL(params.get('replay') ?? '/t/replay.mjs', location.href);
    if (replayUrl.origin !== location.origin) throw new Error(`?replay= must name a module of this site, not ${replayUrl}`);
    const { replay } = await import(replayUrl.href);
    const cases = await (await fetch(params.get('cases'))).json();
    const out = await replay(cases, rt, calc.module, (file) => import(`./bindings/${file}`));
    const pre = document.getElementById('replay');
    pre.textContent = JSON.stringify(out);
    pre.hidden = false;
  }

  if (params.has('tests')) {
    document.getElementById('tests-title').hidden = false;
    document.getElementById('tests').hidden = false;
    for (const t of await (await fetch(params.get('tests'))).json()) {
      const { exitCode, output } = await rt.runWasiCommand(t.url, { args: t.args ?? [], env: t.env ?? {} });
      checks++;
      if (exitCode !== 0) failures++;
      row('tests', [t.name, exitCode, output.at(-1) ?? ''], exitCode !== 0);
    }
  }
}

function leb128(v) {
  const out = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

try {
  await run();
} catch (e) {
  failures++;
  document.getElementById('error').textContent = `${e.name}: ${e.message}\n${e.stack ?? ''}`;
}
const pass = failures === 0 && checks > 0;
status.textContent = pass ? `PASS: ${checks} checks` : `FAIL: ${failures} of ${checks} checks`;
status.className = pass ? 'pass' : 'fail';
document.title = pass ? 'calcgen: PASS' : 'calcgen: FAIL';
document.body.dataset.done = 'yes';
if (params.has('hold')) await fetch(`/release/${params.get('hold')}`);
