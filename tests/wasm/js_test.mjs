// The JavaScript tests' runner: test(name, fn) runs one case and reports it;
// summary() prints the count. A failing case sets the exit status to 1.
let passed = 0, failed = 0;

export async function test(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}\n${e.stack}`);
    process.exitCode = 1;
  }
}

export function summary() {
  console.log(`${passed} passed, ${failed} failed`);
}
