// Compiled by tsc (--strict, no emit) against the generated declarations:
// the calls a TypeScript app makes type-check, and misuse does not.
import { CalcCalculator, CalcCalculatorOps } from './calculator_calcgen.mjs';
import { CalcgenError, instantiate, simdSupported, type CalcgenModule } from './calcgen_runtime.mjs';

export async function use(url: string): Promise<bigint> {
  const calc = await CalcCalculator.load(url, { env: { CALCGEN_ISA: 'scalar' }, stderr: (line: string) => void line });
  const sum: bigint = calc.add(1n, 2);
  const q: number = calc.divideFloat(1, 3);
  const batch: BigInt64Array = calc.batchAdd(new BigInt64Array(4), [1n, 2n, 3n, 4n]);
  const into: BigInt64Array = calc.batchAddInto([1n], [2n], new BigInt64Array(1));
  const f: Float64Array = calc.batchMultiplyFloat([1.5], new Float64Array([2]));
  const bytes: Uint8Array = calc.factorial(Uint8Array.of(8, 5));
  const m: CalcgenModule = calc.module;
  const buf = m.allocBuffer('i64', 16);
  const view: BigInt64Array = buf.array;
  buf.free();
  const id: 1 = CalcCalculatorOps.ADD;
  const other = new CalcCalculator(await instantiate(new Uint8Array(0)));
  try {
    calc.divide(1n, 0n);
  } catch (e) {
    if (e instanceof CalcgenError) return BigInt(e.status + e.index);
  }
  // @ts-expect-error: a string is no operand
  calc.add('1', 2n);
  // @ts-expect-error: a Float64Array is no BigInt64Array
  calc.batchAdd(new Float64Array(1), new BigInt64Array(1));
  // @ts-expect-error: user ops take protobuf bytes
  calc.factorial({ n: 5 });
  return sum + BigInt(q + batch.length + into.length + f.length + bytes.length + view.length + id) + BigInt(simdSupported()) +
         (other ? 0n : 1n);
}
