// calcgen's JavaScript runtime: loads a calcgen WebAssembly module (built with
// cross/wasm32-wasi.ini) in Node or a browser, and holds what every generated
// binding (`calcgen generate --js-out`) shares: statuses, the error type,
// argument checks, buffers in the module's memory and the protobuf wire codec
// for ops whose messages calcgen's C codecs do not cover. calcgen writes this
// file next to the bindings; it is the same file for all of them.

export const ABI = 1;

export const STATUS = Object.freeze({
  0: 'CG_OK',
  1: 'CG_ERR_UNKNOWN_OP',
  2: 'CG_ERR_DECODE',
  3: 'CG_ERR_INVALID_ARGUMENT',
  4: 'CG_ERR_DIVIDE_BY_ZERO',
  5: 'CG_ERR_OVERFLOW',
  6: 'CG_ERR_LIMIT',
  7: 'CG_ERR_NO_MEMORY',
  8: 'CG_ERR_HANDLER',
  9: 'CG_ERR_CANCELLED',
  10: 'CG_ERR_CLOSED',
});
export const CG_OK = 0;
export const CG_ERR_UNKNOWN_OP = 1;
export const CG_ERR_DECODE = 2;
export const CG_ERR_INVALID_ARGUMENT = 3;
export const CG_ERR_DIVIDE_BY_ZERO = 4;
export const CG_ERR_OVERFLOW = 5;
export const CG_ERR_LIMIT = 6;
export const CG_ERR_NO_MEMORY = 7;
export const CG_ERR_HANDLER = 8;
export const CG_ERR_CANCELLED = 9;
export const CG_ERR_CLOSED = 10;

/** A call returned a status other than CG_OK. `index` is the failing
 * element of a batch (-1 when none applies). */
export class CalcgenError extends Error {
  constructor(op, status, detail, index = -1) {
    const name = STATUS[status] ?? 'CG_UNKNOWN_STATUS';
    super(`${op}: ${name}: ${detail}`);
    this.name = 'CalcgenError';
    this.op = op;
    this.status = status;
    this.statusName = name;
    this.detail = detail;
    this.index = index;
  }
}

// ---- element types ----------------------------------------------------------

const I64_MIN = -(2n ** 63n), I64_MAX = 2n ** 63n - 1n, U64_MAX = 2n ** 64n - 1n;

/** Per element type: its typed array, its width, and for integers the range. */
export const ELEMS = Object.freeze({
  i32: { array: Int32Array, width: 4, big: false, lo: -(2 ** 31), hi: 2 ** 31 - 1 },
  u32: { array: Uint32Array, width: 4, big: false, lo: 0, hi: 2 ** 32 - 1 },
  i64: { array: BigInt64Array, width: 8, big: true, lo: I64_MIN, hi: I64_MAX },
  u64: { array: BigUint64Array, width: 8, big: true, lo: 0n, hi: U64_MAX },
  f32: { array: Float32Array, width: 4, big: false, float: true },
  f64: { array: Float64Array, width: 8, big: false, float: true },
});

/** `value` checked for an element of type `elem`, as the module takes it:
 * 64-bit integers as a BigInt (from a BigInt or a safe-integer Number),
 * 32-bit integers and floats as a Number. TypeError or RangeError name the
 * op and the argument. */
export function scalarArg(op, name, elem, value) {
  const e = ELEMS[elem];
  if (e.float) {
    if (typeof value !== 'number') throw new TypeError(`${op}: ${name} must be a number, not ${typeName(value)}`);
    return value;
  }
  if (e.big) {
    let v = value;
    if (typeof v === 'number') {
      if (!Number.isInteger(v)) throw new TypeError(`${op}: ${name}=${v} is not an integer`);
      if (!Number.isSafeInteger(v)) {
        throw new RangeError(`${op}: ${name}=${v} is not a safe integer; pass a BigInt`);
      }
      v = BigInt(v);
    } else if (typeof v !== 'bigint') {
      throw new TypeError(`${op}: ${name} must be a BigInt or an integer Number, not ${typeName(value)}`);
    }
    if (v < e.lo || v > e.hi) throw new RangeError(`${op}: ${name}=${v} is outside the field's range [${e.lo}, ${e.hi}]`);
    return elem === 'u64' ? BigInt.asIntN(64, v) : v; // wasm i64 parameters are signed
  }
  if (typeof value !== 'number') throw new TypeError(`${op}: ${name} must be an integer Number, not ${typeName(value)}`);
  if (!Number.isInteger(value)) throw new TypeError(`${op}: ${name}=${value} is not an integer`);
  if (value < e.lo || value > e.hi) throw new RangeError(`${op}: ${name}=${value} is outside the field's range [${e.lo}, ${e.hi}]`);
  return value;
}

// The checks generated calls make, one per element type: the common case
// (a value of the right type in range) without scalarArg's lookups.
export function argI64(op, name, v) {
  return typeof v === 'bigint' && v >= I64_MIN && v <= I64_MAX ? v : scalarArg(op, name, 'i64', v);
}
export function argU64(op, name, v) {
  return typeof v === 'bigint' && v >= 0n && v <= U64_MAX ? BigInt.asIntN(64, v) : scalarArg(op, name, 'u64', v);
}
export function argI32(op, name, v) {
  return typeof v === 'number' && (v | 0) === v ? v : scalarArg(op, name, 'i32', v);
}
export function argU32(op, name, v) {
  return typeof v === 'number' && v >>> 0 === v ? v : scalarArg(op, name, 'u32', v);
}
export function argF32(op, name, v) {
  return typeof v === 'number' ? v : scalarArg(op, name, 'f32', v);
}
export const argF64 = argF32;

function typeName(v) {
  return v === null ? 'null' : Array.isArray(v) ? 'Array' : typeof v === 'object' ? v.constructor?.name ?? 'object' : typeof v;
}

/** `values` as a typed array of `elem`: the same object when it already is
 * one, else converted element by element with scalarArg's checks. */
export function arrayArg(op, name, elem, values) {
  const e = ELEMS[elem];
  if (values instanceof e.array) return values;
  if (ArrayBuffer.isView(values) || values == null || typeof values[Symbol.iterator] !== 'function') {
    throw new TypeError(`${op}: ${name} must be a ${e.array.name} or an iterable of numbers, not ${typeName(values)}`);
  }
  const list = Array.from(values);
  const out = new e.array(list.length);
  for (let i = 0; i < list.length; i++) {
    const v = scalarArg(op, `${name}[${i}]`, elem, list[i]);
    out[i] = elem === 'u64' ? BigInt.asUintN(64, v) : v;
  }
  return out;
}

// ---- loading ----------------------------------------------------------------

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

/** The most one allocation in a module may take (wasm32: sizes are 32-bit). */
const MAX_ALLOC = 2 ** 31 - 1;

function detached(buffer) {
  try {
    new Uint8Array(buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

async function compile(source) {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source);
  if (typeof Response !== 'undefined' && source instanceof Response) {
    return WebAssembly.compile(await source.arrayBuffer());
  }
  if (typeof source === 'string' || source instanceof URL) {
    const text = String(source);
    if (isNode && !/^(https?|data|blob):/.test(text)) {
      const { readFile } = await import('node:fs/promises');
      return WebAssembly.compile(await readFile(text.startsWith('file:') ? new URL(text) : text));
    }
    const response = await fetch(source);
    if (!response.ok) throw new Error(`calcgen: cannot load ${text}: HTTP ${response.status}`);
    return WebAssembly.compile(await response.arrayBuffer());
  }
  throw new TypeError('calcgen: the module source must be a path, URL, Response, bytes or a WebAssembly.Module');
}

const WASI_ERRNO = { SUCCESS: 0, BADF: 8, NOSYS: 52, SPIPE: 70 };

class WasiExit extends Error {
  constructor(code) {
    super(`the module exited (status ${code})`);
    this.code = code;
  }
}

/** The WASI calls calcgen's modules make (arguments, environment, output,
 * exit), the same in Node and in a browser; any other WASI function answers
 * ENOSYS. Lines written to stdout and stderr go to `stderr(line)`. */
function wasiImports(state, env, stderr, args = []) {
  const encode = (list) => list.map((x) => new TextEncoder().encode(`${x}\0`));
  const entries = encode(Object.entries(env).map(([k, v]) => `${k}=${v}`));
  const argv = encode(args);
  const sizes = (list) => (countAt, sizeAt) => {
    view().setUint32(countAt, list.length, true);
    view().setUint32(sizeAt, list.reduce((n, e) => n + e.length, 0), true);
    return WASI_ERRNO.SUCCESS;
  };
  const fill = (list) => (ptrsAt, bufAt) => {
    for (const e of list) {
      view().setUint32(ptrsAt, bufAt, true);
      bytes().set(e, bufAt);
      ptrsAt += 4;
      bufAt += e.length;
    }
    return WASI_ERRNO.SUCCESS;
  };
  const view = () => new DataView(state.memory.buffer);
  const bytes = () => new Uint8Array(state.memory.buffer);
  let pending = '';
  const decoder = new TextDecoder();
  // A callback that throws must not unwind the module in the middle of a call.
  const emit = (line) => {
    try {
      stderr(line);
    } catch {
      // the line is lost; the call goes on
    }
  };
  return {
    args_sizes_get: sizes(argv),
    args_get: fill(argv),
    environ_sizes_get: sizes(entries),
    environ_get: fill(entries),
    fd_write(fd, iovs, iovsLen, writtenAt) {
      if (fd !== 1 && fd !== 2) return WASI_ERRNO.BADF;
      let written = 0;
      for (let i = 0; i < iovsLen; i++) {
        const ptr = view().getUint32(iovs + 8 * i, true), len = view().getUint32(iovs + 8 * i + 4, true);
        pending += decoder.decode(bytes().subarray(ptr, ptr + len), { stream: true });
        written += len;
      }
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        emit(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
      view().setUint32(writtenAt, written, true);
      return WASI_ERRNO.SUCCESS;
    },
    fd_close() { return WASI_ERRNO.BADF; },
    fd_seek() { return WASI_ERRNO.SPIPE; },
    fd_fdstat_get() { return WASI_ERRNO.BADF; },
    proc_exit(code) { throw new WasiExit(code); },
    flush() {
      if (pending) emit(pending);
      pending = '';
    },
  };
}

function wasiImportObject(module, wasi) {
  const imports = { wasi_snapshot_preview1: {} };
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module !== 'wasi_snapshot_preview1' || imp.kind !== 'function') {
      throw new Error(`calcgen: the module imports ${imp.module}.${imp.name}, which this loader does not provide`);
    }
    imports.wasi_snapshot_preview1[imp.name] = wasi[imp.name] ?? (() => WASI_ERRNO.NOSYS);
  }
  return imports;
}

/** Whether this engine runs WebAssembly SIMD (pick calculator.wasm over
 * calculator-scalar.wasm). A module of one SIMD instruction, validated. */
export function simdSupported() {
  return WebAssembly.validate(Uint8Array.from([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0,
                                               10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]));
}

/**
 * Runs a wasm32-wasi command module (a C program built with
 * cross/wasm32-wasi.ini, such as calcgen's C test suites) with the same WASI
 * subset, in Node or a browser: { exitCode, output } (stdout and stderr
 * lines). Options: `args` (argv[1..]), `env`.
 */
export async function runWasiCommand(source, { args = [], env = {} } = {}) {
  const module = await compile(source);
  const state = { memory: null };
  const lines = [];
  const wasi = wasiImports(state, env, (line) => lines.push(line), ['module.wasm', ...args]);
  const instance = await WebAssembly.instantiate(module, wasiImportObject(module, wasi));
  state.memory = instance.exports.memory;
  let exitCode = 0;
  try {
    instance.exports._start();
  } catch (e) {
    if (!(e instanceof WasiExit)) throw e;
    exitCode = e.code;
  }
  wasi.flush();
  return { exitCode, output: lines };
}

/**
 * Instantiates a calcgen module. `source`: a path (Node) or URL, a Response,
 * the module's bytes or a compiled WebAssembly.Module. Options: `env`, the
 * environment the module sees (e.g. { CALCGEN_ISA: 'scalar' }); `stderr`, a
 * function given each line the module writes (default console.error).
 */
export async function instantiate(source, { env = {}, stderr = (line) => console.error(line) } = {}) {
  const module = await compile(source);
  const state = { memory: null };
  const wasi = wasiImports(state, env, stderr);
  const instance = await WebAssembly.instantiate(module, wasiImportObject(module, wasi));
  const x = instance.exports;
  for (const name of ['memory', '_initialize', 'malloc', 'free', 'cg_last_error', 'cg_last_error_index', 'cg_isa_active']) {
    if (!(name in x)) throw new Error(`calcgen: the module does not export ${name}: is it a calcgen module?`);
  }
  state.memory = x.memory;
  x._initialize();
  return new CalcgenModule(instance);
}

// ---- a loaded module --------------------------------------------------------

/** One instance of a calcgen module: its exports, its memory, and the
 * buffers the bindings reuse. Single-threaded, as a wasm instance is. */
export class CalcgenModule {
  constructor(instance) {
    this.instance = instance;
    this.exports = instance.exports;
    this.memory = instance.exports.memory;
    this._scratch = 0; // reused buffer for batch operands and requests
    this._scratchBytes = 0;
    this._cell = this._malloc(16); // single ops write their result here; the cg_bytes of dispatch too
    this._views = null;
    this.dead = null; // why the instance can no longer be used (a trap inside a call)
  }

  /** The kernel set the module runs: "simd128" or "scalar". */
  get isa() { return this._cstring(this.exports.cg_isa_active()); }

  /** Views of the whole memory; made again after the memory grows (growth
   * detaches the old buffer, which leaves its views empty: a cheaper test
   * than reading memory.buffer on every call). */
  get heap() {
    if (!this._views || this._views.u8.length === 0) {
      const b = this.memory.buffer;
      const c = this._cell;
      this._views = { u8: new Uint8Array(b), dv: new DataView(b),
                      i32: new Int32Array(b, c, 1), u32: new Uint32Array(b, c, 1), i64: new BigInt64Array(b, c, 1),
                      u64: new BigUint64Array(b, c, 1), f32: new Float32Array(b, c, 1), f64: new Float64Array(b, c, 1) };
    }
    return this._views;
  }

  _malloc(bytes) {
    if (!(bytes <= MAX_ALLOC)) {
      throw new CalcgenError('malloc', CG_ERR_LIMIT, `${bytes} bytes is more than one allocation in a wasm32 module can hold`);
    }
    const p = this.exports.malloc(Math.max(bytes, 1));
    if (!p) throw new CalcgenError('malloc', CG_ERR_NO_MEMORY, `the module cannot allocate ${bytes} bytes`);
    return p;
  }

  /** n elements of `elem` inside the module's memory (a CalcgenBuffer):
   * batch calls given its `array` use it where it is, without copies. */
  allocBuffer(elem, n) {
    const e = ELEMS[elem];
    if (!e) throw new TypeError(`allocBuffer: unknown element type ${elem}`);
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`allocBuffer: n=${n} is not a count`);
    return new CalcgenBuffer(this, e, this._malloc(n * e.width), n);
  }

  /** The scratch buffer, at least `bytes` long (8-aligned), kept for the next call. */
  scratch(bytes) {
    if (bytes > this._scratchBytes) {
      if (this._scratch) this.exports.free(this._scratch);
      this._scratch = 0;
      this._scratchBytes = 0;
      let cap = 4096;
      while (cap < bytes) cap *= 2;
      if (cap > MAX_ALLOC) cap = bytes;
      this._scratch = this._malloc(cap);
      this._scratchBytes = cap;
    }
    return this._scratch;
  }

  /** Throws when an earlier call trapped: the instance's state (its call
   * depth, its arenas) was left mid-call, so nothing more runs in it. */
  alive() {
    if (this.dead !== null) {
      throw new Error(`calcgen: this module instance failed in an earlier call (${this.dead}); instantiate the module again`);
    }
  }

  /** A call into the module threw (a trap, an exit): the instance is done. */
  die(op, e) {
    this.dead = `${op}: ${e?.name ?? 'Error'}: ${e?.message ?? e}`;
    throw new Error(`calcgen: the module failed in ${this.dead}; this instance cannot be used again: instantiate the module anew`,
                    { cause: e });
  }

  /** CG_ERR_LIMIT, before anything is copied, for a batch of n elements
   * whose request would take at least `requestBytes`: the limits the
   * module would refuse it by (wasm memory, once grown, never shrinks). */
  checkBatch(op, n, requestBytes) {
    const max = Number(this.exports.cg_max_batch());
    if (n > max) {
      throw new CalcgenError(op, CG_ERR_LIMIT, `${op}: a batch of ${n} elements is over the limit of ${max} (cg_set_limits)`);
    }
    this.checkRequest(op, requestBytes);
  }

  checkRequest(op, bytes) {
    const max = Number(this.exports.cg_max_request());
    if (bytes > max) {
      throw new CalcgenError(op, CG_ERR_LIMIT, `${op}: a request of at least ${bytes} bytes is over the limit of ${max} (cg_set_limits)`);
    }
  }

  _cstring(p) {
    const u8 = this.heap.u8;
    let end = p;
    while (u8[end]) end++;
    return new TextDecoder('utf-8', { fatal: false }).decode(u8.subarray(p, end));
  }

  /** Throws the CalcgenError for a failed call of `op`. */
  fail(op, status) {
    const index = Number(this.exports.cg_last_error_index());
    throw new CalcgenError(op, status, this._cstring(this.exports.cg_last_error()), index);
  }

  /** The single-op result cell, read as `elem`. */
  result(elem) {
    return this.heap[elem][0];
  }

  get cell() { return this._cell; }

  /** Runs a typed batch entry point: a and b (typed arrays of equal length)
   * in, n results into `out` (a typed array at least that long). Arrays
   * that already live in the module's memory are used where they are. */
  batch(op, elem, fn, a, b, out) {
    this.alive();
    for (const [name, x] of [['a', a], ['b', b], ['out', out]]) {
      if (x.length === 0 && detached(x.buffer)) {
        throw new TypeError(`${op}: ${name} is a view of the module's memory from before it grew: take the CalcgenBuffer's array again`);
      }
    }
    const e = ELEMS[elem], n = a.length, w = e.width;
    if (b.length !== n) throw new RangeError(`${op}: operand lengths differ (${n} and ${b.length})`);
    if (out.length < n) throw new RangeError(`${op}: out holds ${out.length} elements; ${n} are needed`);
    this.checkBatch(op, n, 2 * n * w);
    // Where each array is, before scratch() may grow the memory (which
    // detaches views of it, the caller's included; addresses stay).
    const mem = this.memory.buffer;
    const where = (x) => (x.buffer === mem ? x.byteOffset : -1);
    const wa = where(a), wb = where(b), wo = where(out);
    const need = ((wa < 0) + (wb < 0) + (wo < 0)) * n * w;
    let at = need ? this.scratch(need) : 0;
    const u8 = this.heap.u8;
    const place = (x, w0) => {
      if (w0 >= 0) return w0;
      const p = at;
      u8.set(new Uint8Array(x.buffer, x.byteOffset, n * w), p);
      at += n * w;
      return p;
    };
    const pa = place(a, wa), pb = place(b, wb);
    const po = wo >= 0 ? wo : at;
    const outLength = out.length;
    let status;
    try {
      status = fn(pa, pb, n, po);
    } catch (err) {
      this.die(op, err);
    }
    if (status !== CG_OK) this.fail(op, status);
    if (wo < 0) {
      new Uint8Array(out.buffer, out.byteOffset, n * w).set(this.heap.u8.subarray(po, po + n * w));
      return out;
    }
    // out is in the module's memory, which the call may have grown: the
    // results are at its address; a view of the grown memory reaches them.
    return out.buffer === this.memory.buffer ? out : new out.constructor(this.memory.buffer, wo, outLength);
  }

  /** dispatch(op id, request bytes): a copy of the response bytes. */
  dispatch(opName, fn, op, request) {
    this.alive();
    if (!(request instanceof Uint8Array)) {
      throw new TypeError(`${opName}: the request must be a Uint8Array of protobuf bytes, not ${typeName(request)}`);
    }
    if (request.length === 0 && detached(request.buffer)) {
      throw new TypeError(`${opName}: the request is a view of the module's memory from before it grew: take it again`);
    }
    const len = request.length;
    this.checkRequest(opName, len);
    // Where the request is, before scratch() may grow the memory.
    const inside = request.buffer === this.memory.buffer ? request.byteOffset : -1;
    const p = len ? this.scratch(len) : 0;
    if (len && inside >= 0) this.heap.u8.copyWithin(p, inside, inside + len);
    else if (len) this.heap.u8.set(request, p);
    let status;
    try {
      status = fn(op, p, len, this._cell);
    } catch (err) {
      this.die(opName, err);
    }
    if (status !== CG_OK) this.fail(opName, status);
    const dv = this.heap.dv;
    const data = dv.getUint32(this._cell, true), size = dv.getUint32(this._cell + 4, true);
    return this.heap.u8.slice(data, data + size);
  }
}

/** Memory inside a module, for zero-copy batches. `array` is a typed array
 * over it, made again whenever the module's memory has grown (growth
 * detaches every view of the old memory, so take `array` after any call
 * rather than keeping it across calls). */
export class CalcgenBuffer {
  constructor(module, elem, address, length) {
    this.module = module;
    this.address = address;
    this.length = length;
    this._elem = elem;
    this._array = null;
  }

  get array() {
    if (!this.address) throw new Error('the CalcgenBuffer was freed');
    if (!this._array || this._array.buffer !== this.module.memory.buffer) {
      this._array = new this._elem.array(this.module.memory.buffer, this.address, this.length);
    }
    return this._array;
  }

  /** Gives the memory back to the module; the buffer is unusable afterwards. */
  free() {
    if (this.address) this.module.exports.free(this.address);
    this.address = 0;
    this._array = null;
  }
}

// ---- the protobuf wire format, for ops calcgen's C codecs do not cover ------
// (kernel ops on proto2 or otherwise protobuf-c-decoded messages): operands
// always written, as the Python runtime and the Dart package write them.

const FIXED = { fixed32: ['Uint32', 4], sfixed32: ['Int32', 4], float: ['Float32', 4],
                fixed64: ['BigUint64', 8], sfixed64: ['BigInt64', 8], double: ['Float64', 8] };

function putVarint(out, v) {
  v = BigInt.asUintN(64, BigInt(v));
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
}

function zigzag(v, bits) {
  const b = BigInt(bits);
  v = BigInt(v);
  return BigInt.asUintN(bits, (v << 1n) ^ (v >> (b - 1n)));
}

function varintBits(codec, v) {
  if (codec === 'sint32') return zigzag(v, 32);
  if (codec === 'sint64') return zigzag(v, 64);
  if (codec === 'uint32') return BigInt(v) & 0xffffffffn;
  return BigInt(v);
}

/** Appends field `field` of protobuf type `codec` to `out` (an Array of
 * bytes), also when it is zero: the bindings encode requests themselves only
 * for messages calcgen's C codecs do not cover, proto2 among them, where an
 * absent field would take its declared default instead. */
export function encodeScalar(out, field, codec, value) {
  if (codec in FIXED) {
    const [kind, n] = FIXED[codec];
    const dv = new DataView(new ArrayBuffer(n));
    const bits = kind === 'BigUint64' ? BigInt.asUintN(64, BigInt(value))
               : kind === 'BigInt64' ? BigInt.asIntN(64, BigInt(value)) : value;
    dv[`set${kind}`](0, bits, true);
    putVarint(out, field * 8 + (n === 4 ? 5 : 1));
    out.push(...new Uint8Array(dv.buffer));
    return;
  }
  putVarint(out, field * 8);
  putVarint(out, varintBits(codec, value));
}

/** Appends a packed repeated varint field. */
export function encodePackedVarints(out, field, codec, values) {
  if (!values.length) return;
  const body = [];
  for (const v of values) putVarint(body, varintBits(codec, v));
  putVarint(out, field * 8 + 2);
  putVarint(out, body.length);
  for (const x of body) out.push(x);
}

function readVarint(buf, at) {
  let v = 0n, shift = 0n;
  for (;;) {
    if (at >= buf.length || shift > 63n) throw new CalcgenError('decode', CG_ERR_DECODE, 'malformed varint');
    const b = buf[at++];
    v |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) return [BigInt.asUintN(64, v), at];
    shift += 7n;
  }
}

function fromVarint(codec, v) {
  switch (codec) {
    case 'int32': return Number(BigInt.asIntN(32, v));
    case 'uint32': return Number(v & 0xffffffffn);
    case 'sint32': { const u = v & 0xffffffffn; return Number(BigInt.asIntN(32, (u >> 1n) ^ -(u & 1n))); }
    case 'sint64': return BigInt.asIntN(64, (v >> 1n) ^ -(v & 1n));
    case 'int64': return BigInt.asIntN(64, v);
    default: return v; // uint64
  }
}

function* fields(buf) {
  let at = 0;
  while (at < buf.length) {
    let key;
    [key, at] = readVarint(buf, at);
    const field = Number(key >> 3n), wire = Number(key & 7n); // field numbers reach 2^29 - 1
    if (wire === 0) {
      let v;
      [v, at] = readVarint(buf, at);
      yield [field, wire, v];
    } else if (wire === 1 || wire === 5 || wire === 2) {
      let n = wire === 1 ? 8 : 4;
      if (wire === 2) {
        let len;
        [len, at] = readVarint(buf, at);
        n = Number(len);
      }
      if (at + n > buf.length) throw new CalcgenError('decode', CG_ERR_DECODE, 'truncated field');
      yield [field, wire, [at, at + n]];
      at += n;
    } else {
      throw new CalcgenError('decode', CG_ERR_DECODE, `unsupported wire type ${wire}`);
    }
  }
}

/** Field `field` of type `codec` from a message (the last occurrence wins;
 * absent is zero). */
export function decodeScalar(buf, field, codec) {
  let value = codec === 'float' || codec === 'double' ? 0 : /64$/.test(codec) ? 0n : 0;
  for (const [f, wire, v] of fields(buf)) {
    if (f !== field) continue;
    if ((wire === 0) === codec in FIXED || wire === 2) {
      throw new CalcgenError('decode', CG_ERR_DECODE, `field ${field} has wire type ${wire}, not ${codec}'s`);
    }
    if (wire === 0) {
      value = fromVarint(codec, v);
    } else {
      const [kind, n] = FIXED[codec];
      if (v[1] - v[0] !== n) throw new CalcgenError('decode', CG_ERR_DECODE, `field ${field} is not ${n} bytes wide`);
      value = new DataView(buf.buffer, buf.byteOffset + v[0], v[1] - v[0])[`get${kind}`](0, true);
    }
  }
  return value;
}

/** Repeated varint field `field` (packed or not) into a typed array of `elem`. */
export function decodeVarints(buf, field, codec, elem) {
  const out = [];
  for (const [f, wire, v] of fields(buf)) {
    if (f !== field) continue;
    if (wire !== 0 && wire !== 2) {
      throw new CalcgenError('decode', CG_ERR_DECODE, `field ${field} has wire type ${wire}, not ${codec}'s`);
    }
    if (wire === 0) {
      out.push(fromVarint(codec, v));
    } else {
      let [at, end] = v;
      while (at < end) {
        let x;
        [x, at] = readVarint(buf, at);
        out.push(fromVarint(codec, x));
      }
    }
  }
  return ELEMS[elem].array.from(out);
}

// ---- for Dart on the web (package:calcgen/generated_support_web.dart) -------

/** Calls target[method](...args) for Dart's dart:js_interop bindings:
 * { value } on success, { error } otherwise, so that no JavaScript exception
 * crosses into Dart (dart2wasm and dart2js surface those differently). */
export function callForDart(target, method, args) {
  try {
    return { value: target[method](...args) };
  } catch (e) {
    return { error: { name: e?.name ?? 'Error', message: String(e?.message ?? e), status: e?.status ?? -1,
                      detail: e?.detail ?? '', index: e?.index ?? -1 } };
  }
}

/** new cls(...args), answered as callForDart answers. */
export function newForDart(cls, args) {
  return callForDart({ make: (...a) => new cls(...a) }, 'make', args);
}

/** A typed array of `elem` over the bytes of `u8` (a copy when they are not aligned). */
export function typedFromBytes(elem, u8) {
  const e = ELEMS[elem];
  if (u8.byteOffset % e.width) u8 = u8.slice();
  return new e.array(u8.buffer, u8.byteOffset, u8.byteLength / e.width);
}

/** The bytes of a typed array (a view, not a copy). */
export function bytesOf(typed) {
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}
