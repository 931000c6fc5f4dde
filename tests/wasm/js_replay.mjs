// Replays the calls js_vs_native.py drew (JSON on stdin) through the generated
// JavaScript bindings in BINDINGS_DIR over MODULE.wasm, and prints each
// result in the same JSON form as the native side (see replay.mjs).
// usage: node js_replay.mjs BINDINGS_DIR MODULE.wasm < cases.json
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { replay } from './replay.mjs';

const [dir, modulePath] = process.argv.slice(2);
const cases = JSON.parse(readFileSync(0, 'utf8'));
const rt = await import(pathToFileURL(join(dir, 'calcgen_runtime.mjs')));
const module = await rt.instantiate(modulePath);
const out = await replay(cases, rt, module, (file) => import(pathToFileURL(join(dir, file))));
process.stdout.write(JSON.stringify(out));
