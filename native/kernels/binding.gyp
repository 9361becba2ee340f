{
  "targets": [
    {
      "target_name": "plateau_kernels",
      "sources": ["src/addon.c", "src/blas.c", "src/lapack.c", "src/softmax.c", "src/adam.c", "src/im2col.c", "src/maxpool.c", "src/fused.c", "src/attention.c"],
      "cflags": ["-O3", "-std=c11", "-fno-trapping-math"],
      "conditions": [["OS=='linux'", { "libraries": ["-ldl"] }]]
    }
  ]
}
