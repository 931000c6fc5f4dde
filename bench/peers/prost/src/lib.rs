//! The calculator's ops served by Rust + prost 0.11, behind the C ABI of
//! bench/peers/peers.h: request bytes in, response bytes written into the
//! caller's buffer, the response length returned (-1 for a request that does
//! not decode or a response that does not fit).
//!
//! Two forms, as a Rust user would write them:
//! - `prost_*`: buffers reused, the careful form: one message per thread is
//!   cleared and merged into (its Vecs keep their capacity), the response
//!   encoded straight into the caller's buffer;
//! - `prost_alloc_*`: the allocate-per-call form, `decode` and a fresh
//!   response message each call.

use prost::Message;
use std::cell::RefCell;

#[derive(Clone, PartialEq, Message)]
pub struct BinaryOp {
    #[prost(int64, tag = "1")]
    pub a: i64,
    #[prost(int64, tag = "2")]
    pub b: i64,
}

#[derive(Clone, PartialEq, Message)]
pub struct Value {
    #[prost(int64, tag = "1")]
    pub value: i64,
}

#[derive(Clone, PartialEq, Message)]
pub struct FixedOp {
    #[prost(sfixed64, tag = "1")]
    pub a: i64,
    #[prost(sfixed64, tag = "2")]
    pub b: i64,
}

#[derive(Clone, PartialEq, Message)]
pub struct FixedValue {
    #[prost(sfixed64, tag = "1")]
    pub value: i64,
}

#[derive(Clone, PartialEq, Message)]
pub struct BatchOperation {
    #[prost(int64, repeated, tag = "1")]
    pub a: Vec<i64>,
    #[prost(int64, repeated, tag = "2")]
    pub b: Vec<i64>,
}

#[derive(Clone, PartialEq, Message)]
pub struct BatchResult {
    #[prost(int64, repeated, tag = "1")]
    pub values: Vec<i64>,
}

#[derive(Clone, PartialEq, Message)]
pub struct FixedBatch {
    #[prost(sfixed64, repeated, tag = "1")]
    pub a: Vec<i64>,
    #[prost(sfixed64, repeated, tag = "2")]
    pub b: Vec<i64>,
}

#[derive(Clone, PartialEq, Message)]
pub struct FixedBatchResult {
    #[prost(sfixed64, repeated, tag = "1")]
    pub values: Vec<i64>,
}

/// Encodes `m` into the caller's buffer; its length, or -1 if it does not fit.
fn put<M: Message>(m: &M, resp: *mut u8, cap: usize) -> isize {
    let out = unsafe { std::slice::from_raw_parts_mut(resp, cap) };
    let mut w: &mut [u8] = out;
    match m.encode(&mut w) {
        Ok(()) => (cap - w.len()) as isize,
        Err(_) => -1,
    }
}

fn bytes<'a>(req: *const u8, len: usize) -> &'a [u8] {
    if len == 0 {
        &[]
    } else {
        unsafe { std::slice::from_raw_parts(req, len) }
    }
}

thread_local! {
    static BATCH: RefCell<(BatchOperation, BatchResult)> =
        RefCell::new((BatchOperation::default(), BatchResult::default()));
    static FIXED_BATCH: RefCell<(FixedBatch, FixedBatchResult)> =
        RefCell::new((FixedBatch::default(), FixedBatchResult::default()));
}

#[no_mangle]
pub extern "C" fn prost_add(req: *const u8, len: usize, resp: *mut u8, cap: usize) -> isize {
    match BinaryOp::decode(bytes(req, len)) {
        Ok(op) => put(&Value { value: op.a.wrapping_add(op.b) }, resp, cap),
        Err(_) => -1,
    }
}

#[no_mangle]
pub extern "C" fn prost_add_fixed(req: *const u8, len: usize, resp: *mut u8, cap: usize) -> isize {
    match FixedOp::decode(bytes(req, len)) {
        Ok(op) => put(&FixedValue { value: op.a.wrapping_add(op.b) }, resp, cap),
        Err(_) => -1,
    }
}

/// A reused-buffer batch op: the thread's request and response messages
/// cleared and filled again (their Vecs keep their capacity).
macro_rules! reused_batch {
    ($name:ident, $cell:ident) => {
        #[no_mangle]
        pub extern "C" fn $name(req: *const u8, len: usize, resp: *mut u8, cap: usize) -> isize {
            $cell.with(|cell| {
                let (op, res) = &mut *cell.borrow_mut();
                op.clear();
                if op.merge(bytes(req, len)).is_err() || op.a.len() != op.b.len() {
                    return -1;
                }
                res.values.clear();
                res.values.extend(op.a.iter().zip(&op.b).map(|(x, y)| x.wrapping_add(*y)));
                put(res, resp, cap)
            })
        }
    };
}
reused_batch!(prost_batch_add, BATCH);
reused_batch!(prost_batch_add_fixed, FIXED_BATCH);

#[no_mangle]
pub extern "C" fn prost_alloc_batch_add(req: *const u8, len: usize, resp: *mut u8, cap: usize) -> isize {
    match BatchOperation::decode(bytes(req, len)) {
        Ok(op) if op.a.len() == op.b.len() => {
            let values = op.a.iter().zip(&op.b).map(|(x, y)| x.wrapping_add(*y)).collect();
            put(&BatchResult { values }, resp, cap)
        }
        _ => -1,
    }
}
