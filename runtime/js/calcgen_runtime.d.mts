// Types of calcgen_runtime.mjs, calcgen's JavaScript runtime.

export declare const ABI: 1;
export declare const STATUS: Readonly<Record<number, string>>;
export declare const CG_OK: 0;
export declare const CG_ERR_UNKNOWN_OP: 1;
export declare const CG_ERR_DECODE: 2;
export declare const CG_ERR_INVALID_ARGUMENT: 3;
export declare const CG_ERR_DIVIDE_BY_ZERO: 4;
export declare const CG_ERR_OVERFLOW: 5;
export declare const CG_ERR_LIMIT: 6;
export declare const CG_ERR_NO_MEMORY: 7;
export declare const CG_ERR_HANDLER: 8;
export declare const CG_ERR_CANCELLED: 9;
export declare const CG_ERR_CLOSED: 10;

/** A call returned a status other than CG_OK. */
export declare class CalcgenError extends Error {
  constructor(op: string, status: number, detail: string, index?: number);
  readonly op: string;
  readonly status: number;
  readonly statusName: string;
  readonly detail: string;
  /** The failing element of a batch; -1 when none applies. */
  readonly index: number;
}

export type ElemType = 'i32' | 'u32' | 'i64' | 'u64' | 'f32' | 'f64';
export type ElemArray = Int32Array | Uint32Array | BigInt64Array | BigUint64Array | Float32Array | Float64Array;
export type ModuleSource = string | URL | Response | ArrayBuffer | ArrayBufferView | WebAssembly.Module;

export interface InstantiateOptions {
  /** The environment the module sees, e.g. { CALCGEN_ISA: 'scalar' }. */
  env?: Record<string, string>;
  /** Receives each line the module writes to stdout or stderr (default console.error). */
  stderr?: (line: string) => void;
}

export declare const ELEMS: Readonly<Record<ElemType, {
  array: { new(n: number): ElemArray; readonly name: string };
  width: 4 | 8;
  big: boolean;
}>>;

export declare function scalarArg(op: string, name: string, elem: ElemType, value: unknown): number | bigint;
export declare function argI64(op: string, name: string, value: unknown): bigint;
/** The value's 64 bits as a signed BigInt: how a wasm i64 parameter takes a uint64. */
export declare function argU64(op: string, name: string, value: unknown): bigint;
export declare function argI32(op: string, name: string, value: unknown): number;
export declare function argU32(op: string, name: string, value: unknown): number;
export declare function argF32(op: string, name: string, value: unknown): number;
export declare function argF64(op: string, name: string, value: unknown): number;
export declare function arrayArg(op: string, name: string, elem: ElemType, values: unknown): ElemArray;

/** Whether this engine runs WebAssembly SIMD (pick calculator.wasm over calculator-scalar.wasm). */
export declare function simdSupported(): boolean;
/** Runs a wasm32-wasi command module (e.g. a C test suite) with the loader's WASI subset. */
export declare function runWasiCommand(source: ModuleSource, options?: { args?: string[]; env?: Record<string, string> }):
  Promise<{ exitCode: number; output: string[] }>;

export declare function instantiate(source: ModuleSource, options?: InstantiateOptions): Promise<CalcgenModule>;

/** One instance of a calcgen module. Single-threaded, as a wasm instance is. */
export declare class CalcgenModule {
  readonly instance: WebAssembly.Instance;
  readonly exports: Record<string, any>;
  readonly memory: WebAssembly.Memory;
  /** The kernel set the module runs: "simd128" or "scalar". */
  readonly isa: string;
  /** The address single ops write their result to. */
  readonly cell: number;
  readonly heap: { u8: Uint8Array; dv: DataView; i32: Int32Array; u32: Uint32Array; i64: BigInt64Array;
                    u64: BigUint64Array; f32: Float32Array; f64: Float64Array };
  /** n elements inside the module's memory: batch calls given its array use it without copies. */
  allocBuffer(elem: 'i32', n: number): CalcgenBuffer<Int32Array>;
  allocBuffer(elem: 'u32', n: number): CalcgenBuffer<Uint32Array>;
  allocBuffer(elem: 'i64', n: number): CalcgenBuffer<BigInt64Array>;
  allocBuffer(elem: 'u64', n: number): CalcgenBuffer<BigUint64Array>;
  allocBuffer(elem: 'f32', n: number): CalcgenBuffer<Float32Array>;
  allocBuffer(elem: 'f64', n: number): CalcgenBuffer<Float64Array>;
  scratch(bytes: number): number;
  /** Why the instance can no longer be used (a call trapped), or null. */
  readonly dead: string | null;
  alive(): void;
  /** CG_ERR_LIMIT before anything is copied: n over cg_max_batch(), or requestBytes over cg_max_request(). */
  checkBatch(op: string, n: number, requestBytes: number): void;
  checkRequest(op: string, bytes: number): void;
  die(op: string, e: unknown): never;
  fail(op: string, status: number): never;
  result(elem: ElemType): number | bigint;
  batch<T extends ElemArray>(op: string, elem: ElemType, fn: (...args: number[]) => number, a: ElemArray, b: ElemArray, out: T): T;
  dispatch(opName: string, fn: (...args: number[]) => number, op: number, request: Uint8Array): Uint8Array;
}

/** Memory inside a module; `array` is made again after the memory grows. */
export declare class CalcgenBuffer<T extends ElemArray> {
  readonly module: CalcgenModule;
  /** Its address in the module's memory (0 once freed). */
  readonly address: number;
  readonly length: number;
  readonly array: T;
  free(): void;
}

export declare function encodeScalar(out: number[], field: number, codec: string, value: number | bigint): void;
export declare function encodePackedVarints(out: number[], field: number, codec: string, values: ArrayLike<number | bigint>): void;
export declare function decodeScalar(buf: Uint8Array, field: number, codec: string): number | bigint;
export declare function decodeVarints(buf: Uint8Array, field: number, codec: string, elem: ElemType): ElemArray;

/** For Dart on the web: { value } or { error }, never a thrown exception. */
export declare function callForDart(target: object, method: string, args: unknown[]):
  { value: unknown } | { error: { name: string; message: string; status: number; detail: string; index: number } };
export declare function newForDart(cls: new (...args: any[]) => object, args: unknown[]):
  { value: unknown } | { error: { name: string; message: string; status: number; detail: string; index: number } };
export declare function typedFromBytes(elem: ElemType, u8: Uint8Array): ElemArray;
export declare function bytesOf(typed: ArrayBufferView): Uint8Array;
