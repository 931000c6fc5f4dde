"""The generated asyncio bindings (`*Async` classes over calcgen_runtime.Engine)
against the real libraries: 10^5 concurrent awaits of single ops, batches,
errors, and 100 concurrent streams of the three kinds, every result checked;
a slow reader holding the handler at its window; cancellation; close.

Environment: CALCULATOR_LIB, STUB_DIR (generated/), SCHEMA_DIR (schemas/),
TELEMETRY_LIB, TELEMETRY_STUB_DIR, TELEMETRY_PROTO_DIR (tests/engine)."""

import array
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import unittest

_pb_dir = tempfile.mkdtemp(prefix="calcgen-async-pb2-")
subprocess.run(["protoc", f"-I{os.environ['SCHEMA_DIR']}", f"-I{os.environ['TELEMETRY_PROTO_DIR']}",
                "-I/usr/include", f"--python_out={_pb_dir}",
                os.path.join(os.environ["SCHEMA_DIR"], "calculator.proto"),
                os.path.join(os.environ["SCHEMA_DIR"], "calcgen", "options.proto"),
                os.path.join(os.environ["TELEMETRY_PROTO_DIR"], "telemetry.proto"),
                "/usr/include/protobuf-c/protobuf-c.proto"], check=True)
sys.path[:0] = [_pb_dir, os.environ["TELEMETRY_STUB_DIR"], os.environ["STUB_DIR"]]

import calcgen_runtime as rt  # noqa: E402
import calculator_calcgen as calc  # noqa: E402
import calculator_pb2 as cpb  # noqa: E402
import telemetry_calcgen as tel  # noqa: E402
import telemetry_pb2 as tpb  # noqa: E402

I64 = (-2 ** 63, 2 ** 63 - 1)


def wrap64(v):
    v &= 2 ** 64 - 1
    return v - 2 ** 64 if v >> 63 else v


class CalculatorAsync(unittest.TestCase):
    def run_async(self, body):
        async def main():
            async with rt.Engine(os.environ["CALCULATOR_LIB"], workers=2, capacity=4096) as engine:
                await body(calc.CalcCalculatorAsync(engine), engine)
        asyncio.run(main())

    def test_100000_concurrent_single_ops(self):
        rng = random.Random(1)
        pairs = [(rng.randint(*I64), rng.randint(*I64)) for _ in range(100000)]

        async def body(c, engine):
            results = await asyncio.gather(*(c.add(a, b) for a, b in pairs))
            self.assertEqual(results, [wrap64(a + b) for a, b in pairs])
            self.assertEqual(engine.lib.cg_host_in_use(engine._host), 0)
        self.run_async(body)

    def test_every_kind_of_op_and_error(self):
        async def body(c, engine):
            self.assertEqual(await c.divide_float(1.0, 4.0), 0.25)
            self.assertEqual(await c.add_fixed(-5, 3), -2)
            self.assertEqual(list(await c.batch_add([1, 2, -3], [10, 20, 30])), [11, 22, 27])
            self.assertEqual(list(await c.batch_add_fixed([2 ** 62, -1], [2 ** 62, -1])), [-(2 ** 63), -2])
            self.assertEqual(list(await c.batch_multiply_float(array.array("d", [1.5, -2.0]), [2.0, 0.5])), [3.0, -1.0])
            self.assertEqual(list(await c.batch_add([], [])), [])
            reply = await c.factorial(cpb.FactorialRequest(n=10))
            self.assertEqual(reply.value, 3628800)
            with self.assertRaises(rt.CalcgenError) as e:
                await c.divide(1, 0)
            self.assertEqual(e.exception.status_name, "CG_ERR_DIVIDE_BY_ZERO")
            with self.assertRaises(rt.CalcgenError) as e:
                await c.batch_add_checked([1, 2 ** 63 - 1, 3], [1, 1, 1])
            self.assertEqual(e.exception.status_name, "CG_ERR_OVERFLOW")
            self.assertEqual(e.exception.index, 1)
            with self.assertRaises(OverflowError):
                await c.add(2 ** 63, 0)
            with self.assertRaises(rt.CalcgenError) as e:
                await c.batch_add([1, 2], [1])
            self.assertEqual(e.exception.status_name, "CG_ERR_INVALID_ARGUMENT")
            # errors and successes interleaved, all at once
            outs = await asyncio.gather(*(c.divide(i, i % 3) for i in range(3000)), return_exceptions=True)
            for i, out in enumerate(outs):
                if i % 3:
                    self.assertEqual(out, i // (i % 3))
                else:
                    self.assertIsInstance(out, rt.CalcgenError)
        self.run_async(body)

    def test_close_fails_what_is_pending(self):
        async def main():
            engine = rt.Engine(os.environ["CALCULATOR_LIB"], workers=1, capacity=16)
            c = calc.CalcCalculatorAsync(engine)
            tasks = [asyncio.ensure_future(c.add(i, 1)) for i in range(2000)]
            await asyncio.sleep(0)
            await engine.aclose()
            await engine.aclose()
            done = await asyncio.gather(*tasks, return_exceptions=True)
            for i, r in enumerate(done):
                if isinstance(r, rt.CalcgenError):
                    self.assertIn(r.status_name, ("CG_ERR_CANCELLED", "CG_ERR_CLOSED"))
                else:
                    self.assertEqual(r, i + 1)
            with self.assertRaises(rt.CalcgenError):
                await c.add(1, 1)
        asyncio.run(main())


class TelemetryAsync(unittest.TestCase):
    def run_async(self, body, **kw):
        async def main():
            async with rt.Engine(os.environ["TELEMETRY_LIB"], workers=2, **kw) as engine:
                await body(tel.AcmeTelemetryV1TelemetryAsync(engine), engine)
        asyncio.run(main())

    def test_100_concurrent_streams(self):
        async def watch(t, i):
            n = 20 + i % 30
            got = [u.seq async for u in await t.watch(tpb.WatchRequest(service=f"s{i}", count=n))]
            self.assertEqual(got, list(range(n)))
            return "watch"

        async def upload(t, i):
            up = await t.upload()
            values = [float(i * 1000 + k) for k in range(50 + i)]
            for v in values:
                await up.write(tpb.Sample(value=v))
            await up.close_send()
            summary = await up.result()
            self.assertEqual((summary.count, summary.sum, summary.max), (len(values), sum(values), max(values)))
            return "upload"

        async def chat(t, i):
            s = await t.chat()
            for k in range(10):
                await s.write(tpb.ChatMessage(text=f"m{i}-{k}"))
                reply = await s.__anext__()
                self.assertEqual((reply.text, reply.seq), (f"M{i}-{k}", k))
            await s.close_send()
            self.assertEqual([m async for m in s], [])
            self.assertIsNone(await s.result())
            return "chat"

        async def body(t, engine):
            kinds = [watch, upload, chat]
            done = await asyncio.gather(*(kinds[i % 3](t, i) for i in range(100)))
            self.assertEqual(done.count("watch") + done.count("upload") + done.count("chat"), 100)
            self.assertEqual(engine.lib.cg_host_in_use(engine._host), 0)
            # unary user ops beside them
            checks = await asyncio.gather(*(t.check(tpb.WatchRequest(service="db", count=i)) for i in range(5000)))
            self.assertEqual([c.seq for c in checks], list(range(5000)))
        self.run_async(body)

    def test_errors_mid_stream_and_cancel(self):
        async def body(t, engine):
            got = []
            with self.assertRaises(rt.CalcgenError) as e:
                async for u in await t.watch(tpb.WatchRequest(service="cache", count=100, fail_after=5)):
                    got.append(u.seq)
            self.assertEqual(got, [0, 1, 2, 3, 4])
            self.assertEqual(e.exception.status_name, "CG_ERR_HANDLER")
            self.assertIn("cache went away after 5 updates", str(e.exception))
            up = await t.upload()
            await up.write(tpb.Sample(label="reject"))
            with self.assertRaises(rt.CalcgenError) as e:
                await up.result()
            self.assertEqual(e.exception.status_name, "CG_ERR_INVALID_ARGUMENT")
            with self.assertRaises(rt.CalcgenError) as e:
                await up.write(tpb.Sample(value=1))
            self.assertEqual(e.exception.status_name, "CG_ERR_CLOSED")
            # a slow reader: the handler waits at its window (4), the host holds no more
            feed = await t.watch(tpb.WatchRequest(service="feed"))  # forever
            first = await feed.__anext__()
            await asyncio.sleep(0.05)
            self.assertLessEqual(engine.lib.cg_host_in_use(engine._host), 4 + 1)
            self.assertEqual(first.seq, 0)
            self.assertEqual((await feed.__anext__()).seq, 1)
            self.assertTrue(feed.cancel())
            with self.assertRaises(rt.CalcgenError) as e:
                async for _ in feed:
                    pass
            self.assertEqual(e.exception.status_name, "CG_ERR_CANCELLED")
            self.assertFalse(feed.cancel())  # it has ended
            # result() without reading: the messages are dropped, the end comes
            many = await t.watch(tpb.WatchRequest(service="many", count=1000))
            self.assertIsNone(await many.result())
            # a result() given up on (its future cancelled) does not upset later completions
            slow = await t.watch(tpb.WatchRequest(service="slow"))
            with self.assertRaises(asyncio.TimeoutError):
                await asyncio.wait_for(slow.result(), 0.05)
            self.assertTrue(slow.cancel())
            checks = await asyncio.gather(*(t.check(tpb.WatchRequest(service="x", count=i)) for i in range(100)))
            self.assertEqual([c.seq for c in checks], list(range(100)))
        self.run_async(body, stream_window=4)

    def test_blocked_writes_do_not_stop_close(self):
        async def main():
            engine = rt.Engine(os.environ["TELEMETRY_LIB"], workers=1, stream_window=1)
            t = tel.AcmeTelemetryV1TelemetryAsync(engine)
            chats = [await t.chat() for _ in range(12)]  # more than the default executor's threads
            # nobody reads the echoes: each handler blocks sending, each host write then waits
            writes = [asyncio.ensure_future(c.write(tpb.ChatMessage(text="x"))) for c in chats for _ in range(4)]
            await asyncio.sleep(0.1)
            await asyncio.wait_for(engine.aclose(), 10)
            done = await asyncio.gather(*writes, return_exceptions=True)
            for r in done:
                if isinstance(r, rt.CalcgenError):
                    self.assertIn(r.status_name, ("CG_ERR_CANCELLED", "CG_ERR_CLOSED"))
            with self.assertRaises(rt.CalcgenError):
                await chats[0].write(tpb.ChatMessage(text="late"))
            self.assertFalse(chats[0].cancel())
        asyncio.run(main())


if __name__ == "__main__":
    unittest.main()
