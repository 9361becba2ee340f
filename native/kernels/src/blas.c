/*
 * sgemm from the system's BLAS (OpenBLAS, MKL, BLIS or Accelerate), found at run time with dlopen, so
 * this builds with no BLAS headers and the app runs (on tfjs's own kernels) where none is installed.
 * Arrays are float32 typed arrays; their lengths are checked before any pointer is used.
 */
#define _POSIX_C_SOURCE 200112L /* setenv under -std=c11 */
#include "kernels.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <windows.h>
#define OPEN(path) ((void *)LoadLibraryA(path))
#define SYM(h, name) ((void *)GetProcAddress((HMODULE)(h), name))
#else
#include <dlfcn.h>
#define OPEN(path) dlopen(path, RTLD_NOW | RTLD_LOCAL)
#define SYM(h, name) dlsym(h, name)
#endif

enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };
typedef void (*sgemm_fn)(int order, int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda,
                         const float *b, int ldb, float beta, float *c, int ldc);
typedef void (*threads_fn)(int);

static sgemm_fn sgemm = NULL;
static threads_fn set_threads = NULL;
static void *library = NULL;

/* A symbol of the open library (NULL before open() succeeded or where the library lacks it). */
void *blas_symbol(const char *name) { return library ? SYM(library, name) : NULL; }

/* open(path) -> true if the library has cblas_sgemm; the first success stays (one BLAS per process). */
napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  char path[1024];
  size_t len;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(napi_get_value_string_utf8(env, argv[0], path, sizeof path, &len));
  if (!sgemm) {
    /* OpenBLAS's idle threads spin ~0.1 s after each call, taking the core from the calling thread's own work;
       asleep at once, a product may use every thread of a job (blas.ts picks per shape). Read when it loads;
       a value the user set stays. */
#ifdef _WIN32
    if (!getenv("OPENBLAS_THREAD_TIMEOUT")) _putenv_s("OPENBLAS_THREAD_TIMEOUT", "4");
#else
    setenv("OPENBLAS_THREAD_TIMEOUT", "4", 0);
#endif
    void *h = OPEN(path);
    if (h) {
      sgemm_fn f = (sgemm_fn)SYM(h, "cblas_sgemm");
      if (f) {
        set_threads = (threads_fn)SYM(h, "openblas_set_num_threads");
        if (!set_threads) set_threads = (threads_fn)SYM(h, "MKL_Set_Num_Threads");
        if (!set_threads) set_threads = (threads_fn)SYM(h, "bli_thread_set_num_threads");
        sgemm = f;
        library = h;
      }
    }
  }
  CHECK(napi_get_boolean(env, sgemm != NULL, &result));
  return result;
}

/* setThreads(n): the library's own thread count (process-wide); false if it has no such control. */
napi_value js_set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  int32_t n;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(napi_get_value_int32(env, argv[0], &n));
  if (set_threads && n > 0) set_threads(n);
  CHECK(napi_get_boolean(env, set_threads != NULL, &result));
  return result;
}

/* sgemm(transA, transB, m, n, k, a, b, c): row-major c[m x n] = op(a) op(b), op(a) m x k, op(b) k x n. */
napi_value js_sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  int32_t v[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 8) { napi_throw_error(env, NULL, "plateau_kernels: sgemm takes 8 arguments"); return NULL; }
  for (int i = 0; i < 5; i++) CHECK(napi_get_value_int32(env, argv[i], &v[i]));
  int ta = v[0], tb = v[1], m = v[2], n = v[3], k = v[4];
  if (m < 1 || n < 1 || k < 1) { napi_throw_range_error(env, NULL, "plateau_kernels: empty matrix"); return NULL; }
  float *a = float_data(env, argv[5], (size_t)m * k);
  float *b = float_data(env, argv[6], (size_t)k * n);
  float *c = float_data(env, argv[7], (size_t)m * n);
  if (!a || !b || !c) { napi_throw_range_error(env, NULL, "plateau_kernels: an operand is not a Float32Array of the stated size"); return NULL; }
  if (!sgemm) { napi_throw_error(env, NULL, "plateau_kernels: no BLAS library is open"); return NULL; }
  sgemm(ROW_MAJOR, ta ? TRANS : NO_TRANS, tb ? TRANS : NO_TRANS, m, n, k, 1.0f, a, ta ? m : k, b, tb ? k : n, 0.0f, c, n);
  return NULL;
}
