/*
 * One Adam/AdamW step over a parameter in a single pass: tfjs spends ~12 element-wise kernels (each a
 * trip through memory, each a dispatch) on it. Float32 arithmetic in the composite's order, so the
 * results match tfjs's own to rounding.
 */
#include <math.h>
#include "kernels.h"

/* adam(p, g, m, v, pOut, mOut, vOut, lr, beta1, beta2, eps, bc1, sqrtBc2, l2, keep) */
napi_value js_adam(napi_env env, napi_callback_info info) {
  size_t argc = 15;
  napi_value argv[15];
  double k[8];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 15) { napi_throw_error(env, NULL, "plateau_kernels: adam takes 15 arguments"); return NULL; }
  size_t n = float_length(env, argv[0]);
  float *arr[7];
  for (int i = 0; i < 7; i++) {
    arr[i] = float_data(env, argv[i], n);
    if (!arr[i] || n == 0) { napi_throw_range_error(env, NULL, "plateau_kernels: adam's operands must be Float32Arrays of one length"); return NULL; }
  }
  for (int i = 0; i < 8; i++) CHECK(napi_get_value_double(env, argv[7 + i], &k[i]));
  const float *restrict p = arr[0], *restrict g = arr[1], *restrict m = arr[2], *restrict v = arr[3];
  float *restrict po = arr[4], *restrict mo = arr[5], *restrict vo = arr[6];
  const float b1 = (float)k[1], b2 = (float)k[2], eps = (float)k[3], sqrt_bc2 = (float)k[5], l2 = (float)k[6], keep = (float)k[7];
  const float one_b1 = (float)(1 - k[1]), one_b2 = (float)(1 - k[2]), step = (float)(k[0] / k[4]);
  for (size_t i = 0; i < n; i++) {
    const float gi = l2 != 0 ? g[i] + p[i] * l2 : g[i];
    const float mi = m[i] * b1 + gi * one_b1;
    const float vi = v[i] * b2 + (gi * gi) * one_b2;
    mo[i] = mi;
    vo[i] = vi;
    po[i] = p[i] * keep - (mi / (sqrtf(vi) / sqrt_bc2 + eps)) * step;
  }
  return NULL;
}
