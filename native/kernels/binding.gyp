{
  "targets": [
    {
      "target_name": "plateau_kernels",
      "sources": ["src/addon.c", "src/blas.c", "src/lapack.c", "src/softmax.c", "src/adam.c", "src/im2col.c", "src/maxpool.c"],
      "cflags": ["-O3", "-std=c11"],
      "conditions": [["OS=='linux'", { "libraries": ["-ldl"] }]]
    }
  ]
}
