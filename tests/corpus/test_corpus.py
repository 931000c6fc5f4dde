#!/usr/bin/env python3
"""Calls every op of every corpus service through the shared library that
run_corpus.sh built, twice: raw `<prefix>_dispatch` through ctypes, and the
generated Python stub. User ops (answered by corpus_answer) must return
digest.expected_response(request); kernel ops the contract's arithmetic
(kernel_ref). Every op also gets an empty request, a request truncated by
one byte (CG_ERR_DECODE), and each service an unknown op id.

    test_corpus.py --lib LIB.so --python-dir DIR -I ROOT... FILE.proto...

DIR holds protoc's _pb2 modules for the corpus and calcgen's _calcgen.py
stubs. Checks everything, then prints the first failure of each failing op
(and how many more it had) and a summary line; exits 1 on any failure."""

import argparse
import array
import asyncio
import ctypes
import importlib
import os
import random
import sys

import corpus_model
import digest
import kernel_ref

CALLS_PER_OP = 4       # random requests per op, besides the empty one
MAX_FAILURES_SHOWN = 60
DECODE, UNKNOWN_OP, INVALID_ARGUMENT = 2, 1, 3


class Bytes(ctypes.Structure):
    _fields_ = [("data", ctypes.POINTER(ctypes.c_uint8)), ("len", ctypes.c_size_t)]


class Checker:
    def __init__(self, lib_path):
        self.lib_path = lib_path
        self.lib = ctypes.CDLL(lib_path)
        self._dispatch = {}
        self.lib.cg_last_error.restype = ctypes.c_char_p
        self.lib.cg_last_error.argtypes = []
        self.failures = {}   # op (or service) -> its failures, in call order
        self.current = ""
        self.calls = 0
        self.ops = {"user": 0, "kernel": 0, "stream": 0}

    # ---- plumbing ----

    def fail(self, where, text):
        self.failures.setdefault(self.current, []).append(f"{where}: {text}")

    def dispatch(self, svc, op_id, payload):
        """(status, response bytes, last error) of one raw call; payload
        None sends (NULL, 0)."""
        fn = self._dispatch.get(svc.prefix)
        if fn is None:
            # lib[name] is a function object of our own: the stub sets other
            # argtypes on the one lib.name would share with it
            fn = self._dispatch[svc.prefix] = self.lib[f"{svc.prefix}_dispatch"]
            fn.argtypes = [ctypes.c_uint32, ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(Bytes)]
            fn.restype = ctypes.c_int32
        resp = Bytes()
        st = fn(op_id, payload, len(payload or b""), ctypes.byref(resp))
        self.calls += 1
        data = ctypes.string_at(resp.data, resp.len) if st == 0 and resp.len else b""
        err = self.lib.cg_last_error().decode("utf-8", "replace") if st else ""
        return st, data, err

    @staticmethod
    def message_class(msg):
        module = importlib.import_module(msg.python_module)
        obj = module
        for part in msg.local_name.split("."):
            obj = getattr(obj, part)
        return obj

    # ---- per service ----

    def check_service(self, pf, svc):
        where = self.current = svc.full_name
        fn = getattr(self.lib, f"{svc.prefix}_schema_hash")
        fn.restype, fn.argtypes = ctypes.c_uint64, []
        if fn() != svc.schema_hash:
            self.fail(where, f"schema hash {fn():#x}, the model says {svc.schema_hash:#x}")
        name_fn = getattr(self.lib, f"{svc.prefix}_op_name")
        name_fn.restype, name_fn.argtypes = ctypes.c_char_p, [ctypes.c_uint32]
        unknown = max([op.id for op in svc.ops + svc.streams], default=0) + 1
        st, _, _ = self.dispatch(svc, unknown, None)
        if st != UNKNOWN_OP:
            self.fail(where, f"op id {unknown} (unknown) gave status {st}, not CG_ERR_UNKNOWN_OP")
        if name_fn(unknown) is not None:
            self.fail(where, f"{svc.prefix}_op_name({unknown}) is not NULL")
        stub_module = importlib.import_module(pf.python_file[:-len(".py")].replace("/", "."))
        stub = getattr(stub_module, svc.class_name)(self.lib_path)
        errors = stub_module.CalcgenError
        for op in svc.ops:
            op_where = self.current = f"{where}.{op.name} (op {op.id})"
            got_name = name_fn(op.id)
            if got_name is None or got_name.decode() != op.name:
                self.fail(op_where, f"{svc.prefix}_op_name gave {got_name!r}")
            rng = random.Random(f"{svc.full_name}/{op.name}")
            if op.is_user:
                self.ops["user"] += 1
                self.check_user_op(svc, op, stub, errors, rng, op_where)
            else:
                self.ops["kernel"] += 1
                self.check_kernel_op(svc, op, stub, errors, rng, op_where)
        if svc.streams:
            asyncio.run(self.check_streams(svc, stub_module, name_fn, where))

    # ---- streaming methods, through the engine (the generated *Async class) ----

    async def check_streams(self, svc, stub_module, name_fn, where):
        rt = importlib.import_module("calcgen_runtime")
        async with rt.Engine(self.lib_path, workers=2, stream_window=2) as engine:
            stub = getattr(stub_module, svc.class_name + "Async")(engine)
            for op in svc.streams:
                op_where = self.current = f"{where}.{op.name} (a {op.streaming} stream, op {op.id})"
                self.ops["stream"] += 1
                got_name = name_fn(op.id)
                if got_name is None or got_name.decode() != op.name:
                    self.fail(op_where, f"{svc.prefix}_op_name gave {got_name!r}")
                st, _, err = self.dispatch(svc, op.id, None)
                if st != INVALID_ARGUMENT or "stream" not in err:
                    self.fail(op_where, f"dispatch of a streaming method gave status {st} ({err!r})")
                rng = random.Random(f"{svc.full_name}/{op.name}")
                req_cls, resp_cls = self.message_class(op.request), self.message_class(op.response)
                try:
                    await self.check_stream(op, stub, rng, req_cls, resp_cls, op_where)
                except Exception as e:  # noqa: BLE001 - reported per op
                    self.fail(op_where, f"{type(e).__name__}: {e}")

    async def check_stream(self, op, stub, rng, req_cls, resp_cls, where):
        method = getattr(stub, op.python_name)
        requests = [req_cls()] + [digest.populate(req_cls, rng) for _ in range(CALLS_PER_OP)]
        requests = [req_cls.FromString(r.SerializePartialToString()) for r in requests if r.IsInitialized()]
        if op.streaming == "server":
            for request in requests:
                got = [m async for m in await method(request)]
                self.calls += 1
                want = digest.expected_response(request, resp_cls)
                if got != [want] * 3:
                    self.fail(where, f"{len(got)} messages, want 3 x {_short(want)}")
            return
        stream = await method()
        if op.streaming == "client":
            for request in requests:
                await stream.write(request)
            await stream.close_send()
            got = await stream.result()
            self.calls += 1
            want = digest.expected_response(requests[-1] if requests else req_cls(), resp_cls)
            if got != want:
                self.fail(where, f"response {_short(got)}, want {_short(want)}")
            return
        for request in requests:  # bidi: one answer per message, in turn
            await stream.write(request)
            got = await stream.__anext__()
            self.calls += 1
            want = digest.expected_response(request, resp_cls)
            if got != want:
                self.fail(where, f"answer {_short(got)}, want {_short(want)}")
        await stream.close_send()
        rest = [m async for m in stream]
        if rest or await stream.result() is not None:
            self.fail(where, f"{len(rest)} messages after the host's last")

    def check_truncated(self, svc, op, payload, where):
        if payload:
            st, _, err = self.dispatch(svc, op.id, payload[:-1])
            if st != DECODE:
                self.fail(where, f"request truncated to {len(payload) - 1} of {len(payload)} bytes gave "
                                 f"status {st} ({err!r}), not CG_ERR_DECODE")

    # ---- user ops ----

    def check_user_op(self, svc, op, stub, errors, rng, where):
        req_cls, resp_cls = self.message_class(op.request), self.message_class(op.response)
        stub_method = getattr(stub, op.python_name)
        requests = [req_cls()] + [digest.populate(req_cls, rng) for _ in range(CALLS_PER_OP)]
        for i, request in enumerate(requests):
            payload = request.SerializePartialToString()
            call = f"{where} request #{i} ({len(payload)} bytes)"
            if not request.IsInitialized():
                # the empty message of a type with proto2 `required` fields:
                # protobuf-c refuses it (the stub cannot even encode it)
                st, _, err = self.dispatch(svc, op.id, payload)
                if st != DECODE:
                    self.fail(call, f"request without its required fields gave status {st} ({err!r}), "
                                    f"not CG_ERR_DECODE")
                continue
            sent = req_cls.FromString(payload)  # what the C side decodes
            expected = digest.expected_response(sent, resp_cls)
            variants = [("raw dispatch", payload)] + ([] if payload else [("raw dispatch of (NULL, 0)", None)])
            for how, arg in variants:
                st, data, err = self.dispatch(svc, op.id, arg)
                if st != 0:
                    self.fail(call, f"{how}: status {st}: {err}")
                    continue
                try:
                    got = resp_cls.FromString(data)
                except Exception as e:  # noqa: BLE001 - any parse failure is the finding
                    self.fail(call, f"{how}: response does not parse as {op.response.full_name}: {e}")
                    continue
                if got != expected:
                    self.fail(call, f"{how}: response differs\n  request:  {payload.hex()[:400]}\n"
                                    f"  expected: {_short(expected)}\n  got:      {_short(got)}")
            try:
                got = stub_method(sent)
                self.calls += 1
                if got != expected:
                    self.fail(call, f"Python stub: response differs\n  expected: {_short(expected)}\n"
                                    f"  got:      {_short(got)}")
            except errors as e:
                self.calls += 1
                self.fail(call, f"Python stub raised {e}")
            self.check_truncated(svc, op, payload, call)

    # ---- kernel ops ----

    def check_kernel_op(self, svc, op, stub, errors, rng, where):
        req_cls, resp_cls = self.message_class(op.request), self.message_class(op.response)
        # operands in field-number order, whatever the declaration order
        fa, fb = sorted(op.request.fields, key=lambda f: f.number)
        result = op.response.fields[0]
        proto = op.elem.proto
        cases = [([], [])] if op.batch else [(0, 0)]
        for _ in range(CALLS_PER_OP):
            cases.append(_random_operands(op, proto, rng))
        for i, (a, b) in enumerate(cases):
            request = req_cls()
            if op.batch:
                getattr(request, fa.name).extend(a)
                getattr(request, fb.name).extend(b)
            else:
                setattr(request, fa.name, a)
                setattr(request, fb.name, b)
            payload = request.SerializeToString()
            sent = req_cls.FromString(payload)
            a, b = getattr(sent, fa.name), getattr(sent, fb.name)
            if op.batch:
                a, b = list(a), list(b)
                want_st, want = kernel_ref.apply_batch(op.kernel, op.overflow, proto, a, b)
            else:
                want_st, want = kernel_ref.apply(op.kernel, op.overflow, proto, a, b)
            call = f"{where} {op.kernel}/{op.overflow} on {proto}{'[]' if op.batch else ''} case #{i} a={_ops(a)} b={_ops(b)}"
            variants = [("raw dispatch", payload)] + ([] if payload else [("raw dispatch of (NULL, 0)", None)])
            for how, arg in variants:
                st, data, err = self.dispatch(svc, op.id, arg)
                if st != want_st:
                    self.fail(call, f"{how}: status {st} ({err!r}), expected {want_st}")
                elif st == 0:
                    got = getattr(resp_cls.FromString(data), result.name)
                    self._compare(call, how, proto, op.batch, want, got)
            self._check_stub_kernel(call, op, stub, errors, proto, a, b, want_st, want)
            self.check_truncated(svc, op, payload, call)

    def _check_stub_kernel(self, call, op, stub, errors, proto, a, b, want_st, want):
        method = getattr(stub, op.python_name)
        if op.batch:
            code = op.elem.python_array
            a, b = array.array(code, a), array.array(code, b)
        try:
            got = method(a, b)
            self.calls += 1
        except errors as e:
            self.calls += 1
            if e.status != want_st:
                self.fail(call, f"Python stub raised {e}, expected status {want_st}")
            return
        if want_st != 0:
            self.fail(call, f"Python stub returned {got!r}, expected status {want_st}")
            return
        self._compare(call, "Python stub", proto, op.batch, want, list(got) if op.batch else got)

    def _compare(self, call, how, proto, batch, want, got):
        if batch:
            ok = len(want) == len(got) and all(kernel_ref.same(proto, x, y) for x, y in zip(want, got))
        else:
            ok = kernel_ref.same(proto, want, got)
        if not ok:
            self.fail(call, f"{how}: got {_ops(got)}, expected {_ops(want)}")


def _random_operands(op, proto, rng):
    def one():
        if proto in kernel_ref.INT_TYPES:
            lo, hi = kernel_ref.int_range(proto)
            pick = rng.random()
            if pick < 0.35:
                return rng.choice([v for v in (0, 1, -1, 2, lo, hi, lo + 1, hi - 1) if lo <= v <= hi])
            if pick < 0.6:
                return rng.randint(max(lo, -100), min(hi, 100))
            return rng.randint(lo, hi)
        v = rng.choice([0.0, -0.0, 1.0, -1.0, 0.1, 1e300, -1e-310, float("inf"), float("-inf"), float("nan"),
                        3.4e38, 1e-45]) if rng.random() < 0.4 else rng.uniform(-1e9, 1e9)
        return kernel_ref.to_f32(v) if proto == "float" else v

    if not op.batch:
        return one(), one()
    n = rng.choice([1, 2, 7, 33, 100])
    m = n if rng.random() < 0.85 else n + 1  # lengths that differ: CG_ERR_INVALID_ARGUMENT
    return [one() for _ in range(n)], [one() for _ in range(m)]


def _ops(v):
    text = repr(list(v) if isinstance(v, (list, tuple, array.array)) else v)
    return text if len(text) < 200 else text[:200] + "..."


def _short(msg):
    text = str(msg).replace("\n", " ")
    return text if len(text) < 600 else text[:600] + "..."


def main():
    p = argparse.ArgumentParser(description="End-to-end check of every corpus op")
    p.add_argument("--lib", required=True)
    p.add_argument("--python-dir", required=True)
    p.add_argument("-I", dest="includes", action="append", required=True)
    p.add_argument("files", nargs="+")
    args = p.parse_args()
    sys.path.insert(0, args.python_dir)
    # corpus_model imported the generator's `calcgen` package, which hides
    # protoc's calcgen/options_pb2.py (the corpus _pb2 modules import it):
    # let the package find that module too.
    sys.modules["calcgen"].__path__.append(os.path.join(args.python_dir, "calcgen"))
    checker = Checker(args.lib)
    services = 0
    for pf in corpus_model.load(args.includes, args.files):
        for svc in pf.services:
            services += 1
            checker.check_service(pf, svc)
    ops = checker.ops["user"] + checker.ops["kernel"] + checker.ops["stream"]
    failures = sum(len(v) for v in checker.failures.values())
    # the first failure of each failing op, then how many more it had
    for n, (key, found) in enumerate(checker.failures.items()):
        if n == MAX_FAILURES_SHOWN:
            print(f"... and {len(checker.failures) - n} more failing ops")
            break
        more = f"\n    (+{len(found) - 1} more failures of {key})" if len(found) > 1 else ""
        print(f"FAIL {found[0]}{more}")
    print(f"corpus: {services} services, {ops} ops ({checker.ops['user']} user, {checker.ops['kernel']} kernel, "
          f"{checker.ops['stream']} streaming), "
          f"{checker.calls} calls checked, {failures} failures in {len(checker.failures)} ops or services")
    return 1 if checker.failures else 0


if __name__ == "__main__":
    sys.exit(main())
