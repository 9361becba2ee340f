/*
 * Float64 products and the symmetric eigen-solver for the closed-form metrics, from the same system
 * library blas.c opened (OpenBLAS and MKL ship LAPACK with their BLAS), resolved by name at run time:
 * no link-time dependency, and each entry point reports itself missing instead of failing to load.
 * Row-major float64 typed arrays; every length is checked against the stated sizes first.
 */
#include <stdint.h>
#include <stdlib.h>
#include "kernels.h"

enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112, UPPER = 121 };
typedef void (*dgemm_fn)(int order, int ta, int tb, int m, int n, int k, double alpha, const double *a, int lda,
                         const double *b, int ldb, double beta, double *c, int ldc);
typedef void (*dsyrk_fn)(int order, int uplo, int trans, int n, int k, double alpha, const double *a, int lda, double beta,
                         double *c, int ldc);
/* LAPACK's Fortran interface (LP64); the trailing lengths of the two character arguments, as gfortran passes them. */
typedef void (*dsyevd_fn)(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w, double *work,
                          const int *lwork, int *iwork, const int *liwork, int *info, size_t jobz_len, size_t uplo_len);

static dgemm_fn dgemm_p(void) { return (dgemm_fn)blas_symbol("cblas_dgemm"); }
static dsyrk_fn dsyrk_p(void) { return (dsyrk_fn)blas_symbol("cblas_dsyrk"); }
static dsyevd_fn dsyevd_p(void) { return (dsyevd_fn)blas_symbol("dsyevd_"); }

/* linalg() -> { dgemm, dsyrk, dsyevd }: which entry points the open library has (all false before open()). */
napi_value js_linalg(napi_env env, napi_callback_info info) {
  napi_value out, v;
  (void)info;
  CHECK(napi_create_object(env, &out));
  CHECK(napi_get_boolean(env, dgemm_p() != NULL, &v));
  CHECK(napi_set_named_property(env, out, "dgemm", v));
  CHECK(napi_get_boolean(env, dsyrk_p() != NULL, &v));
  CHECK(napi_set_named_property(env, out, "dsyrk", v));
  CHECK(napi_get_boolean(env, dsyevd_p() != NULL, &v));
  CHECK(napi_set_named_property(env, out, "dsyevd", v));
  return out;
}

static int read_ints(napi_env env, napi_value *argv, int count, int32_t *out) {
  for (int i = 0; i < count; i++)
    if (napi_get_value_int32(env, argv[i], &out[i]) != napi_ok) return 0;
  return 1;
}

/*
 * dgemm(transA, transB, m, n, k, alpha, a, b, beta, c[, lda, ldb, ldc]): c[m x n] = alpha op(a) op(b) + beta c,
 * row-major; the leading dimensions default to the packed ones (a block of columns of a wider matrix needs them).
 */
napi_value js_dgemm(napi_env env, napi_callback_info info) {
  size_t argc = 13;
  napi_value argv[13];
  int32_t v[5], ld[3];
  double alpha, beta;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 10 || !read_ints(env, argv, 5, v)) { napi_throw_error(env, NULL, "plateau_kernels: dgemm takes (ta, tb, m, n, k, alpha, a, b, beta, c[, lda, ldb, ldc])"); return NULL; }
  CHECK(napi_get_value_double(env, argv[5], &alpha));
  CHECK(napi_get_value_double(env, argv[8], &beta));
  const int ta = v[0], tb = v[1], m = v[2], n = v[3], k = v[4];
  if (m < 1 || n < 1 || k < 1) { napi_throw_range_error(env, NULL, "plateau_kernels: dgemm of an empty matrix"); return NULL; }
  /* stored shapes (row-major): a is (ta ? k x m : m x k), b is (tb ? n x k : k x n) */
  const int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
  ld[0] = aCols, ld[1] = bCols, ld[2] = n;
  for (int i = 0; i < 3 && (size_t)(10 + i) < argc; i++) {
    napi_valuetype t;
    CHECK(napi_typeof(env, argv[10 + i], &t));
    if (t != napi_undefined) CHECK(napi_get_value_int32(env, argv[10 + i], &ld[i]));
  }
  if (ld[0] < aCols || ld[1] < bCols || ld[2] < n) { napi_throw_range_error(env, NULL, "plateau_kernels: a dgemm leading dimension is below its row length"); return NULL; }
  double *a = double_data(env, argv[6], (size_t)(aRows - 1) * ld[0] + aCols);
  double *b = double_data(env, argv[7], (size_t)(bRows - 1) * ld[1] + bCols);
  double *c = double_data(env, argv[9], (size_t)(m - 1) * ld[2] + n);
  if (!a || !b || !c) { napi_throw_range_error(env, NULL, "plateau_kernels: a dgemm operand is not a Float64Array of the stated size"); return NULL; }
  dgemm_fn f = dgemm_p();
  if (!f) { napi_throw_error(env, NULL, "plateau_kernels: the open BLAS has no cblas_dgemm"); return NULL; }
  f(ROW_MAJOR, ta ? TRANS : NO_TRANS, tb ? TRANS : NO_TRANS, m, n, k, alpha, a, ld[0], b, ld[1], beta, c, ld[2]);
  return NULL;
}

/*
 * dsyrk(trans, n, k, alpha, a, beta, c): c[n x n] = alpha a a^T + beta c (a is n x k), or alpha a^T a + beta c
 * with trans (a is k x n). The BLAS updates the upper triangle; it is then mirrored, so c is whole.
 */
napi_value js_dsyrk(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  int32_t v[3];
  double alpha, beta;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 7 || !read_ints(env, argv, 3, v)) { napi_throw_error(env, NULL, "plateau_kernels: dsyrk takes (trans, n, k, alpha, a, beta, c)"); return NULL; }
  CHECK(napi_get_value_double(env, argv[3], &alpha));
  CHECK(napi_get_value_double(env, argv[5], &beta));
  const int trans = v[0], n = v[1], k = v[2];
  if (n < 1 || k < 1) { napi_throw_range_error(env, NULL, "plateau_kernels: dsyrk of an empty matrix"); return NULL; }
  double *a = double_data(env, argv[4], (size_t)n * k), *c = double_data(env, argv[6], (size_t)n * n);
  if (!a || !c) { napi_throw_range_error(env, NULL, "plateau_kernels: a dsyrk operand is not a Float64Array of the stated size"); return NULL; }
  dsyrk_fn f = dsyrk_p();
  if (!f) { napi_throw_error(env, NULL, "plateau_kernels: the open BLAS has no cblas_dsyrk"); return NULL; }
  f(ROW_MAJOR, UPPER, trans ? TRANS : NO_TRANS, n, k, alpha, a, trans ? n : k, beta, c, n);
  for (int i = 1; i < n; i++)
    for (int j = 0; j < i; j++) c[(size_t)i * n + j] = c[(size_t)j * n + i];
  return NULL;
}

typedef int (*get_threads_fn)(void);
typedef void (*set_threads_fn)(int);

/*
 * dsyevd(n, a, w, vectors[, threads]) -> LAPACK's info (0 on success): w = eigenvalues of the symmetric a,
 * ascending; with vectors, a is overwritten so that a[k * n + i] is component i of the k-th eigenvector.
 * threads > 0 runs this call on that many OpenBLAS threads (restored after); ignored by other libraries.
 */
napi_value js_dsyevd(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5], result;
  int32_t n, threads = 0;
  bool vectors;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 4 || napi_get_value_int32(env, argv[0], &n) != napi_ok || n < 1) {
    napi_throw_error(env, NULL, "plateau_kernels: dsyevd takes (n >= 1, a, w, vectors)");
    return NULL;
  }
  CHECK(napi_get_value_bool(env, argv[3], &vectors));
  if (argc >= 5) {
    napi_valuetype t;
    CHECK(napi_typeof(env, argv[4], &t));
    if (t != napi_undefined) CHECK(napi_get_value_int32(env, argv[4], &threads));
  }
  double *a = double_data(env, argv[1], (size_t)n * n), *w = double_data(env, argv[2], (size_t)n);
  if (!a || !w) { napi_throw_range_error(env, NULL, "plateau_kernels: a dsyevd operand is not a Float64Array of the stated size"); return NULL; }
  dsyevd_fn f = dsyevd_p();
  if (!f) { napi_throw_error(env, NULL, "plateau_kernels: the open library has no LAPACK dsyevd_"); return NULL; }
  /* Symmetric, so the row-major matrix is its own column-major transpose; column k of the result is vector k. */
  const char jobz = vectors ? 'V' : 'N', uplo = 'L';
  get_threads_fn get_threads = (get_threads_fn)blas_symbol("openblas_get_num_threads");
  set_threads_fn set_threads = (set_threads_fn)blas_symbol("openblas_set_num_threads");
  const int before = threads > 0 && get_threads && set_threads ? get_threads() : 0;
  if (before > 0 && before != threads) set_threads(threads);
  int lwork = -1, liwork = -1, iq, status = 0;
  double wq;
  f(&jobz, &uplo, &n, a, &n, w, &wq, &lwork, &iq, &liwork, &status, 1, 1);
  if (status == 0) {
    lwork = (int)wq + 1;
    liwork = iq > 1 ? iq : 1;
    double *work = malloc(sizeof(double) * (size_t)lwork);
    int *iwork = malloc(sizeof(int) * (size_t)liwork);
    if (!work || !iwork) status = -1000;
    else f(&jobz, &uplo, &n, a, &n, w, work, &lwork, iwork, &liwork, &status, 1, 1);
    free(work);
    free(iwork);
  }
  if (before > 0 && before != threads) set_threads(before);
  CHECK(napi_create_int32(env, status, &result));
  return result;
}
