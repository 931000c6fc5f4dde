#!/bin/sh
# End-to-end check of the schema corpus (tests/corpus/root_a and root_b, two
# import roots): generates C, Python and Dart for every file; compiles all
# generated C strictly (gcc and clang, -std=c17 -Wall -Wextra -Wpedantic
# -Werror) and every .calcgen.h as C++17; parses the Dart; builds one shared
# library from all of it plus generic handlers (corpus_fill.c) and calls every
# op of every service through ctypes and the generated Python stubs
# (test_corpus.py). Runs every step even after a failure, lists each failure
# and exits non-zero if there was any.
#   run_corpus.sh CALCGEN_LAUNCHER SOURCE_ROOT WORK_DIR BUILD_INCLUDE_DIR LIBCALCGEN_A
# PYTHON (default /usr/bin/python3) must have google.protobuf and jinja2.
set -u
calcgen=$1 src=$2 work=$3 build_inc=$4 libcalcgen=$5
py=${PYTHON:-/usr/bin/python3}
corpus="$src/tests/corpus"
root_a="$corpus/root_a" root_b="$corpus/root_b"
out="$work/out"
rm -rf "$work" && mkdir -p "$out" "$work/obj" "$work/log"
status=0
failed() { echo "FAILED: $*"; status=1; }
show() { sed 's/^/    /' "$1"; }

files=$(find "$root_a" "$root_b" -name '*.proto' | sort)
incs="-I$out -I$src/runtime/include -I$build_inc"  # what generated code needs
lib_incs="$incs -I$corpus"

# 1. Generate each file on its own, so one file's error leaves the others
# testable. --c-out also receives protoc-c's code for every import.
generated=""
for f in $files; do
  if "$calcgen" generate -I "$root_a" -I "$root_b" --c-out "$out" --python-out "$out" --dart-out "$out" \
       "$f" >"$work/log/gen" 2>&1; then
    generated="$generated $f"
  else
    failed "calcgen generate ${f#"$corpus/"}"; show "$work/log/gen"
  fi
done

# 2. Strict compiles: every generated .c under gcc and clang; every
# .calcgen.h as C++17. Also in the GNU modes (the compilers' defaults, and
# calcgen's own c_std), where names like `linux` and `unix` are macros.
strict=0
warn="-Wall -Wextra -Wpedantic -Werror"
for cc in gcc clang; do
  for std in c17 gnu17; do
    for c in $(find "$out" -name '*.c' | sort); do
      if $cc -std=$std $warn $incs -c "$c" -o "$work/obj/strict.o" 2>"$work/log/cc"; then
        strict=$((strict + 1))
      else
        failed "$cc -std=$std $warn ${c#"$out/"}"; show "$work/log/cc"
      fi
    done
  done
done
for cxx in g++ clang++; do
  for std in c++17 gnu++17; do
    for h in $(find "$out" -name '*.calcgen.h' | sort); do
      printf '#include "%s"\n' "${h#"$out/"}" >"$work/obj/header.cpp"
      if $cxx -std=$std $warn -fsyntax-only -x c++ $incs "$work/obj/header.cpp" 2>"$work/log/cxx"; then
        strict=$((strict + 1))
      else
        failed "$cxx -std=$std $warn -fsyntax-only -x c++ ${h#"$out/"}"; show "$work/log/cxx"
      fi
    done
  done
done
echo "$strict strict compiles clean"

# 3. Dart: the generated bindings parse.
dart=$(find "$out" -name '*.dart' | sort)
if [ -n "$dart" ]; then
  if "$src/tests/dart/check_dart.sh" $dart >"$work/log/dart" 2>&1; then
    echo "$(echo "$dart" | wc -l) Dart files parse"
  else
    failed "tests/dart/check_dart.sh on the generated Dart"; show "$work/log/dart"
  fi
fi

# 4. Python: protoc's modules for the corpus and calcgen/options.proto (the
# well-known types come with the protobuf package); stubs compile.
proto_path=$("$calcgen" --proto-path)
if ! protoc -I "$root_a" -I "$root_b" -I "$proto_path" -I /usr/include --python_out="$out" $files \
     calcgen/options.proto protobuf-c/protobuf-c.proto 2>"$work/log/protoc"; then
  failed "protoc --python_out"; show "$work/log/protoc"
fi
for stub in $(find "$out" -name '*_calcgen.py' | sort); do
  "$py" -m py_compile "$stub" 2>"$work/log/py" || { failed "py_compile ${stub#"$out/"}"; show "$work/log/py"; }
done

# 5. The library: every generated .c (a file whose dispatch does not compile
# is left out with its services), generic handlers for the rest.
testable=""
objs=""
n=0
for f in $generated; do
  base=${f#"$root_a/"}
  base=${base#"$root_b/"}
  base=${base%.proto}
  if [ -f "$out/$base.calcgen.c" ]; then
    n=$((n + 1))
    if cc -std=c17 -O1 -fPIC $lib_incs -c "$out/$base.calcgen.c" -o "$work/obj/dispatch$n.o" 2>"$work/log/cc"; then
      objs="$objs $work/obj/dispatch$n.o"
    else
      failed "compiling ${base}.calcgen.c for the library (its services are not tested)"; show "$work/log/cc"
      continue
    fi
  fi
  testable="$testable $f"
done
for c in $(find "$out" -name '*.pb-c.c' | sort); do
  n=$((n + 1))
  if cc -std=c17 -O1 -fPIC $lib_incs -c "$c" -o "$work/obj/pbc$n.o" 2>"$work/log/cc"; then
    objs="$objs $work/obj/pbc$n.o"
  else
    failed "compiling ${c#"$out/"}"; show "$work/log/cc"
  fi
done
(cd "$corpus" && "$py" make_handlers.py -I "$root_a" -I "$root_b" -o "$work/handlers.c" $testable) ||
  failed "make_handlers.py"
lib="$work/libcorpus.so"
for c in "$work/handlers.c" "$corpus/corpus_fill.c"; do
  n=$((n + 1))
  if cc -std=c17 -O1 -fPIC -Wall -Wextra -Wpedantic -Werror $lib_incs -c "$c" -o "$work/obj/h$n.o" 2>"$work/log/cc"; then
    objs="$objs $work/obj/h$n.o"
  else
    failed "compiling ${c##*/}"; show "$work/log/cc"
  fi
done
if ! cc -shared -Wl,-z,defs -o "$lib" $objs "$libcalcgen" -lprotobuf-c -lpthread -lm 2>"$work/log/ld"; then
  failed "linking libcorpus.so"; show "$work/log/ld"
fi

# 6. Every op of every service that made it this far.
if [ -f "$lib" ] && [ -n "$testable" ]; then
  (cd "$corpus" && "$py" test_corpus.py --lib "$lib" --python-dir "$out" -I "$root_a" -I "$root_b" $testable) ||
    failed "test_corpus.py"
fi

[ $status -eq 0 ] && echo "corpus: all checks passed"
exit $status
