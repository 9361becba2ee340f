/*
 * Kernels tfjs's wasm backend is slow at, run natively on tensors where they lie in wasm memory:
 * sgemm through the system BLAS (blas.c), float64 products and the symmetric eigen-solver of its LAPACK
 * for the metrics (lapack.c, softmax.c), a fused Adam/AdamW step (adam.c), a 3x3 convolution's
 * im2col/col2im (im2col.c), 2x2 max pooling (maxpool.c), and a transformer's GELU, LayerNorm and
 * softmax cross-entropy (fused.c) and causal self-attention on the BLAS (attention.c). Optional: the app runs on tfjs's own kernels where this addon was not built.
 */
#include "kernels.h"

float *float_data(napi_env env, napi_value v, size_t need) {
  napi_typedarray_type type;
  size_t length, offset;
  void *data;
  napi_value buffer;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, &buffer, &offset) != napi_ok) return NULL;
  if (type != napi_float32_array || length < need) return NULL;
  return (float *)data;
}

double *double_data(napi_env env, napi_value v, size_t need) {
  napi_typedarray_type type;
  size_t length, offset;
  void *data;
  napi_value buffer;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, &buffer, &offset) != napi_ok) return NULL;
  if (type != napi_float64_array || length < need) return NULL;
  return (double *)data;
}

size_t float_length(napi_env env, napi_value v) {
  napi_typedarray_type type;
  size_t length, offset;
  void *data;
  napi_value buffer;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, &buffer, &offset) != napi_ok || type != napi_float32_array) return 0;
  return length;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
    {"setThreads", NULL, js_set_threads, NULL, NULL, NULL, napi_default, NULL},
    {"sgemm", NULL, js_sgemm, NULL, NULL, NULL, napi_default, NULL},
    {"linalg", NULL, js_linalg, NULL, NULL, NULL, napi_default, NULL},
    {"dgemm", NULL, js_dgemm, NULL, NULL, NULL, napi_default, NULL},
    {"dsyrk", NULL, js_dsyrk, NULL, NULL, NULL, napi_default, NULL},
    {"dsyevd", NULL, js_dsyevd, NULL, NULL, NULL, napi_default, NULL},
    {"softmaxRows", NULL, js_softmax_rows, NULL, NULL, NULL, napi_default, NULL},
    {"adam", NULL, js_adam, NULL, NULL, NULL, napi_default, NULL},
    {"im2col3x3", NULL, js_im2col3x3, NULL, NULL, NULL, napi_default, NULL},
    {"col2im3x3", NULL, js_col2im3x3, NULL, NULL, NULL, napi_default, NULL},
    {"maxpool2x2", NULL, js_maxpool2x2, NULL, NULL, NULL, napi_default, NULL},
    {"gelu", NULL, js_gelu, NULL, NULL, NULL, napi_default, NULL},
    {"layerNorm", NULL, js_layer_norm, NULL, NULL, NULL, napi_default, NULL},
    {"layerNormGrad", NULL, js_layer_norm_grad, NULL, NULL, NULL, napi_default, NULL},
    {"softmaxXent", NULL, js_softmax_xent, NULL, NULL, NULL, napi_default, NULL},
    {"attentionForward", NULL, js_attention_forward, NULL, NULL, NULL, napi_default, NULL},
    {"attentionBackward", NULL, js_attention_backward, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
