// Runs a wasm32-wasi command module under Node's WASI: the exe_wrapper of
// cross/wasm32-wasi.ini, so `meson test` runs wasm tests like native ones.
// Usage: node --experimental-wasi-unstable-preview1 run_wasi.mjs module.wasm [args...]
// The module sees the arguments, the environment and the current directory
// (preopened as "."), and its exit status becomes this process's.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';

const [file, ...args] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: run_wasi.mjs module.wasm [args...]\n');
  process.exit(2);
}
// `version` is required from Node 20 and accepted (or ignored) before.
const wasi = new WASI({ version: 'preview1', args: [file, ...args], env: process.env,
                        preopens: { '.': process.cwd() }, returnOnExit: true });
const imports = wasi.getImportObject ? wasi.getImportObject()
                                     : { wasi_snapshot_preview1: wasi.wasiImport };
const module = await WebAssembly.compile(await readFile(file));
const instance = await WebAssembly.instantiate(module, imports);
process.exitCode = wasi.start(instance);
