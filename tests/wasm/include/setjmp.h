/* cmocka's documented include order starts with <setjmp.h>, which
 * wasm32-wasi does not have; tests/wasm/include/cmocka.h does not need it. */
#ifndef CALCGEN_TESTS_WASM_SETJMP_H
#define CALCGEN_TESTS_WASM_SETJMP_H
#endif
