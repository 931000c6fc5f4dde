// The JavaScript bindings of the unseen schemas over their wasm module:
// every numeric type's range and conversion at the edges, proto2 operands
// (defaults and zeros), keyword-named ops, a package-less service's user op.
// usage: node test_js_unseen.mjs BINDINGS_DIR MODULE.wasm
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { summary, test } from './js_test.mjs';

const [dir, modulePath] = process.argv.slice(2);
const load = (f) => import(pathToFileURL(join(dir, f)));
const rt = await load('calcgen_runtime.mjs');
const { DeepPkgV1Numbers, DeepPkgV1Keywords } = await load('kitchen_calcgen.mjs');
const { HttpEcho } = await load('plain_calcgen.mjs');
const { LegacyLegacy } = await load('proto2_calcgen.mjs');
const module = await rt.instantiate(modulePath);
const num = new DeepPkgV1Numbers(module), kw = new DeepPkgV1Keywords(module);
const echo = new HttpEcho(module), legacy = new LegacyLegacy(module);

const U64 = 2n ** 64n - 1n;

await test('unsigned 64-bit values keep their bits both ways', () => {
  assert.equal(num.addUint64(U64, 1n), 0n);
  assert.equal(num.divUint64(U64, 2n), 2n ** 63n - 1n);
  assert.equal(num.addFixed64(U64 - 1n, 1n), U64);
  assert.deepEqual(Array.from(num.batchMaxUint64([U64, 0n], [1n, 2n ** 63n])), [U64, 2n ** 63n]);
  assert.throws(() => num.addUint64(-1n, 0n), (e) => e instanceof RangeError && /AddUint64: a=-1 is outside/.test(e.message));
});

await test('32-bit values: Numbers, checked before the call', () => {
  assert.equal(num.addInt32(2 ** 31 - 1, 1), -(2 ** 31));
  assert.equal(num.addUint32(2 ** 32 - 1, 1), 0);
  assert.equal(num.addSint32(-5, -6), -11);
  assert.equal(num.divSfixed32(-7, 2), -3);
  assert.throws(() => num.addInt32(1n, 2), (e) => e instanceof TypeError && /AddInt32: a must be an integer Number/.test(e.message));
  assert.throws(() => num.addUint32(-1, 0), (e) => e instanceof RangeError && /AddUint32: a=-1/.test(e.message));
  assert.throws(() => num.addInt32(2 ** 31, 0), RangeError);
  assert.deepEqual(Array.from(num.batchMinInt32(Int32Array.of(-1, 5), [3, -9])), [-1, -9]);
});

await test('floats: IEEE at the edges', () => {
  assert.ok(Object.is(num.mulDouble(-0, 5), -0));
  assert.ok(Number.isNaN(num.mulDouble(NaN, 1)));
  assert.equal(num.addFloat(3e38, 3e38), Infinity, 'float overflows to infinity');
  assert.equal(num.addFloat(0.1, 0.2), Math.fround(Math.fround(0.1) + Math.fround(0.2)));
  assert.ok(Object.is(num.batchMinDouble([0], [-0])[0], -0), 'MIN of 0 and -0 is -0');
});

await test('proto2 operands: a zero is sent as zero, not left to the default', () => {
  assert.equal(legacy.add(0n, 5n), 5n, 'a = 0, not its default 3');
  assert.equal(legacy.add(0n, 0n), 0n, 'a zero result, not the result field\'s default 7');
  assert.equal(legacy.add(-4n, 4n), 0n);
  assert.deepEqual(Array.from(legacy.batchAdd([0n, -1n], [0n, 1n])), [0n, 0n]);
  assert.throws(() => legacy.add(2n ** 63n - 1n, 1n), (e) => e instanceof rt.CalcgenError && e.statusName === 'CG_ERR_OVERFLOW');
});

await test('keyword-named ops and a package-less service', () => {
  assert.equal(typeof kw.return_, 'function');
  assert.equal(typeof kw.switch_, 'function');
  const ping = Uint8Array.from([10, 2, 104, 105, 16, 3]); // text "hi", count 3
  assert.deepEqual(Array.from(echo.echo(ping)), Array.from(ping));
  assert.deepEqual(Array.from(echo.count(ping)), [16, 2]);
  assert.throws(() => echo.count(Uint8Array.from([16, 255, 255, 255, 255, 255, 255, 255, 255, 255, 1])), (e) => e instanceof rt.CalcgenError && e.statusName === 'CG_ERR_HANDLER');
});

summary();
