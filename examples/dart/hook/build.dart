// Native assets: builds libcalculator with the calcgen repository's Meson
// build (two directories up) and registers it for the @Native calls of
// lib/src/calculator.calcgen.dart, so `dart run` and `dart test` need no
// CALCULATOR_LIB. Builds for the machine it runs on; cross builds (Android,
// iOS) use a Meson cross file per target instead.
import 'dart:io';

import 'package:code_assets/code_assets.dart';
import 'package:hooks/hooks.dart';

void main(List<String> args) async {
  await build(args, (input, output) async {
    if (!input.config.buildCodeAssets) return;
    final os = input.config.code.targetOS;
    final arch = input.config.code.targetArchitecture;
    if (os != OS.current || arch != Architecture.current) {
      throw UnsupportedError('hook/build.dart builds libcalculator for the machine it runs on '
          '(${OS.current}/${Architecture.current}), not $os/$arch: '
          'build it with a Meson cross file for that target in this hook');
    }
    final repo = input.packageRoot.resolve('../../');
    final buildDir = input.outputDirectory.resolve('meson/');
    if (!File.fromUri(buildDir.resolve('build.ninja')).existsSync()) {
      await _run('meson', ['setup', buildDir.toFilePath(), repo.toFilePath(), '--buildtype=release', '-Dtests=false']);
    }
    final name = os.dylibFileName('calculator');
    await _run('ninja', ['-C', buildDir.toFilePath(), 'examples/calculator/$name']);
    output.assets.code.add(CodeAsset(
      package: input.packageName,
      name: 'src/calculator.calcgen.dart',
      linkMode: DynamicLoadingBundled(),
      file: buildDir.resolve('examples/calculator/$name'),
    ));
    // Rerun (ninja then rebuilds what changed) when any source of the
    // library changes: the schema, the handlers, the generator, the runtime.
    output.addDependencies([
      for (final dir in ['schemas', 'examples/calculator', 'generator', 'templates', 'runtime'])
        ...Directory.fromUri(repo.resolve('$dir/'))
            .listSync(recursive: true)
            .whereType<File>()
            .map((f) => f.uri),
      repo.resolve('meson.build'),
    ]);
  });
}

Future<void> _run(String exe, List<String> args) async {
  final r = await Process.run(exe, args);
  if (r.exitCode != 0) {
    throw ProcessException(exe, args, '${r.stdout}${r.stderr}', r.exitCode);
  }
}
