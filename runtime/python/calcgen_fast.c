/* _calcgen_fast: single kernel ops from Python at C speed.
 *
 * The generated stub's single ops call a typed entry point,
 * `cg_status P_invoke_<op>(T a, T b, T *result)`. Through ctypes each call
 * pays for argument conversion objects and a foreign-call frame. A ScalarOp
 * is a callable bound to one such entry point's address: a vectorcall that
 * converts two exact ints or floats in range, calls the function with the
 * GIL held (single ops take nanoseconds) and returns the result. Anything
 * else (other types, values out of range, a failing status) goes to the
 * stub's own Python method, which converts, checks and raises exactly as
 * before; single kernel ops are pure, so running one again there is safe.
 *
 *   ScalarOp(address, elem, slow)   elem: "i32" "i64" "u32" "u64" "f32" "f64" */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define FAST_ABI 1

typedef enum elem_kind { E_I32, E_I64, E_U32, E_U64, E_F32, E_F64 } elem_kind;
static const char *const elem_names[] = {"i32", "i64", "u32", "u64", "f32", "f64"};

/* The entry points return cg_status, an int-sized enum. */
typedef int (*fn_i32)(int32_t, int32_t, int32_t *);
typedef int (*fn_i64)(int64_t, int64_t, int64_t *);
typedef int (*fn_u32)(uint32_t, uint32_t, uint32_t *);
typedef int (*fn_u64)(uint64_t, uint64_t, uint64_t *);
typedef int (*fn_f32)(float, float, float *);
typedef int (*fn_f64)(double, double, double *);

typedef struct {
  PyObject_HEAD
  vectorcallfunc vectorcall;
  elem_kind kind;
  void *fn;
  PyObject *slow; /* the stub's method: conversions, checks, errors */
} ScalarOp;

static PyObject *slow_call(ScalarOp *self, PyObject *const *args, size_t nargsf, PyObject *kwnames) {
  return PyObject_Vectorcall(self->slow, args, nargsf, kwnames);
}

/* An exact int in [lo, hi] (signed) or [0, hi] (unsigned); 0 when it is not one. */
static int int_arg(PyObject *o, int is_unsigned, int64_t lo, uint64_t hi, uint64_t *out) {
  if (!PyLong_CheckExact(o)) return 0;
  if (is_unsigned) {
    unsigned long long v = PyLong_AsUnsignedLongLong(o);
    if (v == (unsigned long long)-1 && PyErr_Occurred()) {
      PyErr_Clear();
      return 0;
    }
    if (v > hi) return 0;
    *out = v;
    return 1;
  }
  int overflow = 0;
  long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
  if (overflow || (v == -1 && PyErr_Occurred())) {
    PyErr_Clear();
    return 0;
  }
  if (v < lo || (v > 0 && (uint64_t)v > hi)) return 0;
  *out = (uint64_t)v;
  return 1;
}

static PyObject *scalar_op_call(PyObject *obj, PyObject *const *args, size_t nargsf, PyObject *kwnames) {
  ScalarOp *self = (ScalarOp *)obj;
  if (PyVectorcall_NARGS(nargsf) != 2 || kwnames) return slow_call(self, args, nargsf, kwnames);
  PyObject *a = args[0], *b = args[1];
  int st;
  switch (self->kind) {
    case E_F64:
    case E_F32: {
      if (!PyFloat_CheckExact(a) || !PyFloat_CheckExact(b)) return slow_call(self, args, nargsf, kwnames);
      double x = PyFloat_AS_DOUBLE(a), y = PyFloat_AS_DOUBLE(b);
      if (self->kind == E_F32 && ((isfinite(x) && fabs(x) > FLT_MAX) || (isfinite(y) && fabs(y) > FLT_MAX)))
        return slow_call(self, args, nargsf, kwnames); /* past float's range: C leaves the cast undefined */
      if (self->kind == E_F64) {
        double r;
        st = ((fn_f64)self->fn)(x, y, &r);
        if (st == 0) return PyFloat_FromDouble(r);
      } else {
        float r;
        st = ((fn_f32)self->fn)((float)x, (float)y, &r);
        if (st == 0) return PyFloat_FromDouble((double)r);
      }
      break;
    }
    default: {
      static const int64_t lo[] = {INT32_MIN, INT64_MIN, 0, 0};
      static const uint64_t hi[] = {INT32_MAX, INT64_MAX, UINT32_MAX, UINT64_MAX};
      int is_unsigned = self->kind == E_U32 || self->kind == E_U64;
      uint64_t x, y;
      if (!int_arg(a, is_unsigned, lo[self->kind], hi[self->kind], &x) ||
          !int_arg(b, is_unsigned, lo[self->kind], hi[self->kind], &y))
        return slow_call(self, args, nargsf, kwnames);
      switch (self->kind) {
        case E_I32: {
          int32_t r;
          st = ((fn_i32)self->fn)((int32_t)(int64_t)x, (int32_t)(int64_t)y, &r);
          if (st == 0) return PyLong_FromLong(r);
          break;
        }
        case E_I64: {
          int64_t r;
          st = ((fn_i64)self->fn)((int64_t)x, (int64_t)y, &r);
          if (st == 0) return PyLong_FromLongLong(r);
          break;
        }
        case E_U32: {
          uint32_t r;
          st = ((fn_u32)self->fn)((uint32_t)x, (uint32_t)y, &r);
          if (st == 0) return PyLong_FromUnsignedLong(r);
          break;
        }
        default: {
          uint64_t r;
          st = ((fn_u64)self->fn)(x, y, &r);
          if (st == 0) return PyLong_FromUnsignedLongLong(r);
          break;
        }
      }
    }
  }
  /* A failing status: the stub's method runs it again and raises with the
   * runtime's detail, as without this module. */
  return slow_call(self, args, nargsf, kwnames);
}

static PyObject *scalar_op_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
  unsigned long long address;
  const char *elem;
  PyObject *slow;
  static char *kwlist[] = {"address", "elem", "slow", NULL};
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "KsO:ScalarOp", kwlist, &address, &elem, &slow)) return NULL;
  if (!address) {
    PyErr_SetString(PyExc_ValueError, "ScalarOp: address is 0");
    return NULL;
  }
  if (!PyCallable_Check(slow)) {
    PyErr_SetString(PyExc_TypeError, "ScalarOp: slow must be callable");
    return NULL;
  }
  int kind = -1;
  for (int k = 0; k < 6; k++)
    if (strcmp(elem, elem_names[k]) == 0) kind = k;
  if (kind < 0) {
    PyErr_Format(PyExc_ValueError, "ScalarOp: unknown element type %s", elem);
    return NULL;
  }
  ScalarOp *self = (ScalarOp *)type->tp_alloc(type, 0);
  if (!self) return NULL;
  self->vectorcall = scalar_op_call;
  self->kind = (elem_kind)kind;
  self->fn = (void *)(uintptr_t)address;
  Py_INCREF(slow);
  self->slow = slow;
  return (PyObject *)self;
}

/* The stub keeps its ScalarOps on the instance whose bound methods they hold:
 * a cycle the collector must be able to break. */
static int scalar_op_traverse(ScalarOp *self, visitproc visit, void *arg) {
  Py_VISIT(self->slow);
  return 0;
}

static int scalar_op_clear(ScalarOp *self) {
  Py_CLEAR(self->slow);
  return 0;
}

static void scalar_op_dealloc(ScalarOp *self) {
  PyObject_GC_UnTrack(self);
  scalar_op_clear(self);
  Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *scalar_op_get_doc(ScalarOp *self, void *closure) {
  (void)closure;
  return PyObject_GetAttrString(self->slow, "__doc__");
}

static PyObject *scalar_op_get_elem(ScalarOp *self, void *closure) {
  (void)closure;
  return PyUnicode_FromString(elem_names[self->kind]);
}

static PyGetSetDef scalar_op_getset[] = {{"__doc__", (getter)scalar_op_get_doc, NULL, NULL, NULL},
                                         {"elem", (getter)scalar_op_get_elem, NULL, "the element type", NULL},
                                         {NULL, NULL, NULL, NULL, NULL}};

static PyTypeObject ScalarOpType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "_calcgen_fast.ScalarOp",
    .tp_basicsize = sizeof(ScalarOp),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_doc = "A single kernel op called through its typed entry point.",
    .tp_new = scalar_op_new,
    .tp_dealloc = (destructor)scalar_op_dealloc,
    .tp_traverse = (traverseproc)scalar_op_traverse,
    .tp_clear = (inquiry)scalar_op_clear,
    .tp_call = PyVectorcall_Call,
    .tp_vectorcall_offset = offsetof(ScalarOp, vectorcall),
    .tp_getset = scalar_op_getset,
};

static struct PyModuleDef fast_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_calcgen_fast",
    .m_doc = "Single kernel ops from Python at C speed.",
    .m_size = -1,
};

PyMODINIT_FUNC PyInit__calcgen_fast(void) {
  if (PyType_Ready(&ScalarOpType) < 0) return NULL;
  PyObject *m = PyModule_Create(&fast_module);
  if (!m) return NULL;
  Py_INCREF(&ScalarOpType);
  if (PyModule_AddObject(m, "ScalarOp", (PyObject *)&ScalarOpType) < 0 ||
      PyModule_AddIntConstant(m, "ABI", FAST_ABI) < 0) {
    Py_DECREF(&ScalarOpType);
    Py_DECREF(m);
    return NULL;
  }
  return m;
}
