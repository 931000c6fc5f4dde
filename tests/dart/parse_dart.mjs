// Parses Dart files with the tree-sitter Dart grammar and reports every
// ERROR or MISSING node with its position. Exit status 1 when any file has
// one. No Dart SDK can be installed on these machines; this is the check.
//   node parse_dart.mjs FILE.dart...
import { Parser, Language } from 'web-tree-sitter';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const grammar = process.env.DART_GRAMMAR ||
  path.join(process.env.NODE_PATH || path.join(here, 'node_modules'), 'tree-sitter-wasms/out/tree-sitter-dart.wasm');

await Parser.init();
const parser = new Parser();
parser.setLanguage(await Language.load(grammar));

function problems(node, out) {
  if (node.isError || node.isMissing) {
    out.push({ kind: node.isMissing ? 'missing' : 'error', row: node.startPosition.row + 1,
               col: node.startPosition.column + 1, text: node.text.slice(0, 60) });
  }
  if (node.hasError) for (const child of node.children) problems(child, out);
  return out;
}

let failed = 0;
for (const file of process.argv.slice(2)) {
  const tree = parser.parse(fs.readFileSync(file, 'utf8'));
  const found = problems(tree.rootNode, []);
  if (found.length) {
    failed++;
    for (const p of found.slice(0, 10)) console.log(`${file}:${p.row}:${p.col}: ${p.kind}: ${JSON.stringify(p.text)}`);
  } else {
    console.log(`${file}: ok (${tree.rootNode.descendantCount} nodes)`);
  }
}
console.log(`${process.argv.length - 2 - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
