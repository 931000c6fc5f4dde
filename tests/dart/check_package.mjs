// Static checks of generated Dart libraries that one app package would hold
// together, with the calcgen runtime package (no Dart SDK here):
//  - no public top-level name is declared twice across them (exporting two
//    generated libraries, or one and package:calcgen, would be ambiguous);
//  - every runtime name a generated library uses ($cg.Name) is exported by
//    package:calcgen/generated_support.dart;
//  - every generated library imports that runtime instead of carrying it.
//   node check_package.mjs RUNTIME_LIB_DIR FILE.calcgen.dart...
import { Parser, Language } from 'web-tree-sitter';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
await Parser.init();
const parser = new Parser();
parser.setLanguage(await Language.load(path.join(here, 'node_modules/tree-sitter-wasms/out/tree-sitter-dart.wasm')));

const DECLS = new Set(['class_definition', 'enum_declaration', 'mixin_declaration', 'extension_declaration',
                       'type_alias', 'function_signature']);

// Top-level names a library declares.
function topLevel(file) {
  const root = parser.parse(fs.readFileSync(file, 'utf8')).rootNode;
  const names = [];
  for (const node of root.children) {
    if (DECLS.has(node.type)) {
      const id = node.childForFieldName('name') ||
                 node.children.find((c) => c.type === 'identifier' || c.type === 'type_identifier');
      if (id) names.push(id.text);
    } else if (node.type === 'static_final_declaration_list' || node.type === 'initialized_identifier_list') {
      for (const d of node.namedChildren) {
        const id = d.children.find((c) => c.type === 'identifier');
        if (id) names.push(id.text);
      }
    }
  }
  return names;
}

// Public names a runtime library exports: `export 'x.dart' show A, B;` or all of x.dart.
function exported(lib, seen = new Set()) {
  const out = new Set();
  if (seen.has(lib)) return out;
  seen.add(lib);
  const text = fs.readFileSync(lib, 'utf8');
  for (const m of text.matchAll(/^export '([^']+)'(?: show ([^;]+))?;/gm)) {
    const target = path.join(path.dirname(lib), m[1]);
    const names = m[2] ? m[2].split(',').map((s) => s.trim()) : [...exported(target, seen), ...topLevel(target)];
    for (const n of names) if (!n.startsWith('_')) out.add(n);
  }
  return out;
}

const [runtimeDir, ...files] = process.argv.slice(2);
const support = exported(path.join(runtimeDir, 'generated_support.dart'));
const owners = new Map();
for (const n of exported(path.join(runtimeDir, 'calcgen.dart'))) owners.set(n, 'package:calcgen/calcgen.dart');
let problems = 0;
const fail = (msg) => { problems++; console.log(msg); };
for (const file of files) {
  const text = fs.readFileSync(file, 'utf8');
  if (!text.includes("import 'package:calcgen/generated_support.dart' as $cg;")) {
    fail(`${file}: does not import package:calcgen/generated_support.dart`);
  }
  for (const n of topLevel(file)) {
    if (n.startsWith('_')) continue;
    if (owners.has(n)) fail(`${file}: ${n} is also declared by ${owners.get(n)}`);
    else owners.set(n, file);
  }
  for (const m of new Set([...text.matchAll(/\$cg\.(\w+)/g)].map((m) => m[1]))) {
    if (!support.has(m)) fail(`${file}: uses $cg.${m}, which package:calcgen/generated_support.dart does not export`);
  }
}
console.log(`${files.length} libraries, ${owners.size} public top-level names, ${problems} problems`);
process.exit(problems ? 1 : 0);
