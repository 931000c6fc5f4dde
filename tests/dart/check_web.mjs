// Cross-checks the Dart web bindings (*.calcgen.web.dart) without a Dart SDK:
//  - each has the public API of its dart:ffi twin (*.calcgen.dart), member
//    for member with the same signatures, except what only native code has
//    (constructors over a library, `native`, `pool`, `longCallElements`,
//    the *Ptr calls) and the web's `load`;
//  - every call it makes into the JavaScript bindings names a method of the
//    JavaScript class it loads, with that method's number of parameters;
//  - it imports package:calcgen/generated_support_web.dart (never dart:ffi),
//    and every $cg. name it uses is exported there;
//  - every calcgen_runtime.mjs function the runtime package's web support
//    declares is exported by calcgen_runtime.mjs, with its arity.
//   node check_web.mjs RUNTIME_LIB_DIR JS_DIR FILE.calcgen.dart...
// (each FILE.calcgen.dart beside its FILE.calcgen.web.dart; JS_DIR holds the
// JavaScript bindings of the same .proto files)
import { Parser, Language } from 'web-tree-sitter';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
await Parser.init();
const parser = new Parser();
parser.setLanguage(await Language.load(path.join(here, 'node_modules/tree-sitter-wasms/out/tree-sitter-dart.wasm')));

let problems = 0, checked = 0;
const fail = (msg) => { problems++; console.log(msg); };
const squash = (s) => s.replace(/\s+/g, ' ').trim();

// Public members of every class: name -> normalised signature.
function classes(file) {
  const root = parser.parse(fs.readFileSync(file, 'utf8')).rootNode;
  const out = new Map();
  for (const node of root.children) {
    if (node.type !== 'class_definition') continue;
    const name = node.childForFieldName('name').text;
    const members = new Map();
    for (const m of node.childForFieldName('body').namedChildren) {
      if (m.type !== 'method_signature' && m.type !== 'declaration') continue;
      const text = squash(m.text);
      let member;
      if (text.startsWith(`${name}(`) || text.startsWith(`${name}.`) || text.startsWith(`factory `)) {
        member = text.match(/^(?:factory )?([\w$.]+)/)[1]; // a constructor
      } else if (m.type === 'declaration') {
        member = text.split(' = ')[0].match(/([\w$]+)$/)[1]; // a field
      } else {
        member = (text.match(/\bget (\w+)$/) ?? text.match(/([\w$]+)\s*(?:<[^(]*>)?\(/))[1];
      }
      if (!member.startsWith('_') && !member.includes('._')) members.set(member, text.replace(/ =[^=>].*$/, ''));
    }
    out.set(name, members);
  }
  return out;
}

// Public names a runtime library exports (as check_package.mjs reads them).
function exported(lib) {
  const out = new Set();
  const text = fs.readFileSync(lib, 'utf8');
  for (const m of text.matchAll(/^export '([^']+)'(?: show ([^;]+))?;/gm)) {
    if (!m[2]) throw new Error(`${lib}: export of ${m[1]} without show`);
    for (const n of m[2].split(',')) out.add(n.trim());
  }
  return out;
}

// The engine (Async*.engine, the *Streams classes) needs threads: dart:ffi only.
const NATIVE_ONLY = (cls, member) => member === 'native' || member === 'pool' || member === 'longCallElements' ||
  member === 'engine' ||
  member.endsWith('Ptr') || member === cls || member.startsWith(`${cls}.`) || cls.endsWith('Native');

const [runtimeDir, jsDir, ...ffiFiles] = process.argv.slice(2);
const webSupport = exported(path.join(runtimeDir, 'generated_support_web.dart'));
const runtimeJs = await import(pathToFileURL(path.join(jsDir, 'calcgen_runtime.mjs')));

// The runtime package's declarations of calcgen_runtime.mjs functions.
const support = fs.readFileSync(path.join(runtimeDir, 'src', 'web_support.dart'), 'utf8');
const runtimeDecl = support.slice(support.indexOf('extension type CgJsRuntime'), support.indexOf('}', support.indexOf('extension type CgJsRuntime')));
for (const m of runtimeDecl.matchAll(/external [^;]*?\b(\w+)\(([^)]*)\);/g)) {
  const [_, name, params] = m;
  const required = params.split(',').filter((p) => p.trim() && !p.includes('[')).length;
  if (typeof runtimeJs[name] !== 'function') fail(`web_support.dart declares ${name}, which calcgen_runtime.mjs does not export`);
  else if (runtimeJs[name].length !== required) fail(`web_support.dart calls ${name} with ${required} arguments; it takes ${runtimeJs[name].length}`);
  checked++;
}

for (const ffi of ffiFiles) {
  const web = ffi.replace(/\.calcgen\.dart$/, '.calcgen.web.dart');
  const base = path.basename(ffi, '.calcgen.dart');
  const text = fs.readFileSync(web, 'utf8');
  if (/import 'dart:ffi'|generated_support\.dart'/.test(text)) fail(`${web}: imports dart:ffi or the native runtime`);
  if (!text.includes("import 'package:calcgen/generated_support_web.dart' as $cg;")) fail(`${web}: does not import generated_support_web.dart as $cg`);
  for (const m of new Set([...text.matchAll(/\$cg\.(\w+)/g)].map((m) => m[1]))) {
    if (!webSupport.has(m)) fail(`${web}: uses $cg.${m}, which generated_support_web.dart does not export`);
  }
  const native = classes(ffi), webClasses = classes(web);
  for (const [cls, members] of native) {
    if (cls.endsWith('Native') || cls.endsWith('Streams')) continue;
    const other = webClasses.get(cls);
    if (!other) { fail(`${web}: no class ${cls}`); continue; }
    for (const [member, sig] of members) {
      if (NATIVE_ONLY(cls, member)) continue;
      checked++;
      if (!other.has(member)) fail(`${web}: ${cls}.${member} is missing (${sig})`);
      else if (other.get(member) !== sig) fail(`${web}: ${cls}.${member} is '${other.get(member)}', the dart:ffi one '${sig}'`);
    }
    for (const member of other.keys()) {
      if (!members.has(member) && member !== 'load') fail(`${web}: ${cls}.${member} has no dart:ffi twin`);
    }
  }
  for (const cls of webClasses.keys()) if (!native.has(cls)) fail(`${web}: class ${cls} has no dart:ffi twin`);

  // Calls into the JavaScript class each Dart class loads.
  const bindings = await import(pathToFileURL(path.join(jsDir, `${base}_calcgen.mjs`)));
  const root = parser.parse(text).rootNode;
  for (const node of root.children) {
    if (node.type !== 'class_definition') continue;
    const body = node.text;
    const load = body.match(/CgWebService\.load\(bindingsUrl, '([^']+)', moduleUrl, '(\w+)'/);
    if (!load) continue;
    const [, runtimePath, jsClass] = load;
    if (runtimePath !== './calcgen_runtime.mjs' && !fs.existsSync(path.join(jsDir, path.dirname(base), runtimePath))) {
      fail(`${web}: runtime path ${runtimePath} does not lead to calcgen_runtime.mjs`);
    }
    const Cls = bindings[jsClass];
    if (typeof Cls !== 'function') { fail(`${web}: loads JS class ${jsClass}, which ${base}_calcgen.mjs does not export`); continue; }
    let calls = 0;
    for (const m of body.matchAll(/_svc\.call\('(\w+)', '(\w+)', \[(.*)\]\);/g)) {
      const [, op, method, args] = m;
      const n = args.trim() ? args.split(/,(?![^(]*\))/).length : 0;
      calls++;
      checked++;
      if (typeof Cls.prototype[method] !== 'function') fail(`${web}: ${op} calls ${jsClass}.${method}, which does not exist`);
      else if (Cls.prototype[method].length !== n) fail(`${web}: ${op} passes ${n} arguments to ${jsClass}.${method}, which takes ${Cls.prototype[method].length}`);
    }
    const ops = Object.getOwnPropertyNames(Cls.prototype).filter((p) => p !== 'constructor' && !p.endsWith('Into'));
    if (calls !== ops.length) fail(`${web}: calls ${calls} JS methods of ${jsClass}, which has ${ops.length}`);
  }
}
console.log(`${checked} checks, ${problems} problems`);
process.exitCode = problems ? 1 : 0;
