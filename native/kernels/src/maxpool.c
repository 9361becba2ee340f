/*
 * 2x2 max pooling, stride 2, on NHWC tensors in wasm memory, and the two linear maps its derivatives
 * need. Each recomputes the window maxima of x (ties: the first in row-major order, as PyTorch), so no
 * index tensor is stored or carried on the tape:
 *   mode 0, pool:    out[k] = x[argmax_k]                 (out: n x h/2 x w/2 x c)
 *   mode 1, gather:  out[k] = g[argmax_k]                 (g like x, out pooled)
 *   mode 2, scatter: out = 0; out[argmax_k] = g[k]        (g pooled, out like x)
 */
#include <string.h>
#include "kernels.h"

/* maxpool2x2(mode, x, g, out, n, h, w, c); g is ignored in mode 0 (pass x). */
napi_value js_maxpool2x2(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  int32_t d[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 8) { napi_throw_error(env, NULL, "plateau_kernels: maxpool2x2 takes 8 arguments"); return NULL; }
  CHECK(napi_get_value_int32(env, argv[0], &d[0]));
  for (int i = 1; i < 5; i++) CHECK(napi_get_value_int32(env, argv[3 + i], &d[i]));
  const int mode = d[0], n = d[1], h = d[2], w = d[3], c = d[4];
  if (mode < 0 || mode > 2 || n < 1 || h < 2 || w < 2 || c < 1 || h % 2 || w % 2) {
    napi_throw_range_error(env, NULL, "plateau_kernels: maxpool2x2 needs mode 0..2 and n, c >= 1, even h and w");
    return NULL;
  }
  const size_t full = (size_t)n * h * w * c, pooled = full / 4;
  const float *x = float_data(env, argv[1], full);
  const float *g = float_data(env, argv[2], mode == 2 ? pooled : full);
  float *out = float_data(env, argv[3], mode == 2 ? full : pooled);
  if (!x || !g || !out) { napi_throw_range_error(env, NULL, "plateau_kernels: maxpool2x2's arrays do not fit the shape"); return NULL; }
  if (mode == 2) memset(out, 0, sizeof(float) * full);
  size_t k = 0;
  for (int b = 0; b < n; b++) {
    for (int i = 0; i < h; i += 2) {
      for (int j = 0; j < w; j += 2) {
        const size_t p00 = (((size_t)b * h + i) * w + j) * c, p01 = p00 + c, p10 = p00 + (size_t)w * c, p11 = p10 + c;
        for (int ci = 0; ci < c; ci++, k++) {
          /* window order (0,0), (0,1), (1,0), (1,1); strict > keeps the first maximum */
          size_t best = p00 + ci;
          if (x[p01 + ci] > x[best]) best = p01 + ci;
          if (x[p10 + ci] > x[best]) best = p10 + ci;
          if (x[p11 + ci] > x[best]) best = p11 + ci;
          if (mode == 2) out[best] = g[k];
          else out[k] = (mode == 0 ? x : g)[best];
        }
      }
    }
  }
  return NULL;
}
