// The JavaScript bindings' cost over each wasm module: single calls and
// batches of 1000 on fresh data (65,536 distinct pairs, 64 distinct batches),
// beside a bare call of the same export from JavaScript.
//   node bench_js.mjs BINDINGS_DIR MODULE.wasm [--quick]
// One line per case: "name ns_per_unit unit" (best of several trials).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dir, modulePath, flag] = process.argv.slice(2);
const quick = flag === '--quick';
const { CalcCalculator } = await import(pathToFileURL(join(dir, 'calculator_calcgen.mjs')));
const calc = await CalcCalculator.load(modulePath);
const x = calc.module.exports;

let seed = 20261129n;
function next() { // splitmix64, as bench/fresh_data.h
  seed = BigInt.asUintN(64, seed + 0x9E3779B97F4A7C15n);
  let z = seed;
  z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n);
  z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94D049BB133111EBn);
  return z ^ (z >> 31n);
}
const PAIRS = 1 << 16, N = 1000, BATCHES = 64;
const A = new BigInt64Array(PAIRS), B = new BigInt64Array(PAIRS);
const FA = new Float64Array(PAIRS), FB = new Float64Array(PAIRS);
for (let i = 0; i < PAIRS; i++) {
  A[i] = BigInt.asIntN(64, next());
  B[i] = BigInt.asIntN(64, next());
  FA[i] = Number(BigInt.asIntN(64, next())) / 1e6;
  FB[i] = Number((next() >> 11n) | 1n) / 1e3;
}
const batches = Array.from({ length: BATCHES }, (_, k) => [A.subarray(k * N, k * N + N), B.subarray(k * N, k * N + N)]);
const fbatches = Array.from({ length: BATCHES }, (_, k) => [FA.subarray(k * N, k * N + N), FB.subarray(k * N, k * N + N)]);
const out = new BigInt64Array(N);
// Operands and results in the module's memory (allocBuffer): no copies.
const inA = calc.module.allocBuffer('i64', N * BATCHES), inB = calc.module.allocBuffer('i64', N * BATCHES);
const inOut = calc.module.allocBuffer('i64', N);
inA.array.set(A.subarray(0, N * BATCHES));
inB.array.set(B.subarray(0, N * BATCHES));

function best(fn, reps, trials = quick ? 3 : 7) {
  let min = Infinity;
  for (let t = 0; t < trials; t++) {
    const t0 = process.hrtime.bigint();
    for (let r = 0; r < reps; r++) fn(r);
    const per = Number(process.hrtime.bigint() - t0) / reps;
    if (per < min) min = per;
  }
  return min;
}

const reps = quick ? 20000 : 400000;
let sink = 0n, fsink = 0;
const cell = calc.module.cell;
console.log(`kernels ${calc.module.isa}`);
console.log(`js_empty_export_call ${best(() => { sink += BigInt(x.cg_max_batch()); }, reps).toFixed(2)} ns/call`);
console.log(`js_raw_invoke_add ${best((r) => { const i = r & (PAIRS - 1); if (x.calc_calculator_invoke_add(A[i], B[i], cell)) throw 0; }, reps).toFixed(2)} ns/call`);
console.log(`js_add ${best((r) => { const i = r & (PAIRS - 1); sink += calc.add(A[i], B[i]); }, reps).toFixed(2)} ns/call`);
console.log(`js_divide_float ${best((r) => { const i = r & (PAIRS - 1); fsink += calc.divideFloat(FA[i], FB[i]); }, reps).toFixed(2)} ns/call`);
console.log(`js_batch_add_1000 ${(best((r) => { const [a, b] = batches[r % BATCHES]; sink += calc.batchAdd(a, b)[7]; }, reps / 100) / N).toFixed(3)} ns/element`);
console.log(`js_batch_add_into_1000 ${(best((r) => { const [a, b] = batches[r % BATCHES]; calc.batchAddInto(a, b, out); sink += out[7]; }, reps / 100) / N).toFixed(3)} ns/element`);
console.log(`js_batch_add_module_memory_1000 ${(best((r) => {
  const k = (r % BATCHES) * N;
  const a = inA.array.subarray(k, k + N), b = inB.array.subarray(k, k + N), o = inOut.array;
  calc.batchAddInto(a, b, o);
  sink += o[7];
}, reps / 100) / N).toFixed(3)} ns/element`);
console.log(`js_batch_multiply_float_1000 ${(best((r) => { const [a, b] = fbatches[r % BATCHES]; fsink += calc.batchMultiplyFloat(a, b)[7]; }, reps / 100) / N).toFixed(3)} ns/element`);
if (sink === 42n && fsink === 0.5) console.log('');
