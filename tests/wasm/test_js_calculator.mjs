// The generated JavaScript bindings of the calculator against a real wasm
// module: every op, every error path, the ways to load a module, buffers in
// the module's memory and memory growth.
// usage: node test_js_calculator.mjs BINDINGS_DIR MODULE.wasm
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { summary, test } from './js_test.mjs';

const [dir, modulePath] = process.argv.slice(2);
const rt = await import(pathToFileURL(join(dir, 'calcgen_runtime.mjs')));
const { CalcCalculator, CalcCalculatorOps } = await import(pathToFileURL(join(dir, 'calculator_calcgen.mjs')));
const { CalcgenError } = rt;
const simd = !modulePath.endsWith('-scalar.wasm');

function throwsCalcgen(fn, status, detail, index = -1) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof CalcgenError, `not a CalcgenError: ${e}`);
    assert.equal(e.status, status);
    assert.equal(e.statusName, rt.STATUS[status]);
    assert.match(e.detail, detail);
    assert.equal(e.index, index);
    return true;
  });
}

const c = await CalcCalculator.load(modulePath);
const MIN = -(2n ** 63n), MAX = 2n ** 63n - 1n;

await test('the module runs the kernel set it was built with', () => {
  assert.equal(c.module.isa, simd ? 'simd128' : 'scalar');
});

await test('single int64 ops, wrapping', () => {
  assert.equal(c.add(2n, 3n), 5n);
  assert.equal(c.add(MAX, 1n), MIN);
  assert.equal(c.subtract(MIN, 1n), MAX);
  assert.equal(c.multiply(-4n, 5n), -20n);
  assert.equal(c.multiply(MAX, 2n), -2n);
  assert.equal(c.divide(-7n, 2n), -3n);
  assert.equal(c.divide(MIN, -1n), MIN);
  assert.equal(c.modulo(-7n, 2n), -1n);
  assert.equal(c.modulo(MIN, -1n), 0n);
  assert.equal(c.addFixed(MAX, 1n), MIN);
  assert.equal(c.add(7, -9), -2n, 'safe-integer Numbers are accepted');
});

await test('checked ops and division report their status', () => {
  assert.equal(c.addChecked(1n, 2n), 3n);
  assert.equal(c.multiplyChecked(3n, -4n), -12n);
  throwsCalcgen(() => c.addChecked(MAX, 1n), rt.CG_ERR_OVERFLOW, /overflow/);
  throwsCalcgen(() => c.multiplyChecked(MIN, -1n), rt.CG_ERR_OVERFLOW, /overflow/);
  throwsCalcgen(() => c.divide(1n, 0n), rt.CG_ERR_DIVIDE_BY_ZERO, /division by zero/);
  throwsCalcgen(() => c.modulo(1n, 0n), rt.CG_ERR_DIVIDE_BY_ZERO, /division by zero/);
  assert.equal(c.add(1n, 1n), 2n, 'a failure leaves the next call clean');
});

await test('double division keeps IEEE semantics', () => {
  assert.equal(c.divideFloat(1, 4), 0.25);
  assert.equal(c.divideFloat(1, 0), Infinity);
  assert.ok(Object.is(c.divideFloat(-0, 5), -0));
  assert.ok(Number.isNaN(c.divideFloat(0, 0)));
});

await test('arguments are checked before the call', () => {
  assert.throws(() => c.add(1.5, 1n), (e) => e instanceof TypeError && /Add: a=1.5 is not an integer/.test(e.message));
  assert.throws(() => c.add(2 ** 60, 1n), (e) => e instanceof RangeError && /not a safe integer/.test(e.message));
  assert.throws(() => c.add(MAX + 1n, 0n), (e) => e instanceof RangeError && /outside the field's range/.test(e.message));
  assert.throws(() => c.subtract(0n, '1'), (e) => e instanceof TypeError && /Subtract: b must be a BigInt/.test(e.message));
  assert.throws(() => c.divideFloat(1n, 2), (e) => e instanceof TypeError && /DivideFloat: a must be a number/.test(e.message));
  assert.throws(() => c.batchAdd([1n], null), (e) => e instanceof TypeError && /BatchAdd: b must be a BigInt64Array/.test(e.message));
  assert.throws(() => c.batchAdd(new Int32Array(1), [1n]), TypeError, 'a typed array of another type is refused');
  assert.throws(() => c.batchAdd([1n, 2.5], [1n, 2n]), (e) => e instanceof TypeError && /a\[1\]=2.5/.test(e.message));
});

await test('batches: every kernel, new arrays and the caller\'s', () => {
  const n = 1000;
  const a = new BigInt64Array(n), b = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = BigInt(i) * 7919n - 3000n;
    b[i] = BigInt(i % 13) + 1n;
  }
  const ops = [['batchAdd', (x, y) => BigInt.asIntN(64, x + y)], ['batchSubtract', (x, y) => BigInt.asIntN(64, x - y)],
               ['batchMultiply', (x, y) => BigInt.asIntN(64, x * y)], ['batchDivide', (x, y) => x / y],
               ['batchAddChecked', (x, y) => x + y]];
  for (const [name, ref] of ops) {
    const r = c[name](a, b);
    assert.ok(r instanceof BigInt64Array);
    assert.equal(r.length, n);
    for (let i = 0; i < n; i++) assert.equal(r[i], ref(a[i], b[i]), `${name}[${i}]`);
  }
  const out = new BigInt64Array(n + 5).fill(42n);
  assert.equal(c.batchAddInto(a, b, out), out);
  assert.equal(out[0], a[0] + b[0]);
  assert.equal(out[n], 42n, 'elements past n are left alone');
  assert.deepEqual(Array.from(c.batchAddFixed([MAX, 1n], [1n, 2n])), [MIN, 3n]);
  assert.deepEqual(Array.from(c.batchMultiplyFloat(new Float64Array([1.5, -0, NaN]), [2, 3, 1])).map(String), ['3', '0', 'NaN']);
  assert.ok(Object.is(c.batchMultiplyFloat([-0], [3])[0], -0));
  assert.equal(c.batchAdd([], []).length, 0, 'an empty batch');
  assert.deepEqual(Array.from(c.batchAdd([1, 2], [3n, 4n])), [4n, 6n], 'iterables of numbers are converted');
});

await test('batch errors carry the failing index', () => {
  const a = new BigInt64Array(600).fill(1n), b = new BigInt64Array(600).fill(1n);
  b[517] = 0n;
  throwsCalcgen(() => c.batchDivide(a, b), rt.CG_ERR_DIVIDE_BY_ZERO, /division by zero/, 517);
  a[300] = MAX;
  throwsCalcgen(() => c.batchAddChecked(a, new BigInt64Array(600).fill(1n)), rt.CG_ERR_OVERFLOW, /at index 300/, 300);
  assert.throws(() => c.batchAdd([1n, 2n], [1n]), (e) => e instanceof RangeError && /lengths differ/.test(e.message));
  assert.throws(() => c.batchAddInto([1n, 2n], [1n, 2n], new BigInt64Array(1)), RangeError);
  assert.throws(() => c.batchAddInto([1n], [1n], new Float64Array(1)), TypeError);
});

await test('a batch over the limit is CG_ERR_LIMIT', () => {
  const n = Number(c.module.exports.cg_max_batch()) + 1;
  throwsCalcgen(() => c.batchAdd(new BigInt64Array(n), new BigInt64Array(n)), rt.CG_ERR_LIMIT, /batch/);
});

await test('user ops: protobuf bytes in and out', () => {
  assert.deepEqual(Array.from(c.factorial(Uint8Array.from([8, 5]))), [8, 120]);
  assert.deepEqual(Array.from(c.factorial(new Uint8Array(0))), [8, 1], '0! from the empty message');
  throwsCalcgen(() => c.factorial(Uint8Array.from([8, 21])), rt.CG_ERR_OVERFLOW, /21! does not fit/);
  throwsCalcgen(() => c.factorial(Uint8Array.from([8])), rt.CG_ERR_DECODE, /not a valid calc.FactorialRequest/);
  // FormatNumber(value 255, radix 16) -> text "ff"
  const text = c.formatNumber(Uint8Array.from([8, 0xff, 0x01, 16, 16]));
  assert.deepEqual(Array.from(text), [10, 2, 0x66, 0x66]);
  throwsCalcgen(() => c.formatNumber(Uint8Array.from([16, 40])), rt.CG_ERR_INVALID_ARGUMENT, /radix 40/);
  assert.throws(() => c.factorial([8, 5]), (e) => e instanceof TypeError && /must be a Uint8Array/.test(e.message));
});

await test('an unknown op through dispatch', () => {
  throwsCalcgen(() => c.module.dispatch('op 99', c._dispatch, 99, new Uint8Array(0)), rt.CG_ERR_UNKNOWN_OP, /99/);
});

await test('buffers in the module\'s memory are used without copies, across memory growth', () => {
  const m = c.module;
  const a = m.allocBuffer('i64', 256), b = m.allocBuffer('i64', 256), out = m.allocBuffer('i64', 256);
  a.array.fill(5n);
  b.array.fill(-7n);
  const view = out.array;
  assert.equal(c.batchAddInto(a.array, b.array, view), view);
  assert.equal(out.array[255], -2n);
  const before = m.memory.buffer.byteLength;
  const big = m.allocBuffer('f64', 4 << 20); // 32 MiB: the memory grows and old views detach
  assert.ok(m.memory.buffer.byteLength > before);
  assert.equal(view.length, 0, 'the view taken before the growth is detached');
  assert.equal(out.array[255], -2n, 'the buffer\'s array is made again over the grown memory');
  big.free();
  assert.throws(() => big.array, /freed/);
  big.free(); // a second free does nothing
  assert.deepEqual(Array.from(c.batchAdd(a.array, a.array)).slice(0, 2), [10n, 10n]);
  for (const x of [a, b, out]) x.free();
  assert.equal(c.add(1n, 2n), 3n, 'single ops still read their result after the memory grew');
  assert.deepEqual(Array.from(c.batchAdd([1n], [2n])), [3n]);
  assert.throws(() => m.allocBuffer('i128', 1), TypeError);
  assert.throws(() => m.allocBuffer('i32', -1), RangeError);
});

await test('loading: path, URL, bytes, a compiled Module, options', async () => {
  const bytes = await readFile(modulePath);
  for (const source of [pathToFileURL(modulePath), bytes, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
                        await WebAssembly.compile(bytes)]) {
    const d = await CalcCalculator.load(source);
    assert.equal(d.add(40n, 2n), 42n);
  }
  const lines = [];
  const forced = await CalcCalculator.load(bytes, { env: { CALCGEN_ISA: 'scalar' }, stderr: (l) => lines.push(l) });
  assert.equal(forced.module.isa, 'scalar');
  assert.deepEqual(lines, []);
  const bad = await CalcCalculator.load(bytes, { env: { CALCGEN_ISA: 'avx512' }, stderr: (l) => lines.push(l) });
  assert.equal(bad.module.isa, simd ? 'simd128' : 'scalar');
  assert.deepEqual(lines, [`calcgen: CALCGEN_ISA=avx512 is not supported on this CPU or build; using ${bad.module.isa}`]);
  await assert.rejects(CalcCalculator.load(join(dir, 'no-such.wasm')), /ENOENT/);
  await assert.rejects(CalcCalculator.load(Uint8Array.from([0, 97, 115, 109, 9, 9, 9, 9])), WebAssembly.CompileError);
  await assert.rejects(CalcCalculator.load(42), TypeError);
});

await test('a module without the service, or from another schema, is refused', async () => {
  // The smallest valid module: no exports at all.
  const empty = Uint8Array.from([0, 97, 115, 109, 1, 0, 0, 0]);
  await assert.rejects(rt.instantiate(empty), /does not export memory: is it a calcgen module/);
  const m = c.module;
  const other = Object.create(m, { exports: { value: { ...m.exports, calc_calculator_schema_hash: () => 1n } } });
  assert.throws(() => new CalcCalculator(other), /built from another calculator.proto: schema hash 0x0000000000000001/);
  const none = Object.create(m, { exports: { value: { memory: m.memory } } });
  assert.throws(() => new CalcCalculator(none), /has no service calc.Calculator/);
});

await test('op ids and schema hash', () => {
  assert.equal(CalcCalculatorOps.ADD, 1);
  assert.equal(CalcCalculatorOps.FORMAT_NUMBER, 21);
  assert.equal(CalcCalculatorOps.SCHEMA_HASH, BigInt.asUintN(64, c.module.exports.calc_calculator_schema_hash()));
  assert.ok(Object.isFrozen(CalcCalculatorOps));
});

await test('zero-copy operands stay valid when the call grows the memory', async () => {
  const d = await CalcCalculator.load(modulePath);
  const n = 200000; // the result (1.6 MB, not in module memory) needs a scratch buffer the memory lacks
  const a = d.module.allocBuffer('i64', n), b = d.module.allocBuffer('i64', n);
  for (let i = 0; i < n; i++) {
    a.array[i] = BigInt(i) * 3n;
    b.array[i] = -BigInt(i);
  }
  const before = d.module.memory.buffer.byteLength;
  const r = d.batchAdd(a.array, b.array);
  assert.ok(d.module.memory.buffer.byteLength > before, 'the call grew the memory');
  assert.equal(r.length, n);
  for (const i of [0, 1, n / 2, n - 1]) assert.equal(r[i], BigInt(i) * 2n);
  const stale = a.array;
  d.module.allocBuffer('f64', 1 << 22); // 32 MiB: grows again, `stale` detaches
  assert.equal(stale.length, 0);
  assert.throws(() => d.batchAdd(stale, stale), (e) => e instanceof TypeError && /from before it grew/.test(e.message));
  assert.deepEqual(Array.from(d.batchAdd(a.array, b.array).subarray(0, 3)), [0n, 2n, 4n]);
});

await test('a batch over the request limit is refused before the memory grows', async () => {
  const d = await CalcCalculator.load(modulePath);
  const n = 5 << 20; // 2 x 40 MiB of operands: over the 64 MiB request limit, under cg_max_batch
  const before = d.module.memory.buffer.byteLength;
  throwsCalcgen(() => d.batchAdd(new BigInt64Array(n), new BigInt64Array(n)), rt.CG_ERR_LIMIT, /request of at least/);
  assert.equal(d.module.memory.buffer.byteLength, before);
  throwsCalcgen(() => d.factorial(new Uint8Array(65 << 20)), rt.CG_ERR_LIMIT, /request of at least/);
});

await test('requests and results in the module\'s memory survive its growth during the call', async () => {
  const d = await CalcCalculator.load(modulePath);
  const raw = d.module.allocBuffer('f64', 300000 / 8);
  const req = new Uint8Array(d.module.memory.buffer, raw.address, 300000);
  for (let i = 0; i < req.length; i += 2) req.set([8, 5], i); // n = 5, written 150,000 times: the last wins
  assert.deepEqual(Array.from(d.factorial(req)), [8, 120]);
  const n = 300000;
  const a = d.module.allocBuffer('i64', n), b = d.module.allocBuffer('i64', n), out = d.module.allocBuffer('i64', n);
  a.array.fill(2n);
  b.array.fill(3n);
  const r = d.batchAddInto(a.array, b.array, out.array);
  assert.equal(r.length, n, 'the returned array reaches the results after the growth');
  assert.equal(r[n - 1], 5n);
  assert.equal(out.array[0], 5n);
});

await test('requests too large for wasm32 are refused before anything is copied', async () => {
  const d = await CalcCalculator.load(modulePath);
  throwsCalcgen(() => d.module.scratch(2.2e9), rt.CG_ERR_LIMIT, /more than one allocation/);
  const keep = d.module.allocBuffer('i64', 1);
  keep.array[0] = 42n;
  assert.deepEqual(Array.from(d.batchAdd([1n, 2n], [3n, 4n])), [4n, 6n], 'the scratch buffer is usable again');
  assert.equal(keep.array[0], 42n, 'and nothing else was overwritten');
});

await test('a call that traps ends the instance, loudly', async () => {
  const d = await CalcCalculator.load(modulePath);
  const trap = () => { throw new WebAssembly.RuntimeError('unreachable'); };
  assert.throws(() => d.module.batch('Trapping', 'i64', trap, new BigInt64Array(1), new BigInt64Array(1), new BigInt64Array(1)),
                /failed in Trapping: RuntimeError: unreachable; this instance cannot be used again/);
  assert.throws(() => d.add(1n, 2n), /failed in an earlier call \(Trapping/);
  assert.throws(() => d.batchAdd([1n], [2n]), /failed in an earlier call/);
  assert.throws(() => d.factorial(new Uint8Array(0)), /failed in an earlier call/);
  assert.equal(c.add(1n, 2n), 3n, 'other instances are not affected');
});

await test('a stderr callback that throws does not unwind the module', async () => {
  const d = await CalcCalculator.load(modulePath, { env: { CALCGEN_ISA: 'nonsense' }, stderr: () => { throw new Error('boom'); } });
  assert.equal(d.add(2n, 2n), 4n);
});

await test('a file: URL given as a string loads in Node', async () => {
  const d = await CalcCalculator.load(pathToFileURL(modulePath).href);
  assert.equal(d.add(20n, 22n), 42n);
});

summary();
