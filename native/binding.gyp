# Built by scripts/build-native.mjs, which finds libtorch and passes its paths in TORCHLET_TORCH_* variables.
{
  "targets": [{
    "target_name": "torchlet_native",
    "sources": ["src/addon.cc"],
    "include_dirs": [
      "<!(node -p \"require('node-addon-api').include_dir\")",
      "<!@(node -p \"process.env.TORCHLET_TORCH_INCLUDE || ''\")"
    ],
    "defines": [
      # ATen throws; node-addon-api must let C++ exceptions through (its default target adds -fno-exceptions).
      "NAPI_CPP_EXCEPTIONS",
      # finalizers run inside GC, so a synchronous loop that drops storages stays bounded (reference §3). Do not
      # also define NAPI_VERSION: the module must register as the experimental version for node to do that.
      "NAPI_EXPERIMENTAL",
      "_GLIBCXX_USE_CXX11_ABI=<!(node -p \"process.env.TORCHLET_TORCH_CXX11_ABI || '1'\")"
    ],
    # ATen needs RTTI (typeid in custom_class.h) and exceptions (c10/util/Array.h).
    "cflags!": ["-fno-exceptions", "-fno-rtti"],
    "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
    # -O3 and -fno-math-errno let the fused optimizers' element loops vectorize (sqrt that sets errno cannot);
    # nothing here reads errno after a math function.
    "cflags_cc": ["-std=c++17", "-frtti", "-fexceptions", "-O3", "-fno-math-errno", "-Wno-unused-parameter"],
    "libraries": [
      "<!@(node -p \"(process.env.TORCHLET_TORCH_LIBDIR || '').split(' ').filter(Boolean).map(d => '-L' + d + ' -Wl,-rpath,' + d).join(' ')\")",
      "-ltorch_cpu", "-lc10",
      # resolve every symbol at load time: an ABI mismatch then fails require() with a catchable error instead
      # of killing node at the first call (reference §1)
      "-Wl,-z,now"
    ]
  }]
}
