/*
 * Causal multi-head self-attention of a GPT block on its fused q|k|v projection, with the BLAS's
 * sgemm reading each head where it lies (leading dimension 3d): no slices, no head transposes, one
 * softmax pass, and no products of the masked (zero) blocks. tfjs spent ~25 kernels per block on the
 * same (slices and their padded gradients, transposes, scale, mask, softmax and its gradient). The
 * forward keeps the probabilities for the backward.
 *
 * qkv [n T, 3d] (row b T + t holds q | k | v, heads side by side in each), out [n T, d],
 * probs [n heads, T, T] (row i: softmax over keys j <= i, zeros after it).
 */
#include <math.h>
#include <stdlib.h>
#include "fastmath.h"
#include "kernels.h"

enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };
/* Rows per block: a block of queries skips the keys after its last row (37% of the products at T = 128). */
#define BLOCK 32

typedef void (*sgemm_fn)(int order, int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda,
                         const float *b, int ldb, float beta, float *c, int ldc);

/* Reads (n, T, heads) and checks the arrays; NULL sgemm (and an exception thrown) when something does not fit. */
static sgemm_fn setup(napi_env env, napi_value *argv, int first, int32_t *dims) {
  for (int i = 0; i < 3; i++)
    if (napi_get_value_int32(env, argv[first + i], &dims[i]) != napi_ok || dims[i] < 1) {
      napi_throw_range_error(env, NULL, "plateau_kernels: attention needs positive n, T and heads");
      return NULL;
    }
  sgemm_fn f = (sgemm_fn)blas_symbol("cblas_sgemm");
  if (!f) napi_throw_error(env, NULL, "plateau_kernels: no BLAS library is open");
  return f;
}

/* Rows i of p [T, T] become softmax over j <= i, zeros after. */
SIMD_CLONES static void causal_softmax(float *p, size_t T) {
  for (size_t i = 0; i < T; i++) {
    float *row = p + i * T, m = row[0];
    for (size_t j = 1; j <= i; j++) m = row[j] > m ? row[j] : m;
    for (size_t j = 0; j <= i; j++) row[j] = exp_f(row[j] - m);
    double s = 0;
    for (size_t j = 0; j <= i; j++) s += row[j];
    const float r = (float)(1.0 / s);
    for (size_t j = 0; j <= i; j++) row[j] *= r;
    for (size_t j = i + 1; j < T; j++) row[j] = 0.0f;
  }
}

/* ds [T, T] = p (ds - rowsum(ds p)) scale over j <= i, zeros after: the scores' gradient from the probabilities'. */
SIMD_CLONES static void causal_softmax_grad(float *ds, const float *p, size_t T, float scale) {
  for (size_t i = 0; i < T; i++) {
    const float *pr = p + i * T;
    float *row = ds + i * T;
    double s = 0;
    for (size_t j = 0; j <= i; j++) s += (double)row[j] * pr[j];
    const float sf = (float)s;
    for (size_t j = 0; j <= i; j++) row[j] = pr[j] * (row[j] - sf) * scale;
    for (size_t j = i + 1; j < T; j++) row[j] = 0.0f;
  }
}

/* attentionForward(qkv, out, probs, n, T, heads) */
napi_value js_attention_forward(napi_env env, napi_callback_info info) {
  size_t argc = 6, d;
  napi_value argv[6];
  int32_t dims[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 6) { napi_throw_error(env, NULL, "plateau_kernels: attentionForward takes 6 arguments"); return NULL; }
  sgemm_fn sgemm = setup(env, argv, 3, dims);
  if (!sgemm) return NULL;
  const size_t n = dims[0], T = dims[1], H = dims[2];
  d = float_length(env, argv[1]) / (n * T);
  const size_t dh = d / H, ld = 3 * d;
  float *qkv = float_data(env, argv[0], n * T * ld), *out = float_data(env, argv[1], n * T * d), *probs = float_data(env, argv[2], n * H * T * T);
  if (!qkv || !out || !probs || d == 0 || dh * H != d) { napi_throw_range_error(env, NULL, "plateau_kernels: attention's operands do not fit n, T, heads"); return NULL; }
  const float scale = (float)(1.0 / sqrt((double)dh));
  for (size_t b = 0; b < n; b++)
    for (size_t h = 0; h < H; h++) {
      const float *q = qkv + b * T * ld + h * dh, *k = q + d, *v = q + 2 * d;
      float *p = probs + (b * H + h) * T * T;
      float *o = out + b * T * d + h * dh;
      /* rows [i0, i1) see keys [0, i1) */
      for (size_t i0 = 0; i0 < T; i0 += BLOCK) {
        const int m = (int)(T - i0 < BLOCK ? T - i0 : BLOCK), keys = (int)i0 + m;
        sgemm(ROW_MAJOR, NO_TRANS, TRANS, m, keys, (int)dh, scale, q + i0 * ld, (int)ld, k, (int)ld, 0.0f, p + i0 * T, (int)T);
      }
      causal_softmax(p, T);
      for (size_t i0 = 0; i0 < T; i0 += BLOCK) {
        const int m = (int)(T - i0 < BLOCK ? T - i0 : BLOCK), keys = (int)i0 + m;
        sgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, m, (int)dh, keys, 1.0f, p + i0 * T, (int)T, v, (int)ld, 0.0f, o + i0 * d, (int)d);
      }
    }
  return NULL;
}

/*
 * attentionBackward(dout, qkv, probs, dqkv, n, T, heads): with P = probs, dV = P^T dO, dP = dO V^T,
 * dS = P (dP - rowsum(dP P)) scale, dQ = dS K, dK = dS^T Q, written into dqkv's q | k | v columns.
 */
napi_value js_attention_backward(napi_env env, napi_callback_info info) {
  size_t argc = 7, d;
  napi_value argv[7];
  int32_t dims[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 7) { napi_throw_error(env, NULL, "plateau_kernels: attentionBackward takes 7 arguments"); return NULL; }
  sgemm_fn sgemm = setup(env, argv, 4, dims);
  if (!sgemm) return NULL;
  const size_t n = dims[0], T = dims[1], H = dims[2];
  d = float_length(env, argv[0]) / (n * T);
  const size_t dh = d / H, ld = 3 * d;
  float *dout = float_data(env, argv[0], n * T * d), *qkv = float_data(env, argv[1], n * T * ld);
  float *probs = float_data(env, argv[2], n * H * T * T), *dqkv = float_data(env, argv[3], n * T * ld);
  if (!dout || !qkv || !probs || !dqkv || d == 0 || dh * H != d) {
    napi_throw_range_error(env, NULL, "plateau_kernels: attention's operands do not fit n, T, heads");
    return NULL;
  }
  float *ds = malloc(T * T * sizeof(float));
  if (!ds) { napi_throw_error(env, NULL, "plateau_kernels: out of memory"); return NULL; }
  const float scale = (float)(1.0 / sqrt((double)dh));
  for (size_t b = 0; b < n; b++)
    for (size_t h = 0; h < H; h++) {
      const size_t at = b * T * ld + h * dh;
      const float *q = qkv + at, *k = q + d, *v = q + 2 * d, *go = dout + b * T * d + h * dh;
      const float *p = probs + (b * H + h) * T * T;
      float *dq = dqkv + at, *dk = dq + d, *dv = dq + 2 * d;
      /* by query rows [i0, i1) (keys [0, i1)) and by key rows [j0, j1) (queries [j0, T)): zeros skipped */
      for (size_t i0 = 0; i0 < T; i0 += BLOCK) {
        const int m = (int)(T - i0 < BLOCK ? T - i0 : BLOCK), keys = (int)i0 + m, later = (int)(T - i0);
        sgemm(ROW_MAJOR, TRANS, NO_TRANS, m, (int)dh, later, 1.0f, p + i0 * T + i0, (int)T, go + i0 * d, (int)d, 0.0f, dv + i0 * ld, (int)ld);
        sgemm(ROW_MAJOR, NO_TRANS, TRANS, m, keys, (int)dh, 1.0f, go + i0 * d, (int)d, v, (int)ld, 0.0f, ds + i0 * T, (int)T);
      }
      causal_softmax_grad(ds, p, T, scale);
      for (size_t i0 = 0; i0 < T; i0 += BLOCK) {
        const int m = (int)(T - i0 < BLOCK ? T - i0 : BLOCK), keys = (int)i0 + m, later = (int)(T - i0);
        sgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, m, (int)dh, keys, 1.0f, ds + i0 * T, (int)T, k, (int)ld, 0.0f, dq + i0 * ld, (int)ld);
        sgemm(ROW_MAJOR, TRANS, NO_TRANS, m, (int)dh, later, 1.0f, ds + i0 * T + i0, (int)T, q + i0 * ld, (int)ld, 0.0f, dk + i0 * ld, (int)ld);
      }
    }
  free(ds);
  return NULL;
}
