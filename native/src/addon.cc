// torchlet's native backend: the Backend interface's kernels on libtorch's ATen, as a Node-API addon.
//
// Storages are 1-D at::Tensors in a table, handed to JS as numbers (see StorageSlot). A Layout (shape, strides, offset) becomes an
// at::as_strided view over the storage tensor, so every kernel runs on ATen's own strided iterators.
//
// Arguments that are arrays of numbers (layouts, axes, geometry, hyperparameters) do not cross as JS arrays:
// the TS side writes them into one shared Float64Array (`setArgBuffer`) and the C++ side reads them in order.
// Reading JS arrays element by element costs ~50 ns per element through N-API; the shared buffer costs nothing.
//
// Written against the part of ATen that is stable from 1.13 to 2.x (no SymInt overloads, no _fused_* ops, which
// are CUDA-only in 1.13).
#include <napi.h>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/CPUAllocator.h>
#include <c10/util/Exception.h>
#include <c10/util/Logging.h>
#include <torch/version.h>
#include <torch/cuda.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/core/Reduction.h>
#include <ATen/ScalarOps.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <deque>

#include <sys/mman.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

napi_env g_env = nullptr;
double* g_args = nullptr;
size_t g_argsLen = 0;
// Heap-allocated and never deleted: static Napi::References destroyed after the env is gone crash node at exit.
Napi::Reference<Napi::Float64Array>* g_argsRef = nullptr;
int64_t g_externalBytes = 0;

// dtype codes shared with src/backend/native/index.ts (DTYPES there).
const at::ScalarType kDTypes[] = {at::kFloat, at::kDouble, at::kLong, at::kInt, at::kBool, at::kShort, at::kChar, at::kByte};

at::ScalarType dtypeOf(int code) {
  if (code < 0 || code > 7) throw std::runtime_error("native backend: bad dtype code");
  return kDTypes[code];
}

/** Reads the shared argument buffer in order. */
struct Args {
  size_t i = 0;
  double next() {
    if (i >= g_argsLen) throw std::runtime_error("native backend: argument buffer overrun");
    return g_args[i++];
  }
  int64_t nextInt() { return static_cast<int64_t>(next()); }
  std::vector<int64_t> ints(size_t n) {
    std::vector<int64_t> v(n);
    for (size_t k = 0; k < n; k++) v[k] = nextInt();
    return v;
  }
};

/**
 * A caching CPU allocator for ATen, as PyTorch's CUDA one: freed blocks are kept per (rounded) size and handed
 * out again. Why: on this VM a fresh page costs tens of µs to fault in, and glibc gives large blocks back to the
 * OS (mmap threshold, heap trimming), so without a cache every 256 KB activation paid ~2 ms (relu of 128×512:
 * 2 ms here vs 4 µs in PyTorch, whose glibc thresholds had drifted up; measured). A training loop allocates the
 * same sizes every step, so the cache settles at the working set. `TORCHLET_NATIVE_CACHE_MB` caps the bytes
 * kept (default 4096); `emptyCache()` gives them back.
 */
// Element loops of the fused kernels: an AVX2 clone and a baseline one, picked by the dynamic loader for this CPU.
// They vectorize at -O3 with -fno-math-errno (binding.gyp): with errno, sqrt cannot be a vector instruction.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define KERNEL_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define KERNEL_CLONES
#endif

class CachingCpuAllocator final : public c10::Allocator {
 public:
  c10::DataPtr allocate(size_t n) const override {
    if (n == 0) return {nullptr, nullptr, &release, c10::Device(c10::DeviceType::CPU)};
    size_t size = round(n);
    void* p = nullptr;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = free_.find(size);
      if (it != free_.end() && !it->second.empty()) {
        p = it->second.back();
        it->second.pop_back();
        cached_ -= size;
      }
    }
    if (p == nullptr) {
      freshBlocks_++;
      p = fresh(size);
      if (p == nullptr) {
        emptyCache();  // retry once with the cache given back
        p = fresh(size);
        if (p == nullptr) throw std::bad_alloc();
      }
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      sizes_[p] = size;
    }
    // context == data, as raw_allocate()/raw_deleter() require (some kernels allocate raw scratch memory)
    return {p, p, &release, c10::Device(c10::DeviceType::CPU)};
  }
  c10::DeleterFnPtr raw_deleter() const override { return &release; }

  static void release(void* p) {
    if (p == nullptr) return;
    CachingCpuAllocator& self = instance();
    size_t size;
    {
      std::lock_guard<std::mutex> lock(self.mu_);
      auto it = self.sizes_.find(p);
      if (it == self.sizes_.end()) return;  // not ours (cannot happen: DataPtrs carry their own deleter)
      size = it->second;
      self.sizes_.erase(it);
      if (self.cached_ + size <= self.limit_) {
        self.free_[size].push_back(p);
        self.cached_ += size;
        return;
      }
    }
    give(p, size);
  }
  void emptyCache() const {
    std::unordered_map<size_t, std::vector<void*>> blocks;
    {
      std::lock_guard<std::mutex> lock(mu_);
      blocks.swap(free_);
      cached_ = 0;
    }
    for (auto& kv : blocks)
      for (void* p : kv.second) give(p, kv.first);
  }
  size_t cachedBytes() const { std::lock_guard<std::mutex> lock(mu_); return cached_; }
  /** Blocks taken from the system rather than from the cache, since load (bench/profile-native.ts reports it). */
  size_t freshBlocks() const { return freshBlocks_; }
  void setLimit(size_t bytes) { limit_ = bytes; }

  static CachingCpuAllocator& instance() {
    static CachingCpuAllocator* a = new CachingCpuAllocator();  // never destroyed: tensors may outlive statics
    return *a;
  }

 private:
  // Blocks of 128 KB and more are mapped directly rather than taken from malloc. This used to be done process-wide
  // with mallopt(M_MMAP_THRESHOLD, 128 KB) (the brk heap fragmented, RSS grew ~1 MB per step); but a fixed threshold
  // also turns off glibc's dynamic threshold for everyone else in the process, and OpenBLAS's threaded GEMM
  // mallocs and frees a 516 KB job array on every call: with the fixed threshold each call paid an mmap, ~129 page
  // faults and an munmap. A 128×256·256×10 product took 170-220 µs instead of 28 µs (standalone libtorch, and
  // PyTorch: 36 µs); the MLP step's eight GEMMs took 3.9 ms instead of 2.5 ms (measured). The cache keeps these
  // blocks, so a mapping is made once per block and the heap holds only small blocks.
  static constexpr size_t kMapAt = size_t(128) << 10;
  static void* fresh(size_t size) {
    if (size >= kMapAt) {
      // MAP_POPULATE: the kernel maps every page now, in one call, instead of taking one fault per 4 KB page at
      // first touch (a 1.6 MB block: 400 faults, ~25 µs each on this VM; OpenBLAS's sgemm_beta took them).
      void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
      return p == MAP_FAILED ? nullptr : p;
    }
    void* p = nullptr;
    return posix_memalign(&p, 64, size) == 0 ? p : nullptr;
  }
  static void give(void* p, size_t size) {
    if (size >= kMapAt) munmap(p, size);
    else std::free(p);
  }
  // 512-byte granularity up to 1 MB, then 64 KB: few distinct sizes, little waste.
  static size_t round(size_t n) { return n <= (1u << 20) ? (n + 511) & ~size_t(511) : (n + 65535) & ~size_t(65535); }
  mutable std::mutex mu_;
  mutable std::unordered_map<size_t, std::vector<void*>> free_;
  mutable std::unordered_map<void*, size_t> sizes_;
  mutable size_t cached_ = 0;
  mutable std::atomic<size_t> freshBlocks_{0};
  size_t limit_ = size_t(4096) << 20;
};

/**
 * Storages live in one table and cross to JS as numbers: handle = slot + generation * 2^24 (exact in a double).
 * Why not one Napi::External per storage: creating an External and finalizing it cost ~4.5 µs per storage here,
 * more than the at::add of a 1-element tensor (~1 µs); a table slot costs ~0.1 µs. The frontend frees every
 * storage explicitly (its lifetime rules, `free`); a JS FinalizationRegistry in src/backend/native/index.ts is the
 * backstop for a storage dropped without `free`. The generation makes a stale handle (used after `free`, its slot
 * since reused) fail with "storage has been freed" instead of reaching another storage.
 */
struct StorageSlot {
  at::Tensor t;
  int64_t bytes = 0;
  uint32_t gen = 1;
};
// A deque: references into it stay valid when it grows (kernels hold `const at::Tensor&` from storageOf while
// their result is being added).
std::deque<StorageSlot> g_slots;
std::vector<uint32_t> g_freeSlots;
constexpr double kSlotSpan = 16777216.0;  // 2^24 slots

/**
 * What V8 is told (napi_adjust_external_memory, batched by 1 MB) is the growth of memory that only a collection
 * can give back, not every storage's bytes. The report is what makes V8 collect, and a collection helps only with
 * storages whose tensors were dropped; the frontend frees the rest explicitly (engine temporaries, activations
 * between built-in layers, unreachable gradients). So bytes freed explicitly become a credit that later
 * allocations use before they are reported, and bytes freed by a finalizer (a collection found the tensors dead)
 * are reported as freed. Reporting every allocation and free made a CNN step that allocates and frees ~40 MB swing
 * V8's external figure by that much each step: V8's global limit (heap plus external, times a small growing
 * factor) then started a major collection every step, ~4 ms of a 40 ms step, with the GC threads competing for
 * the cores (measured; docs/benchmarks.md). Reporting only the allocator's footprint instead (tried) left dropped
 * results unreported until the cache ran dry, so each collection waited on freshly mapped pages.
 */
int64_t g_pendingExternal = 0;
int64_t g_credit = 0;
constexpr int64_t kCreditCap = int64_t(64) << 20;  // beyond this, explicitly freed bytes are reported as freed
void reportExternal(int64_t delta) {
  g_pendingExternal += delta;
  if (g_pendingExternal > (1 << 20) || g_pendingExternal < -(1 << 20)) {
    int64_t ignored;
    if (g_env != nullptr) napi_adjust_external_memory(g_env, g_pendingExternal, &ignored);
    g_pendingExternal = 0;
  }
}
/** A storage of `bytes` was made: live bytes (`externalBytes()`) grow; V8 hears of what the credit does not cover. */
void allocatedExternal(int64_t bytes) {
  g_externalBytes += bytes;
  const int64_t covered = std::min(bytes, g_credit);
  g_credit -= covered;
  if (bytes > covered) reportExternal(bytes - covered);
}
/** A storage of `bytes` was freed, by a finalizer (`collected`) or explicitly. */
void freedExternal(int64_t bytes, bool collected) {
  g_externalBytes -= bytes;
  if (collected) { reportExternal(-bytes); return; }
  g_credit += bytes;
  if (g_credit > kCreditCap) { reportExternal(-(g_credit - kCreditCap)); g_credit = kCreditCap; }
}

StorageSlot& slotOf(const Napi::Value& v) {
  if (!v.IsNumber()) throw std::runtime_error("native backend: expected a native storage");
  double h = v.As<Napi::Number>().DoubleValue();
  double slot = std::fmod(h, kSlotSpan);
  if (!(h >= 0) || slot >= static_cast<double>(g_slots.size())) throw std::runtime_error("native backend: expected a native storage");
  StorageSlot& s = g_slots[static_cast<size_t>(slot)];
  if (s.gen != static_cast<uint32_t>((h - slot) / kSlotSpan) || !s.t.defined())
    throw std::runtime_error("native backend: storage has been freed");
  return s;
}
const at::Tensor& storageOf(const Napi::Value& v) { return slotOf(v).t; }

/** Wraps a tensor as a new storage: a fresh contiguous 1-D tensor that shares memory with nothing else. */
Napi::Value wrap(Napi::Env env, at::Tensor t) {
  at::Tensor flat = t.is_contiguous() && t.storage_offset() == 0 && t.storage().nbytes() == t.nbytes()
      ? (t.dim() == 1 ? std::move(t) : t.reshape({t.numel()}))
      : t.contiguous().reshape({t.numel()});
  uint32_t i;
  if (!g_freeSlots.empty()) {
    i = g_freeSlots.back();
    g_freeSlots.pop_back();
  } else {
    if (g_slots.size() >= static_cast<size_t>(kSlotSpan)) throw std::runtime_error("native backend: more than 2^24 live storages");
    i = static_cast<uint32_t>(g_slots.size());
    g_slots.emplace_back();
  }
  StorageSlot& s = g_slots[i];
  s.bytes = static_cast<int64_t>(flat.numel()) * static_cast<int64_t>(flat.element_size());
  s.t = std::move(flat);
  allocatedExternal(s.bytes);
  return Napi::Number::New(env, static_cast<double>(i) + static_cast<double>(s.gen) * kSlotSpan);
}

/**
 * Frees the storage behind handle `h`; a stale handle (already freed) is ignored, as `free` is idempotent.
 * `collected`: a finalizer frees it (see freedExternal).
 */
void freeHandle(double h, bool collected) {
  double slot = std::fmod(h, kSlotSpan);
  if (!(h >= 0) || slot >= static_cast<double>(g_slots.size())) return;
  uint32_t i = static_cast<uint32_t>(slot);
  StorageSlot& s = g_slots[i];
  if (s.gen != static_cast<uint32_t>((h - slot) / kSlotSpan) || !s.t.defined()) return;
  s.t = at::Tensor();
  freedExternal(s.bytes, collected);
  s.bytes = 0;
  s.gen = s.gen >= (1u << 28) ? 1 : s.gen + 1;  // handles stay below 2^52
  g_freeSlots.push_back(i);
}

/** Reads a layout [nd, shape..., strides..., offset] and returns that view of `storage`. */
at::Tensor view(const at::Tensor& storage, Args& a) {
  size_t nd = static_cast<size_t>(a.nextInt());
  c10::SmallVector<int64_t, 6> shape(nd), strides(nd);
  for (size_t d = 0; d < nd; d++) shape[d] = a.nextInt();
  for (size_t d = 0; d < nd; d++) strides[d] = a.nextInt();
  int64_t offset = a.nextInt();
  // the whole storage as it is (a 1-D contiguous tensor, see wrap): no as_strided view to build
  if (nd == 1 && offset == 0 && strides[0] == 1 && shape[0] == storage.numel() && storage.dim() == 1) return storage;
  return at::as_strided(storage, shape, strides, offset);
}

bool isFloat(at::ScalarType t) { return t == at::kFloat || t == at::kDouble; }

at::Tensor cast(const at::Tensor& t, at::ScalarType dt) { return t.scalar_type() == dt ? t : t.to(dt); }

/** The result must never alias an input storage: kernels return fresh storages. */
at::Tensor fresh(const at::Tensor& r, std::initializer_list<const at::Tensor*> inputs) {
  for (const at::Tensor* x : inputs)
    if (r.is_alias_of(*x)) return r.clone();
  return r;
}

/** An error the portable backend raises as a RangeError (same message). */
struct RangeFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

using Fn = Napi::Value (*)(const Napi::CallbackInfo&);

/** Runs a kernel, turning C++ exceptions into JS errors (c10 messages without the backtrace). */
template <Fn F>
Napi::Value guarded(const Napi::CallbackInfo& info) {
  try {
    return F(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const c10::IndexError& e) {
    throw Napi::RangeError::New(info.Env(), e.what_without_backtrace());
  } catch (const c10::Error& e) {
    // Index errors are RangeErrors, as the portable backend throws them (the frontend rewords gather's bounds
    // error for index_select by that); ATen raises most of them as plain c10::Error.
    std::string msg = e.what_without_backtrace();
    if (msg.find("out of bounds") != std::string::npos) throw Napi::RangeError::New(info.Env(), msg);
    throw Napi::Error::New(info.Env(), msg);
  } catch (const RangeFailure& e) {
    throw Napi::RangeError::New(info.Env(), e.what());
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), e.what());
  }
}

int argInt(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().Int32Value(); }
double argNum(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().DoubleValue(); }

// ---------------------------------------------------------------------------------------------------------------
// Setup, memory

Napi::Value SetArgBuffer(const Napi::CallbackInfo& info) {
  Napi::Float64Array a = info[0].As<Napi::Float64Array>();
  if (g_argsRef != nullptr) g_argsRef->Reset(a, 1);
  else g_argsRef = new Napi::Reference<Napi::Float64Array>(Napi::Persistent(a));
  g_args = a.Data();
  g_argsLen = a.ElementLength();
  return info.Env().Undefined();
}

// alloc(dtype, length)
Napi::Value Alloc(const Napi::CallbackInfo& info) {
  return wrap(info.Env(), at::empty({static_cast<int64_t>(argNum(info, 1))}, at::TensorOptions().dtype(dtypeOf(argInt(info, 0)))));
}

at::ScalarType hostType(const Napi::TypedArray& ta) {
  switch (ta.TypedArrayType()) {
    case napi_float32_array: return at::kFloat;
    case napi_float64_array: return at::kDouble;
    case napi_int32_array: return at::kInt;
    case napi_int16_array: return at::kShort;
    case napi_int8_array: return at::kChar;
    // uint8 and bool storages both travel as Uint8Array; bool's hold 0/1, which copy_ converts either way
    case napi_uint8_array: return at::kByte;
    case napi_uint8_clamped_array: return at::kByte;
    default: throw std::runtime_error("native backend: unsupported typed array");
  }
}

at::Tensor hostTensor(const Napi::TypedArray& ta, at::IntArrayRef shape) {
  void* data = static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  return at::from_blob(data, shape, at::TensorOptions().dtype(hostType(ta)));
}

// fromArray(dtype, typedArray): a copy converted to dtype
Napi::Value FromArray(const Napi::CallbackInfo& info) {
  Napi::TypedArray ta = info[1].As<Napi::TypedArray>();
  int64_t n = static_cast<int64_t>(ta.ElementLength());
  at::Tensor t = at::empty({n}, at::TensorOptions().dtype(dtypeOf(argInt(info, 0))));
  if (n > 0) t.copy_(hostTensor(ta, {n}));
  return wrap(info.Env(), t);
}

Napi::Value Free(const Napi::CallbackInfo& info) {
  if (info[0].IsNumber()) freeHandle(info[0].As<Napi::Number>().DoubleValue(), info.Length() > 1 && info[1].ToBoolean().Value());
  return info.Env().Undefined();
}

Napi::Value FreshBlocks(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(CachingCpuAllocator::instance().freshBlocks()));
}
Napi::Value CachedBytes(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(CachingCpuAllocator::instance().cachedBytes()));
}
Napi::Value EmptyCache(const Napi::CallbackInfo& info) {
  CachingCpuAllocator::instance().emptyCache();
  return info.Env().Undefined();
}

Napi::Value ExternalBytes(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(g_externalBytes)); }

// read(h, dst): dst (a typed array of numel elements, the host type) = storage[layout]
Napi::Value Read(const Napi::CallbackInfo& info) {
  Args a;
  at::Tensor v = view(storageOf(info[0]), a);
  Napi::TypedArray ta = info[1].As<Napi::TypedArray>();
  if (v.numel() > 0) hostTensor(ta, v.sizes()).copy_(v);
  return info.Env().Undefined();
}

// fill(h, value) with the layout in the arg buffer
Napi::Value Fill(const Napi::CallbackInfo& info) {
  Args a;
  at::Tensor v = view(storageOf(info[0]), a);
  v.fill_(argNum(info, 1));
  return info.Env().Undefined();
}

// copy(src, dst): layouts src, dst
Napi::Value Copy(const Napi::CallbackInfo& info) {
  Args a;
  const at::Tensor& ss = storageOf(info[0]);
  const at::Tensor& ds = storageOf(info[1]);
  at::Tensor s = view(ss, a), d = view(ds, a);
  // ATen refuses to copy between overlapping views of one storage; the Backend contract allows it.
  if (ss.is_same(ds)) s = s.clone();
  d.copy_(s);
  return info.Env().Undefined();
}

// ---------------------------------------------------------------------------------------------------------------
// Elementwise

// Order shared with the TS side, which reads these names (`unaryOps`, `binaryOps`) to build its op → code maps.
const char* const kUnaryNames[] = {
    "neg", "abs", "sign", "exp", "log", "log1p", "expm1", "sqrt", "rsqrt", "square", "reciprocal",
    "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
    "relu", "sigmoid", "gelu", "geluTanh", "erf", "floor", "ceil", "round", "trunc", "logicalNot",
    "isnan", "isinf", "softplus", "silu",
    "reluMask", "sigmoidGrad", "geluGrad", "geluTanhGrad", "erfGrad", "siluGrad"};
constexpr int kNumUnary = sizeof(kUnaryNames) / sizeof(kUnaryNames[0]);

at::Tensor unaryOp(int op, const at::Tensor& xin, at::ScalarType out, double p) {
  // Predicates take the input as it is; everything else computes in the output dtype (PyTorch's result type).
  if (op == 32) return at::logical_not(xin);
  if (op == 33) return at::isnan(xin);
  if (op == 34) return at::isinf(xin);
  const at::Tensor x = cast(xin, out);
  switch (op) {
    case 0: return at::neg(x);
    case 1: return at::abs(x);
    case 2: return at::sign(x);
    case 3: return at::exp(x);
    case 4: return at::log(x);
    case 5: return at::log1p(x);
    case 6: return at::expm1(x);
    case 7: return at::sqrt(x);
    case 8: return at::rsqrt(x);
    case 9: return at::square(x);
    case 10: return at::reciprocal(x);
    case 11: return at::sin(x);
    case 12: return at::cos(x);
    case 13: return at::tan(x);
    case 14: return at::asin(x);
    case 15: return at::acos(x);
    case 16: return at::atan(x);
    case 17: return at::sinh(x);
    case 18: return at::cosh(x);
    case 19: return at::tanh(x);
    case 20: return at::asinh(x);
    case 21: return at::acosh(x);
    case 22: return at::atanh(x);
    case 23: return at::relu(x);
    case 24: return at::sigmoid(x);
    case 25: return at::gelu(x, "none");
    case 26: return at::gelu(x, "tanh");
    case 27: return at::erf(x);
    case 28: return at::floor(x);
    case 29: return at::ceil(x);
    case 30: return at::round(x);
    case 31: return at::trunc(x);
    case 35: return at::softplus(x, p, 20);
    case 36: return at::silu(x);
    case 37: return cast(at::gt(x, 0), out);
    case 38: { at::Tensor s = at::sigmoid(x); return s * (1 - s); }
    case 39: return at::gelu_backward(at::ones_like(x), x, "none");
    case 40: return at::gelu_backward(at::ones_like(x), x, "tanh");
    case 41: return at::exp(-x * x) * 1.1283791670955126;
    case 42: { at::Tensor s = at::sigmoid(x); return s * (1 + x * (1 - s)); }
    default: throw std::runtime_error("native backend: bad unary op code");
  }
}

// unary(op, x, outDtype, param, out|null): layouts x[, out]
Napi::Value Unary(const Napi::CallbackInfo& info) {
  Args a;
  at::Tensor x = view(storageOf(info[1]), a);
  at::ScalarType dt = dtypeOf(argInt(info, 2));
  at::Tensor r = cast(unaryOp(argInt(info, 0), x, dt, argNum(info, 3)), dt);
  if (!info[4].IsNull()) {
    view(storageOf(info[4]), a).copy_(r);
    return info[4];
  }
  return wrap(info.Env(), fresh(r, {&x}));
}

const char* const kBinaryNames[] = {
    "add", "addScaled", "sub", "mul", "div", "pow", "maximum", "minimum", "fmod", "remainder", "floorDivide",
    "eq", "ne", "lt", "le", "gt", "ge", "logicalAnd", "logicalOr", "logicalXor", "atan2",
    "reluBackward", "tanhBackward", "sigmoidBackward"};
constexpr int kNumBinary = sizeof(kBinaryNames) / sizeof(kBinaryNames[0]);

at::Tensor binaryOp(int op, const at::Tensor& ain, const at::Tensor& bin, at::ScalarType out, double p) {
  // Comparisons and logical ops promote their inputs as PyTorch does; arithmetic computes in the output dtype.
  switch (op) {
    case 11: return at::eq(ain, bin);
    case 12: return at::ne(ain, bin);
    case 13: return at::lt(ain, bin);
    case 14: return at::le(ain, bin);
    case 15: return at::gt(ain, bin);
    case 16: return at::ge(ain, bin);
    case 17: return at::logical_and(ain, bin);
    case 18: return at::logical_or(ain, bin);
    case 19: return at::logical_xor(ain, bin);
    default: break;
  }
  const at::Tensor a = cast(ain, out), b = cast(bin, out);
  if (!isFloat(out) && out != at::kBool && b.numel() > 0) {
    // The checks PyTorch makes for integer operands (ATen skips the first for tensor exponents), with the portable
    // kernel's messages: the frontend no longer checks before calling the kernel.
    if (op == 5 && at::lt(b, 0).any().item<bool>()) throw RangeFailure("Integers to negative integer powers are not allowed.");
    if ((op == 8 || op == 9 || op == 10) && at::eq(b, 0).any().item<bool>()) throw RangeFailure("ZeroDivisionError");
  }
  switch (op) {
    case 0: return at::add(a, b);
    case 1: return at::add(a, b, p);
    case 2: return at::sub(a, b);
    case 3: return at::mul(a, b);
    case 4: return at::div(a, b);
    case 5: return at::pow(a, b);
    case 6: return at::maximum(a, b);
    case 7: return at::minimum(a, b);
    case 8: return at::fmod(a, b);
    case 9: return at::remainder(a, b);
    case 10: return at::div(a, b, "floor");
    case 20: return at::atan2(a, b);
    case 21: return at::threshold_backward(a, b, 0);
    case 22: return at::tanh_backward(a, b);
    case 23: return at::sigmoid_backward(a, b);
    default: throw std::runtime_error("native backend: bad binary op code");
  }
}

// binary(op, a, b, outDtype, param, out|null): layouts a, b[, out]
Napi::Value Binary(const Napi::CallbackInfo& info) {
  Args args;
  at::Tensor a = view(storageOf(info[1]), args), b = view(storageOf(info[2]), args);
  at::ScalarType dt = dtypeOf(argInt(info, 3));
  const int op = argInt(info, 0);
  if (!info[5].IsNull()) {
    at::Tensor o = view(storageOf(info[5]), args);
    // In place (x.add_(y), grad accumulation): ATen's out= kernels write straight into the destination; computing a
    // result and copying it made a temporary and a second pass. Only where ATen computes exactly what binaryOp
    // does (float operands of the output dtype, a dense destination that may alias an input).
    // (an input over the destination's memory must have exactly its layout: ATen reads and writes each element once
    // then; another layout, such as x.add_(x.t()) or x.add_(x[0]), takes the copy path below)
    auto sameOrApart = [&o](const at::Tensor& t) {
      return !t.is_alias_of(o) || (t.sizes() == o.sizes() && t.strides() == o.strides() && t.storage_offset() == o.storage_offset());
    };
    if (isFloat(dt) && o.scalar_type() == dt && a.scalar_type() == dt && b.scalar_type() == dt && o.is_non_overlapping_and_dense() &&
        a.sizes() == o.sizes() && sameOrApart(a) && sameOrApart(b)) {
      switch (op) {
        case 0: at::add_out(o, a, b); return info[5];
        case 1: at::add_out(o, a, b, argNum(info, 4)); return info[5];
        case 2: at::sub_out(o, a, b); return info[5];
        case 3: at::mul_out(o, a, b); return info[5];
        case 4: at::div_out(o, a, b); return info[5];
        default: break;
      }
    }
    o.copy_(cast(binaryOp(op, a, b, dt, argNum(info, 4)), dt));
    return info[5];
  }
  at::Tensor r = cast(binaryOp(op, a, b, dt, argNum(info, 4)), dt);
  return wrap(info.Env(), fresh(r, {&a, &b}));
}

// where(cond, a, b, outDtype): layouts cond, a, b
Napi::Value Where(const Napi::CallbackInfo& info) {
  Args args;
  at::Tensor c = view(storageOf(info[0]), args), a = view(storageOf(info[1]), args), b = view(storageOf(info[2]), args);
  at::ScalarType dt = dtypeOf(argInt(info, 3));
  return wrap(info.Env(), at::where(cast(c, at::kBool), cast(a, dt), cast(b, dt)));
}

// ---------------------------------------------------------------------------------------------------------------
// Reductions

// reduce(op, x, outDtype): layout x, then [nAxes, axes...]. ops: sum prod max min any all. Keepdim shape.
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  Args args;
  at::Tensor x = view(storageOf(info[1]), args);
  std::vector<int64_t> axes = args.ints(static_cast<size_t>(args.nextInt()));
  int op = argInt(info, 0);
  at::ScalarType dt = dtypeOf(argInt(info, 2));
  at::Tensor r;
  if (axes.empty()) {
    r = x.to(dt, false, true);  // nothing to reduce: a converted copy
  } else if (op == 0) {
    // A float32 sum to one value accumulates in double, as the portable kernel and PyTorch's CPU norm kernels do
    // (acc_type): the frontend builds p-norms, dot products and LBFGS's directions from such sums, and a float
    // accumulator put them 2.3e-7 (relative) off PyTorch's, enough to send LBFGS's float32 line search elsewhere.
    // Sums along some axes (bias gradients, sumToShape) take ATen's float sum, which is PyTorch's `sum(dim)`
    // (cascade summation): 138 µs → ~10 µs for the MLP's 128×512 bias gradient (the double copy cost an
    // allocation and a conversion pass; measured).
    int64_t outputs = 1;  // elements of the result
    for (int64_t d = 0; d < x.dim(); d++)
      if (std::find(axes.begin(), axes.end(), d) == axes.end()) outputs *= x.size(d);
    const bool toOne = outputs == 1;
    r = dt == at::kFloat && toOne ? at::sum(x.to(at::kDouble), axes, true)
                                  : at::sum(isFloat(dt) ? cast(x, dt) : x, axes, true, dt);
  } else if (op == 2 || op == 3) {
    r = op == 2 ? at::amax(x, axes, true) : at::amin(x, axes, true);
  } else {
    // prod/any/all take one dim at a time in ATen 1.13
    r = x;
    for (int64_t d : axes) {
      if (op == 1) r = at::prod(r, d, true, isFloat(dt) ? c10::optional<at::ScalarType>(dt) : c10::nullopt);
      else if (op == 4) r = at::any(r, d, true);
      else r = at::all(r, d, true);
    }
  }
  return wrap(info.Env(), fresh(cast(r, dt), {&x}));
}

// argReduce(op, x, axis): op 0 argmax, 1 argmin; keepdim
Napi::Value ArgReduce(const Napi::CallbackInfo& info) {
  Args args;
  at::Tensor x = view(storageOf(info[1]), args);
  int64_t axis = argInt(info, 2);
  return wrap(info.Env(), argInt(info, 0) == 0 ? at::argmax(x, axis, true) : at::argmin(x, axis, true));
}

// cumsum(x, axis, outDtype)
Napi::Value Cumsum(const Napi::CallbackInfo& info) {
  Args args;
  at::Tensor x = view(storageOf(info[0]), args);
  return wrap(info.Env(), at::cumsum(x, argInt(info, 1), dtypeOf(argInt(info, 2))));
}

// matmul(a, b, outDtype, c|null): layouts a, b[, c]
Napi::Value Matmul(const Napi::CallbackInfo& info) {
  Args args;
  at::ScalarType dt = dtypeOf(argInt(info, 2));
  at::Tensor a = cast(view(storageOf(info[0]), args), dt), b = cast(view(storageOf(info[1]), args), dt);
  bool hasC = !info[3].IsNull();
  at::Tensor c = hasC ? cast(view(storageOf(info[3]), args), dt) : at::Tensor();
  const int64_t nd = a.dim(), M = a.size(nd - 2), K = a.size(nd - 1), N = b.size(nd - 1);
  int64_t batch = 1;
  bool bBroadcast = true;  // b is one matrix repeated over the batch (stride 0), as a linear layer's weight
  for (int64_t d = 0; d < nd - 2; d++) {
    batch *= a.size(d);
    if (b.size(d) != 1 && b.stride(d) != 0) bBroadcast = false;
  }
  std::vector<int64_t> outShape(a.sizes().begin(), a.sizes().end());
  outShape[nd - 1] = N;
  at::Tensor r;
  if (nd == 2 || batch == 1) {
    // 2-D GEMM on views (size-1 batch dims dropped): BLAS takes transposed operands by their strides.
    at::Tensor a2 = nd == 2 ? a : a.reshape({M, K}), b2 = nd == 2 ? b : b.reshape({K, N});
    r = hasC ? at::addmm(nd == 2 ? c : c.reshape({M, N}), a2, b2) : at::mm(a2, b2);
  } else if (bBroadcast) {
    // [...batch, M, K] · [K, N]: one GEMM with the batch folded into the rows.
    at::Tensor b2 = b;
    for (int64_t d = 0; d < nd - 2; d++) b2 = b2.select(0, 0);
    r = at::mm(a.reshape({batch * M, K}), b2);
    if (hasC) r = r.view(outShape).add_(c);
  } else {
    r = at::matmul(a, b);
    if (hasC) r.add_(c);
  }
  return wrap(info.Env(), r.view(outShape));
}

// ---------------------------------------------------------------------------------------------------------------
// Indexing

// gather(x, axis, idx): layouts x, idx
Napi::Value Gather(const Napi::CallbackInfo& info) {
  Args args;
  at::Tensor x = view(storageOf(info[0]), args);
  at::Tensor idx = view(storageOf(info[2]), args);
  return wrap(info.Env(), at::gather(x, argInt(info, 1), cast(idx, at::kLong)));
}

// scatter(dst, axis, idx, src|null, value, add): layouts dst, idx[, src]
Napi::Value Scatter(const Napi::CallbackInfo& info) {
  Args args;
  at::Tensor d = view(storageOf(info[0]), args);
  int64_t axis = argInt(info, 1);
  at::Tensor idx = cast(view(storageOf(info[2]), args), at::kLong);
  bool add = info[5].As<Napi::Boolean>().Value();
  if (info[3].IsNull()) {
    double value = argNum(info, 4);
    if (add) d.scatter_add_(axis, idx, at::full(idx.sizes(), value, d.options()));
    else d.scatter_(axis, idx, value);
  } else {
    at::Tensor s = cast(view(storageOf(info[3]), args), d.scalar_type());
    if (s.is_alias_of(d)) s = s.clone();
    if (add) d.scatter_add_(axis, idx, s);
    else d.scatter_(axis, idx, s);
  }
  return info.Env().Undefined();
}

// Geometry in the arg buffer: kernel(2) stride(2) padding(2) dilation(2) inSize(2) outSize(2).
struct Geometry {
  int64_t kh, kw, sh, sw, ph, pw, dh, dw, H, W, oh, ow;
  explicit Geometry(Args& a)
      : kh(a.nextInt()), kw(a.nextInt()), sh(a.nextInt()), sw(a.nextInt()), ph(a.nextInt()), pw(a.nextInt()),
        dh(a.nextInt()), dw(a.nextInt()), H(a.nextInt()), W(a.nextInt()), oh(a.nextInt()), ow(a.nextInt()) {}
  // The padded input extent the windows cover, so any (asymmetric) padding is a constant_pad_nd to that extent.
  int64_t extH() const { return (oh - 1) * sh + (kh - 1) * dh + 1; }
  int64_t extW() const { return (ow - 1) * sw + (kw - 1) * dw + 1; }
};

// im2col(x, padValue): layout x [N,C,H,W], geometry → [C·kh·kw, N, oh·ow]
Napi::Value Im2col(const Napi::CallbackInfo& info) {
  Args args;
  at::Tensor x = view(storageOf(info[0]), args);
  Geometry g(args);
  // Negative pads crop: the windows may not reach the input's bottom/right edge.
  at::Tensor padded = at::constant_pad_nd(x, {g.pw, g.extW() - g.pw - g.W, g.ph, g.extH() - g.ph - g.H}, argNum(info, 1));
  at::Tensor cols = at::im2col(padded, {g.kh, g.kw}, {g.dh, g.dw}, {0, 0}, {g.sh, g.sw});  // [N, C·kh·kw, L]
  return wrap(info.Env(), cols.permute({1, 0, 2}).contiguous());
}

// col2im(cols): layout cols [C·kh·kw, N, oh·ow], geometry → [N,C,H,W]
Napi::Value Col2im(const Napi::CallbackInfo& info) {
  Args args;
  at::Tensor cols = view(storageOf(info[0]), args);
  Geometry g(args);
  at::Tensor folded = at::col2im(cols.permute({1, 0, 2}).contiguous(), {g.extH(), g.extW()}, {g.kh, g.kw}, {g.dh, g.dw},
                                 {0, 0}, {g.sh, g.sw});
  at::Tensor r = at::constant_pad_nd(folded, {-g.pw, -(g.extW() - g.pw - g.W), -g.ph, -(g.extH() - g.ph - g.H)}, 0);
  return wrap(info.Env(), r);
}

// ---------------------------------------------------------------------------------------------------------------
// Optimizer and clipping kernels. On CPU, ATen 1.13's _foreach_* ops are loops over the per-tensor ops (the
// multi-tensor-apply fast path is CUDA-only) and _fused_adam_ has no CPU kernel, so each rule is written as
// per-tensor in-place ATen ops: same dispatch count, and one N-API call per optimizer step.

struct Slot {
  at::Tensor p, g, s0, s1, s2;
  double step, muProduct;
};

/** Whether every defined tensor is a contiguous float32 tensor of p's size (the fused loops below need that). */
bool denseFloat(const Slot& s, std::initializer_list<const at::Tensor*> ts) {
  for (const at::Tensor* t : ts)
    if (!t->defined() || t->scalar_type() != at::kFloat || !t->is_contiguous() || t->numel() != s.p.numel()) return false;
  return true;
}

/**
 * Adam (and AdamW) in one pass over param, grad, exp_avg, exp_avg_sq: the ATen path below makes seven passes and a
 * temporary (what PyTorch 1.13's single-tensor Adam does on CPU, which has no fused Adam there). Same operations in
 * the same order, in float32 as ATen's kernels (scalars rounded to float first, as ATen casts them), so results
 * agree with the ATen path to float rounding (ATen's vectorized loops may fuse multiply-adds). Measured on the MLP
 * bench (535,818 params, 1 thread): 11.5 ms → see docs/benchmarks.md. Not for amsgrad (the ATen path serves it).
 */
/** Adam's element loop over [begin, end): see adamFused. Built twice (AVX2 and baseline x86-64, chosen at load by
 * the CPU) and at -O3 without errno for sqrt (binding.gyp), so it vectorizes: ~1.5 ms → see docs/benchmarks.md for the MLP's
 * 535,818 parameters (scalar sqrt and division were the bound, not memory). No FMA clone: ISO C++ mode does not
 * contract a*b+c, so every operation rounds as ATen's separate kernels do. */
KERNEL_CLONES void adamLoop(float* P, const float* G, float* M, float* V, int64_t begin, int64_t end, bool maximize,
                            bool decay, bool coupled, float fdecay, float fwd, float fb1, float f1b1, float fb2,
                            float f1b2, float finvBc2, float feps, float fstep) {
  for (int64_t i = begin; i < end; i++) {
    float g = maximize ? -G[i] : G[i];
    float p = P[i];
    if (decay) p = p * fdecay;
    if (coupled) g = g + fwd * p;
    const float m = M[i] * fb1 + f1b1 * g;
    const float v = V[i] * fb2 + f1b2 * g * g;
    M[i] = m;
    V[i] = v;
    // ATen divides by a scalar as a multiplication by its reciprocal
    P[i] = p + fstep * m / (std::sqrt(v) * finvBc2 + feps);
  }
}

bool adamFused(Slot& s, double lr, double b1, double b2, double eps, double wd, bool maximize, bool decoupled) {
  if (!denseFloat(s, {&s.p, &s.g, &s.s0, &s.s1})) return false;
  const double step = s.step;
  const double bc1 = 1 - std::pow(b1, step), bc2 = 1 - std::pow(b2, step);
  const float fb1 = static_cast<float>(b1), f1b1 = static_cast<float>(1 - b1), fb2 = static_cast<float>(b2),
              f1b2 = static_cast<float>(1 - b2), fwd = static_cast<float>(wd), fdecay = static_cast<float>(1 - lr * wd),
              finvBc2 = static_cast<float>(1 / std::sqrt(bc2)), feps = static_cast<float>(eps),
              fstep = static_cast<float>(-lr / bc1);
  float* P = s.p.data_ptr<float>();
  const float* G = s.g.data_ptr<float>();
  float* M = s.s0.data_ptr<float>();
  float* V = s.s1.data_ptr<float>();
  const bool coupled = !decoupled && wd != 0, decay = decoupled && wd != 0;
  at::parallel_for(0, s.p.numel(), 32768, [&](int64_t begin, int64_t end) {
    adamLoop(P, G, M, V, begin, end, maximize, decay, coupled, fdecay, fwd, fb1, f1b1, fb2, f1b2, finvBc2, feps, fstep);
  });
  return true;
}

/** SGD-momentum's element loop over [begin, end): see sgdFused; built as adamLoop is. */
KERNEL_CLONES void sgdLoop(float* P, const float* G, float* B, int64_t begin, int64_t end, bool maximize, bool decayed,
                           bool first, bool nesterov, float fwd, float fmom, float f1damp, float flr) {
  for (int64_t i = begin; i < end; i++) {
    float g = maximize ? -G[i] : G[i];
    if (decayed) g = g + fwd * P[i];
    const float b = first ? g : B[i] * fmom + f1damp * g;
    B[i] = b;
    P[i] = P[i] + flr * (nesterov ? g + fmom * b : b);
  }
}

/** SGD with momentum in one pass over param, grad, momentum buffer (three passes and a temporary in ATen). */
bool sgdFused(Slot& s, double lr, double mom, double damp, double wd, bool nesterov, bool maximize) {
  if (mom == 0 || !s.s0.defined() || !denseFloat(s, {&s.p, &s.g, &s.s0})) return false;
  const bool first = s.step == 1;
  const float fmom = static_cast<float>(mom), f1damp = static_cast<float>(1 - damp), fwd = static_cast<float>(wd),
              flr = static_cast<float>(-lr);
  float* P = s.p.data_ptr<float>();
  const float* G = s.g.data_ptr<float>();
  float* B = s.s0.data_ptr<float>();
  const bool decayed = wd != 0;
  at::parallel_for(0, s.p.numel(), 32768, [&](int64_t begin, int64_t end) {
    sgdLoop(P, G, B, begin, end, maximize, decayed, first, nesterov, fwd, fmom, f1damp, flr);
  });
  return true;
}

// fusedOptimizerStep(kind, tensors[5·n]) with the arg buffer holding: the kind's hyperparameters (kHp below), then
// per slot: step, muProduct, and the layouts of its non-null tensors in order param, grad, state0..2.
Napi::Value OptimStep(const Napi::CallbackInfo& info) {
  Args a;
  int kind = argInt(info, 0);
  Napi::Array ts = info[1].As<Napi::Array>();
  static const int kHp[] = {6, 8, 6, 5, 5, 8, 7, 7};  // sgd adam adamax adadelta adagrad nadam radam rmsprop
  if (kind < 0 || kind > 7) throw std::runtime_error("native backend: bad optimizer kind");
  std::vector<double> hp(kHp[kind]);
  for (double& h : hp) h = a.next();
  size_t n = ts.Length() / 5;
  std::vector<Slot> slots(n);
  for (size_t i = 0; i < n; i++) {
    Slot& s = slots[i];
    s.step = a.next();
    s.muProduct = a.next();
    at::Tensor* dst[5] = {&s.p, &s.g, &s.s0, &s.s1, &s.s2};
    for (uint32_t k = 0; k < 5; k++) {
      Napi::Value v = ts[static_cast<uint32_t>(i * 5 + k)];
      if (!v.IsNull()) *dst[k] = view(storageOf(v), a);
    }
  }
  at::NoGradGuard noGrad;
  for (Slot& s : slots) {
    at::Tensor& p = s.p;
    at::Tensor g = cast(s.g, p.scalar_type());
    const double step = s.step;
    switch (kind) {
      case 0: {  // sgd: lr momentum dampening weightDecay nesterov maximize
        double lr = hp[0], mom = hp[1], damp = hp[2], wd = hp[3];
        bool nesterov = hp[4] != 0, maximize = hp[5] != 0;
        if (sgdFused(s, lr, mom, damp, wd, nesterov, maximize)) break;
        if (maximize) g = -g;
        if (wd != 0) g = g.add(p, wd);
        if (mom != 0 && s.s0.defined()) {
          at::Tensor& buf = s.s0;
          if (step == 1) buf.copy_(g);
          else buf.mul_(mom).add_(g, 1 - damp);
          g = nesterov ? g.add(buf, mom) : buf;
        }
        p.add_(g, -lr);
        break;
      }
      case 1: {  // adam: lr beta1 beta2 eps weightDecay amsgrad maximize decoupled
        double lr = hp[0], b1 = hp[1], b2 = hp[2], eps = hp[3], wd = hp[4];
        bool amsgrad = hp[5] != 0, maximize = hp[6] != 0, decoupled = hp[7] != 0;
        if (!amsgrad && adamFused(s, lr, b1, b2, eps, wd, maximize, decoupled)) break;
        if (maximize) g = -g;
        if (decoupled) { if (wd != 0) p.mul_(1 - lr * wd); }
        else if (wd != 0) g = g.add(p, wd);
        double bc1 = 1 - std::pow(b1, step), bc2 = 1 - std::pow(b2, step);
        s.s0.mul_(b1).add_(g, 1 - b1);
        s.s1.mul_(b2).addcmul_(g, g, 1 - b2);
        at::Tensor denom;
        if (amsgrad) {
          at::maximum_out(s.s2, s.s2, s.s1);
          denom = s.s2.sqrt().div_(std::sqrt(bc2)).add_(eps);
        } else {
          denom = s.s1.sqrt().div_(std::sqrt(bc2)).add_(eps);
        }
        p.addcdiv_(s.s0, denom, -lr / bc1);
        break;
      }
      case 2: {  // adamax: lr beta1 beta2 eps weightDecay maximize
        double lr = hp[0], b1 = hp[1], b2 = hp[2], eps = hp[3], wd = hp[4];
        if (hp[5] != 0) g = -g;
        if (wd != 0) g = g.add(p, wd);
        s.s0.mul_(b1).add_(g, 1 - b1);
        s.s1.mul_(b2);
        at::maximum_out(s.s1, s.s1, g.abs().add_(eps));
        p.addcdiv_(s.s0, s.s1, -lr / (1 - std::pow(b1, step)));
        break;
      }
      case 3: {  // adadelta: lr rho eps weightDecay maximize
        double lr = hp[0], rho = hp[1], eps = hp[2], wd = hp[3];
        if (hp[4] != 0) g = -g;
        if (wd != 0) g = g.add(p, wd);
        s.s0.mul_(rho).addcmul_(g, g, 1 - rho);
        at::Tensor delta = s.s1.add(eps).sqrt_().div_(s.s0.add(eps).sqrt_()).mul_(g);
        s.s1.mul_(rho).addcmul_(delta, delta, 1 - rho);
        p.add_(delta, -lr);
        break;
      }
      case 4: {  // adagrad: lr lrDecay eps weightDecay maximize
        double lr = hp[0], lrDecay = hp[1], eps = hp[2], wd = hp[3];
        if (hp[4] != 0) g = -g;
        if (wd != 0) g = g.add(p, wd);
        double clr = lr / (1 + (step - 1) * lrDecay);
        s.s0.addcmul_(g, g, 1);
        p.addcdiv_(g, s.s0.sqrt().add_(eps), -clr);
        break;
      }
      case 5: {  // nadam: lr beta1 beta2 eps weightDecay momentumDecay decoupled maximize
        double lr = hp[0], b1 = hp[1], b2 = hp[2], eps = hp[3], wd = hp[4], md = hp[5];
        bool decoupled = hp[6] != 0;
        if (hp[7] != 0) g = -g;
        if (decoupled) { if (wd != 0) p.mul_(1 - lr * wd); }
        else if (wd != 0) g = g.add(p, wd);
        double bc2 = 1 - std::pow(b2, step);
        double mu = b1 * (1 - 0.5 * std::pow(0.96, step * md));
        double muNext = b1 * (1 - 0.5 * std::pow(0.96, (step + 1) * md));
        double muProductNext = s.muProduct * muNext;
        s.s0.mul_(b1).add_(g, 1 - b1);
        s.s1.mul_(b2).addcmul_(g, g, 1 - b2);
        at::Tensor denom = s.s1.div(bc2).sqrt_().add_(eps);
        p.addcdiv_(g, denom, (-lr * (1 - mu)) / (1 - s.muProduct));
        p.addcdiv_(s.s0, denom, (-lr * muNext) / (1 - muProductNext));
        break;
      }
      case 6: {  // radam: lr beta1 beta2 eps weightDecay decoupled maximize
        double lr = hp[0], b1 = hp[1], b2 = hp[2], eps = hp[3], wd = hp[4];
        bool decoupled = hp[5] != 0;
        if (hp[6] != 0) g = -g;
        if (decoupled) { if (wd != 0) p.mul_(1 - lr * wd); }
        else if (wd != 0) g = g.add(p, wd);
        double bc1 = 1 - std::pow(b1, step), bc2 = 1 - std::pow(b2, step);
        s.s0.mul_(b1).add_(g, 1 - b1);
        s.s1.mul_(b2).addcmul_(g, g, 1 - b2);
        double rhoInf = 2 / (1 - b2) - 1;
        double rhoT = rhoInf - (2 * step * std::pow(b2, step)) / bc2;
        at::Tensor mHat = s.s0.div(bc1);
        if (rhoT > 5) {
          double rect = std::sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
          p.sub_(mHat.mul_(lr * rect).mul_(s.s1.sqrt().add_(eps).reciprocal_().mul_(std::sqrt(bc2))));
        } else {
          p.sub_(mHat.mul_(lr));
        }
        break;
      }
      case 7: {  // rmsprop: lr alpha eps weightDecay momentum centered maximize
        double lr = hp[0], alpha = hp[1], eps = hp[2], wd = hp[3], mom = hp[4];
        bool centered = hp[5] != 0;
        if (hp[6] != 0) g = -g;
        if (wd != 0) g = g.add(p, wd);
        s.s0.mul_(alpha).addcmul_(g, g, 1 - alpha);
        at::Tensor avg;
        if (centered && s.s2.defined()) {
          s.s2.mul_(alpha).add_(g, 1 - alpha);
          avg = s.s0.addcmul(s.s2, s.s2, -1).sqrt_().add_(eps);
        } else {
          avg = s.s0.sqrt().add_(eps);
        }
        if (mom > 0 && s.s1.defined()) {
          s.s1.mul_(mom).addcdiv_(g, avg);
          p.add_(s.s1, -lr);
        } else {
          p.addcdiv_(g, avg, -lr);
        }
        break;
      }
    }
  }
  return info.Env().Undefined();
}

// foreachNorm(tensors, ord, outDtype): layouts of tensors in order
Napi::Value ForeachNorm(const Napi::CallbackInfo& info) {
  Args a;
  Napi::Array ts = info[0].As<Napi::Array>();
  double ord = argNum(info, 1);
  at::ScalarType dt = dtypeOf(argInt(info, 2));
  std::vector<at::Tensor> norms;
  for (uint32_t i = 0; i < ts.Length(); i++) {
    at::Tensor t = view(storageOf(ts[i]), a);
    // each per-tensor norm in its tensor's dtype (a float32 norm past FLT_MAX is inf), as get_total_norm does
    norms.push_back(cast(at::linalg_vector_norm(t, ord), dt));
  }
  return wrap(info.Env(), at::linalg_vector_norm(at::stack(norms), ord).reshape({1}));
}

// foreachMul_(tensors, scalar): layouts of tensors, then the scalar's
Napi::Value ForeachMul(const Napi::CallbackInfo& info) {
  Args a;
  Napi::Array ts = info[0].As<Napi::Array>();
  std::vector<at::Tensor> views;
  for (uint32_t i = 0; i < ts.Length(); i++) views.push_back(view(storageOf(ts[i]), a));
  // A 0-dim double scalar: products in double precision, stored in each tensor's dtype (0-dim operands do not
  // promote an in-place result).
  at::Tensor c = cast(view(storageOf(info[1]), a).reshape({}), at::kDouble);
  for (at::Tensor& t : views) t.mul_(c);
  return info.Env().Undefined();
}

// ---------------------------------------------------------------------------------------------------------------
// nn kernels (the Backend's optional high-level kernels), each a thin mapping onto the ATen op it names.

/** A storage view or an undefined tensor when the JS argument is null (optional weight, bias, stats). */
at::Tensor optView(const Napi::Value& v, Args& a) { return v.IsNull() ? at::Tensor() : view(storageOf(v), a); }
/** Wraps a result or returns null for an undefined tensor (outputs not asked for). */
Napi::Value wrapOpt(Napi::Env env, const at::Tensor& t) { return t.defined() ? wrap(env, t) : env.Null(); }
Napi::Value triple(Napi::Env env, const at::Tensor& a, const at::Tensor& b, const at::Tensor& c) {
  Napi::Array r = Napi::Array::New(env, 3);
  r.Set(0u, wrapOpt(env, a));
  r.Set(1u, wrapOpt(env, b));
  r.Set(2u, wrapOpt(env, c));
  return r;
}
Napi::Value pair(Napi::Env env, const at::Tensor& a, const at::Tensor& b) {
  Napi::Array r = Napi::Array::New(env, 2);
  r.Set(0u, wrapOpt(env, a));
  r.Set(1u, wrapOpt(env, b));
  return r;
}
std::array<bool, 3> maskOf(Args& a) {
  std::array<bool, 3> m;
  for (bool& b : m) b = a.next() != 0;
  return m;
}
at::TensorOptions like(const at::Tensor& t) { return at::TensorOptions().dtype(t.scalar_type()); }

/**
 * ATen's convolution takes symmetric padding; the geometry's may be asymmetric (TF-style "same", or a larger
 * outSize). `symmetric` says whether ATen's own output size equals outSize; otherwise the input is padded (or
 * cropped) explicitly to the extent the windows cover and convolved with padding 0.
 */
bool symmetricConv(const Geometry& g) {
  return (g.H + 2 * g.ph - g.dh * (g.kh - 1) - 1) / g.sh + 1 == g.oh &&
         (g.W + 2 * g.pw - g.dw * (g.kw - 1) - 1) / g.sw + 1 == g.ow;
}
std::vector<int64_t> explicitPad(const Geometry& g) {
  return {g.pw, g.extW() - g.pw - g.W, g.ph, g.extH() - g.ph - g.H};
}

// conv2d(x, w, b|null, groups): layouts x, w[, b], geometry
Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  Args a;
  at::Tensor x = view(storageOf(info[0]), a), w = view(storageOf(info[1]), a);
  at::Tensor b = optView(info[2], a);
  Geometry g(a);
  int64_t groups = argInt(info, 3);
  bool sym = symmetricConv(g);
  at::Tensor in = sym ? x : at::constant_pad_nd(x, explicitPad(g), 0);
  std::vector<int64_t> pad = sym ? std::vector<int64_t>{g.ph, g.pw} : std::vector<int64_t>{0, 0};
  return wrap(info.Env(), at::convolution(in, w, b.defined() ? c10::optional<at::Tensor>(b) : c10::nullopt, {g.sh, g.sw}, pad,
                                          {g.dh, g.dw}, false, {0, 0}, groups));
}

// conv2dBackward(gy, x|null, w|null, groups): layouts gy, [x], wl (always), geometry, mask[3]
// w's layout is sent even when w is null (its shape gives C and the weight shape).
Napi::Value Conv2dBackward(const Napi::CallbackInfo& info) {
  Args a;
  at::Tensor gy = view(storageOf(info[0]), a);
  at::Tensor x = info[1].IsNull() ? at::Tensor() : view(storageOf(info[1]), a);
  size_t nd = static_cast<size_t>(a.nextInt());
  std::vector<int64_t> wShape = a.ints(nd), wStrides = a.ints(nd);
  int64_t wOffset = a.nextInt();
  at::Tensor w = info[2].IsNull() ? at::empty(wShape, like(gy)) : at::as_strided(storageOf(info[2]), wShape, wStrides, wOffset);
  Geometry g(a);
  std::array<bool, 3> mask = maskOf(a);
  int64_t groups = argInt(info, 3);
  // ATen needs an input tensor for its shape even when only gradInput is asked; its values are not read then.
  if (!x.defined()) x = at::empty({gy.size(0), wShape[1] * groups, g.H, g.W}, like(gy));
  bool sym = symmetricConv(g);
  at::Tensor in = sym ? x : at::constant_pad_nd(x, explicitPad(g), 0);
  std::vector<int64_t> pad = sym ? std::vector<int64_t>{g.ph, g.pw} : std::vector<int64_t>{0, 0};
  std::vector<int64_t> biasSizes{wShape[0]};
  auto r = at::convolution_backward(gy, in, w, c10::optional<at::IntArrayRef>(biasSizes), {g.sh, g.sw}, pad, {g.dh, g.dw},
                                    false, {0, 0}, groups, mask);
  at::Tensor gx = std::get<0>(r);
  if (gx.defined() && !sym) {
    std::vector<int64_t> p = explicitPad(g);
    for (int64_t& v : p) v = -v;  // crop the padding (and zero-fill what was cropped)
    gx = at::constant_pad_nd(gx, p, 0);
  }
  return triple(info.Env(), gx, std::get<1>(r), std::get<2>(r));
}

/** Whether the geometry's output size is ATen's ceil-mode size (pooling with symmetric padding). */
bool poolCeil(const Geometry& g) {
  return (g.H + 2 * g.ph - g.dh * (g.kh - 1) - 1) / g.sh + 1 != g.oh ||
         (g.W + 2 * g.pw - g.dw * (g.kw - 1) - 1) / g.sw + 1 != g.ow;
}

// maxPool2d(x): layout x, geometry → [values, indices]
Napi::Value MaxPool2d(const Napi::CallbackInfo& info) {
  Args a;
  at::Tensor x = view(storageOf(info[0]), a);
  Geometry g(a);
  auto r = at::max_pool2d_with_indices(x, {g.kh, g.kw}, {g.sh, g.sw}, {g.ph, g.pw}, {g.dh, g.dw}, poolCeil(g));
  return pair(info.Env(), std::get<0>(r), std::get<1>(r));
}

// maxPool2dBackward(gy, indices): layouts gy, indices, geometry
Napi::Value MaxPool2dBackward(const Napi::CallbackInfo& info) {
  Args a;
  at::Tensor gy = view(storageOf(info[0]), a), idx = cast(view(storageOf(info[1]), a), at::kLong);
  Geometry g(a);
  at::Tensor self = at::empty({gy.size(0), gy.size(1), g.H, g.W}, like(gy));  // shape only
  return wrap(info.Env(), at::max_pool2d_with_indices_backward(gy, self, {g.kh, g.kw}, {g.sh, g.sw}, {g.ph, g.pw},
                                                               {g.dh, g.dw}, poolCeil(g), idx));
}

c10::optional<int64_t> divisorOf(double d) { return std::isnan(d) ? c10::nullopt : c10::optional<int64_t>(static_cast<int64_t>(d)); }

// avgPool2d(x, countIncludePad, divisor|NaN): layout x, geometry
Napi::Value AvgPool2d(const Napi::CallbackInfo& info) {
  Args a;
  at::Tensor x = view(storageOf(info[0]), a);
  Geometry g(a);
  return wrap(info.Env(), at::avg_pool2d(x, {g.kh, g.kw}, {g.sh, g.sw}, {g.ph, g.pw}, poolCeil(g),
                                         info[1].As<Napi::Boolean>().Value(), divisorOf(argNum(info, 2))));
}

// avgPool2dBackward(gy, countIncludePad, divisor|NaN): layout gy, geometry
Napi::Value AvgPool2dBackward(const Napi::CallbackInfo& info) {
  Args a;
  at::Tensor gy = view(storageOf(info[0]), a);
  Geometry g(a);
  at::Tensor self = at::empty({gy.size(0), gy.size(1), g.H, g.W}, like(gy));  // shape only
  return wrap(info.Env(), at::avg_pool2d_backward(gy, self, {g.kh, g.kw}, {g.sh, g.sw}, {g.ph, g.pw}, poolCeil(g),
                                                  info[1].As<Napi::Boolean>().Value(), divisorOf(argNum(info, 2))));
}

// adaptiveAvgPool2d(x, oh, ow): layout x
Napi::Value AdaptiveAvgPool2d(const Napi::CallbackInfo& info) {
  Args a;
  at::Tensor x = view(storageOf(info[0]), a);
  return wrap(info.Env(), at::_adaptive_avg_pool2d(x, {argInt(info, 1), argInt(info, 2)}));
}

// adaptiveAvgPool2dBackward(gy, H, W): layout gy
Napi::Value AdaptiveAvgPool2dBackward(const Napi::CallbackInfo& info) {
  Args a;
  at::Tensor gy = view(storageOf(info[0]), a);
  at::Tensor self = at::empty({gy.size(0), gy.size(1), argInt(info, 1), argInt(info, 2)}, like(gy));  // shape only
  return wrap(info.Env(), at::_adaptive_avg_pool2d_backward(gy.contiguous(), self));
}

// softmax(x, dim, log): layout x
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  Args a;
  at::Tensor x = view(storageOf(info[0]), a);
  int64_t dim = argInt(info, 1);
  bool log = info[2].As<Napi::Boolean>().Value();
  return wrap(info.Env(), log ? at::_log_softmax(x, dim, false) : at::_softmax(x, dim, false));
}

// softmaxBackward(gy, y, dim, log): layouts gy, y
Napi::Value SoftmaxBackward(const Napi::CallbackInfo& info) {
  Args a;
  at::Tensor gy = view(storageOf(info[0]), a), y = view(storageOf(info[1]), a);
  int64_t dim = argInt(info, 2);
  bool log = info[3].As<Napi::Boolean>().Value();
  gy = cast(gy, y.scalar_type()).contiguous();
  y = y.contiguous();
  return wrap(info.Env(), log ? at::_log_softmax_backward_data(gy, y, dim, y.scalar_type())
                              : at::_softmax_backward_data(gy, y, dim, y.scalar_type()));
}

c10::optional<at::Tensor> opt(const at::Tensor& t) { return t.defined() ? c10::optional<at::Tensor>(t) : c10::nullopt; }

// batchNorm(x, w, b, rm, rv, training, momentum, eps): layouts of the non-null ones in order
Napi::Value BatchNorm(const Napi::CallbackInfo& info) {
  Args a;
  at::Tensor x = view(storageOf(info[0]), a);
  at::Tensor w = optView(info[1], a), b = optView(info[2], a), rm = optView(info[3], a), rv = optView(info[4], a);
  bool training = info[5].As<Napi::Boolean>().Value();
  double momentum = argNum(info, 6), eps = argNum(info, 7);
  // running stats are updated in place through these views of their storages
  auto r = at::native_batch_norm(x, opt(w), opt(b), opt(rm), opt(rv), training, momentum, eps);
  at::Tensor mean = std::get<1>(r), invstd = std::get<2>(r);
  if (!training) {
    // ATen's CPU kernel returns empty statistics in eval mode; the contract returns the ones used.
    mean = rm.to(x.scalar_type(), false, true);
    invstd = at::rsqrt(rv.to(x.scalar_type()).add(eps));
  }
  Napi::Array out = Napi::Array::New(info.Env(), 3);
  out.Set(0u, wrap(info.Env(), std::get<0>(r)));
  out.Set(1u, wrap(info.Env(), mean));
  out.Set(2u, wrap(info.Env(), invstd));
  return out;
}

// batchNormBackward(gy, x, w|null, saveMean, saveInvstd, training): layouts gy, x[, w], mask[3]
Napi::Value BatchNormBackward(const Napi::CallbackInfo& info) {
  Args a;
  at::Tensor gy = view(storageOf(info[0]), a), x = view(storageOf(info[1]), a);
  at::Tensor w = optView(info[2], a);
  std::array<bool, 3> mask = maskOf(a);
  const at::Tensor& mean = storageOf(info[3]);
  const at::Tensor& invstd = storageOf(info[4]);
  bool training = info[5].As<Napi::Boolean>().Value();
  if (training) {
    auto r = at::native_batch_norm_backward(gy, x, opt(w), c10::nullopt, c10::nullopt, mean, invstd, true, 0, mask);
    return triple(info.Env(), std::get<0>(r), std::get<1>(r), std::get<2>(r));
  }
  // eval: y = (x − mean)·invstd·w + b with constant statistics
  std::vector<int64_t> bshape(x.dim(), 1);
  bshape[1] = x.size(1);
  std::vector<int64_t> dims{0};
  for (int64_t d = 2; d < x.dim(); d++) dims.push_back(d);
  at::Tensor m = mean.view(bshape), s = invstd.view(bshape);
  at::Tensor gx, gw, gb;
  if (mask[0]) gx = w.defined() ? gy * (s * w.view(bshape)) : gy * s;
  if (mask[1]) gw = (gy * (x - m) * s).sum(dims);
  if (mask[2]) gb = gy.sum(dims);
  return triple(info.Env(), gx, gw, gb);
}

// layerNorm(x, n, w|null, b|null, eps): layouts x[, w][, b]
Napi::Value LayerNorm(const Napi::CallbackInfo& info) {
  Args a;
  at::Tensor x = view(storageOf(info[0]), a);
  int64_t n = static_cast<int64_t>(argNum(info, 1));
  at::Tensor w = optView(info[2], a), b = optView(info[3], a);
  if (w.defined()) w = w.reshape({n});
  if (b.defined()) b = b.reshape({n});
  auto r = at::native_layer_norm(x.reshape({-1, n}), {n}, opt(w), opt(b), argNum(info, 4));
  Napi::Array out = Napi::Array::New(info.Env(), 3);
  out.Set(0u, wrap(info.Env(), std::get<0>(r)));
  out.Set(1u, wrap(info.Env(), std::get<1>(r)));
  out.Set(2u, wrap(info.Env(), std::get<2>(r)));
  return out;
}

// layerNormBackward(gy, x, n, mean, rstd, w|null): layouts gy, x[, w], mask[3]
Napi::Value LayerNormBackward(const Napi::CallbackInfo& info) {
  Args a;
  at::Tensor gy = view(storageOf(info[0]), a), x = view(storageOf(info[1]), a);
  int64_t n = static_cast<int64_t>(argNum(info, 2));
  at::Tensor w = optView(info[5], a);
  std::array<bool, 3> mask = maskOf(a);
  at::Tensor x2 = x.reshape({-1, n});
  int64_t M = x2.size(0);
  at::Tensor mean = storageOf(info[3]).view({M, 1}), rstd = storageOf(info[4]).view({M, 1});
  if (w.defined()) w = w.reshape({n});
  // ATen sizes gradBias from the bias tensor, whose values it never reads
  at::Tensor bShape = mask[2] ? at::empty({n}, like(x)) : at::Tensor();
  if (mask[1] && !w.defined()) mask[1] = false;
  auto r = at::native_layer_norm_backward(cast(gy, x.scalar_type()).reshape({-1, n}), x2, {n}, mean, rstd, opt(w), opt(bShape), mask);
  at::Tensor gx = std::get<0>(r);
  if (gx.defined()) gx = gx.view(x.sizes());
  return triple(info.Env(), gx, std::get<1>(r), std::get<2>(r));
}

// groupNorm(x, groups, w|null, b|null, eps): layouts x[, w][, b]
Napi::Value GroupNorm(const Napi::CallbackInfo& info) {
  Args a;
  at::Tensor x = view(storageOf(info[0]), a).contiguous();
  int64_t G = argInt(info, 1);
  at::Tensor w = optView(info[2], a), b = optView(info[3], a);
  int64_t N = x.size(0), C = x.size(1), HxW = C == 0 ? 0 : x.numel() / (N * C);
  auto r = at::native_group_norm(x, opt(w), opt(b), N, C, HxW, G, argNum(info, 4));
  Napi::Array out = Napi::Array::New(info.Env(), 3);
  out.Set(0u, wrap(info.Env(), std::get<0>(r)));
  out.Set(1u, wrap(info.Env(), std::get<1>(r)));
  out.Set(2u, wrap(info.Env(), std::get<2>(r)));
  return out;
}

// groupNormBackward(gy, x, groups, mean, rstd, w|null): layouts gy, x[, w], mask[3]
Napi::Value GroupNormBackward(const Napi::CallbackInfo& info) {
  Args a;
  at::Tensor gy = view(storageOf(info[0]), a), x = view(storageOf(info[1]), a).contiguous();
  int64_t G = argInt(info, 2);
  at::Tensor w = optView(info[5], a);
  std::array<bool, 3> mask = maskOf(a);
  int64_t N = x.size(0), C = x.size(1), HxW = C == 0 ? 0 : x.numel() / (N * C);
  at::Tensor mean = storageOf(info[3]).view({N, G}), rstd = storageOf(info[4]).view({N, G});
  auto r = at::native_group_norm_backward(cast(gy, x.scalar_type()).contiguous(), x, mean, rstd, opt(w), N, C, HxW, G, mask);
  return triple(info.Env(), std::get<0>(r), std::get<1>(r), std::get<2>(r));
}

int64_t reductionOf(int code) { return code == 0 ? at::Reduction::None : code == 1 ? at::Reduction::Mean : at::Reduction::Sum; }

/** [N, C, *] → [N·∏*, C] (C last, as F.nll_loss flattens), [C] and [N, C] unchanged. */
at::Tensor classesLast(const at::Tensor& x) {
  if (x.dim() <= 2) return x;
  return x.movedim(1, -1).reshape({-1, x.size(1)});
}

// nllLoss(x, target, w|null, reduction, ignoreIndex): layouts x, target[, w] → [out, totalWeight]
Napi::Value NllLoss(const Napi::CallbackInfo& info) {
  Args a;
  at::Tensor x = view(storageOf(info[0]), a), t = cast(view(storageOf(info[1]), a), at::kLong);
  at::Tensor w = optView(info[2], a);
  int red = argInt(info, 3);
  int64_t ignore = static_cast<int64_t>(argNum(info, 4));
  at::Tensor x2 = classesLast(x), t2 = x.dim() <= 2 ? t : t.reshape({-1});
  if (w.defined()) w = cast(w, x.scalar_type()).contiguous();
  auto r = at::nll_loss_forward(x2, t2, opt(w), reductionOf(red), ignore);
  at::Tensor out = std::get<0>(r);
  if (red == 0) out = out.reshape(t.sizes());
  return pair(info.Env(), out, std::get<1>(r));
}

// nllLossBackward(gy, target, w|null, reduction, ignoreIndex, totalWeight): layouts gy, xl (shape only), target[, w]
Napi::Value NllLossBackward(const Napi::CallbackInfo& info) {
  Args a;
  at::Tensor gy = view(storageOf(info[0]), a);
  size_t nd = static_cast<size_t>(a.nextInt());
  std::vector<int64_t> xShape = a.ints(nd);
  a.ints(nd);
  a.nextInt();
  at::Tensor t = cast(view(storageOf(info[1]), a), at::kLong);
  at::Tensor w = optView(info[2], a);
  int red = argInt(info, 3);
  int64_t ignore = static_cast<int64_t>(argNum(info, 4));
  const at::Tensor& tw = storageOf(info[5]);
  at::Tensor self = at::empty(xShape, like(gy));  // shape only
  at::Tensor x2 = classesLast(self), t2 = self.dim() <= 2 ? t : t.reshape({-1});
  at::Tensor g2 = red == 0 ? gy.reshape(t2.sizes()) : gy.reshape({});
  if (w.defined()) w = cast(w, gy.scalar_type()).contiguous();
  at::Tensor gx = at::nll_loss_backward(g2, x2, t2, opt(w), reductionOf(red), ignore, tw.reshape({}));
  if (self.dim() > 2) {
    std::vector<int64_t> moved(xShape.begin(), xShape.end());
    moved.erase(moved.begin() + 1);
    moved.push_back(xShape[1]);
    gx = gx.reshape(moved).movedim(-1, 1);
  }
  return wrap(info.Env(), gx);
}

void checkIndices(const at::Tensor& idx, int64_t num) {
  if (idx.numel() > 0 && (at::lt(idx, 0).any().item<bool>() || at::ge(idx, num).any().item<bool>()))
    throw RangeFailure("index out of range in self");
}

// embedding(w, indices): layouts w, indices
Napi::Value Embedding(const Napi::CallbackInfo& info) {
  Args a;
  at::Tensor w = view(storageOf(info[0]), a), idx = cast(view(storageOf(info[1]), a), at::kLong);
  checkIndices(idx, w.size(0));
  return wrap(info.Env(), at::embedding(w, idx));
}

// embeddingBackward(gy, indices, numWeights, paddingIdx|NaN, scaleGradByFreq): layouts gy, indices
Napi::Value EmbeddingBackward(const Napi::CallbackInfo& info) {
  Args a;
  at::Tensor gy = view(storageOf(info[0]), a), idx = cast(view(storageOf(info[1]), a), at::kLong);
  int64_t num = static_cast<int64_t>(argNum(info, 2));
  double pad = argNum(info, 3);
  checkIndices(idx, num);
  return wrap(info.Env(), at::embedding_dense_backward(gy.contiguous(), idx.contiguous(), num, std::isnan(pad) ? -1 : static_cast<int64_t>(pad),
                                                       info[4].As<Napi::Boolean>().Value()));
}

// binaryCrossEntropy(x, t, w|null): layouts x, t[, w]
Napi::Value BinaryCrossEntropy(const Napi::CallbackInfo& info) {
  Args a;
  at::Tensor x = view(storageOf(info[0]), a);
  at::Tensor t = cast(view(storageOf(info[1]), a), x.scalar_type());
  at::Tensor w = optView(info[2], a);
  if (w.defined()) w = cast(w, x.scalar_type());
  try {
    return wrap(info.Env(), at::binary_cross_entropy(x, t, opt(w), at::Reduction::None));
  } catch (const c10::Error& e) {
    std::string m = e.what_without_backtrace();
    if (m.find("between 0 and 1") != std::string::npos) throw RangeFailure("all elements of input should be between 0 and 1");
    throw;
  }
}

// binaryCrossEntropyBackward(gy, x, t, w|null): layouts gy, x, t[, w]
Napi::Value BinaryCrossEntropyBackward(const Napi::CallbackInfo& info) {
  Args a;
  at::Tensor gy = view(storageOf(info[0]), a), x = view(storageOf(info[1]), a);
  at::Tensor t = cast(view(storageOf(info[2]), a), x.scalar_type());
  at::Tensor w = optView(info[3], a);
  if (w.defined()) w = cast(w, x.scalar_type());
  return wrap(info.Env(), at::binary_cross_entropy_backward(cast(gy, x.scalar_type()), x, t, opt(w), at::Reduction::None));
}

// ---------------------------------------------------------------------------------------------------------------
// Scalar operands, random fills

// binaryScalar(op, a, value, outDtype, out|null): layouts a[, out]
Napi::Value BinaryScalar(const Napi::CallbackInfo& info) {
  Args args;
  at::Tensor a = view(storageOf(info[1]), args);
  double value = argNum(info, 2);
  at::ScalarType dt = dtypeOf(argInt(info, 3));
  int op = argInt(info, 0);
  at::Tensor r;
  if (op >= 11 && op <= 19) {
    // comparisons and logical ops: the value as a wrapped number (PyTorch's Python-scalar promotion), integral
    // when it is one and the tensor is integral, so int64 compares stay exact
    bool integral = !isFloat(a.scalar_type()) && std::isfinite(value) && value == std::trunc(value);
    at::Tensor b = integral ? c10::scalar_to_tensor(at::Scalar(static_cast<int64_t>(value)))
                            : c10::scalar_to_tensor(at::Scalar(value));
    b.unsafeGetTensorImpl()->set_wrapped_number(true);
    r = binaryOp(op, a, b, dt, 1);
  } else {
    // arithmetic computes in the output dtype, so a 0-dim operand of that dtype equals the storage path bit for bit
    r = binaryOp(op, a, at::scalar_tensor(value, at::TensorOptions().dtype(dt)), dt, 1);
  }
  r = cast(r, dt);
  if (!info[4].IsNull()) {
    view(storageOf(info[4]), args).copy_(r);
    return info[4];
  }
  return wrap(info.Env(), fresh(r, {&a}));
}

// whereScalar(cond, a|null, b|null, aValue, bValue, outDtype): layouts cond[, a][, b]
Napi::Value WhereScalar(const Napi::CallbackInfo& info) {
  Args args;
  at::Tensor c = view(storageOf(info[0]), args);
  at::ScalarType dt = dtypeOf(argInt(info, 5));
  at::TensorOptions o = at::TensorOptions().dtype(dt);
  at::Tensor a = info[1].IsNull() ? at::scalar_tensor(argNum(info, 3), o) : cast(view(storageOf(info[1]), args), dt);
  at::Tensor b = info[2].IsNull() ? at::scalar_tensor(argNum(info, 4), o) : cast(view(storageOf(info[2]), args), dt);
  return wrap(info.Env(), at::where(cast(c, at::kBool), a, b));
}

/**
 * random(dst, kind, p0, p1, seed, offset, p|null): layouts dst[, p]. kinds: 0 uniform(from, to), 1 normal(mean,
 * std), 2 bernoulli(p), 3 bernoulli(tensor p), 4 randint(low, high), 5 permutation.
 *
 * Values come from ATen's CPU generator (mt19937, PyTorch's CPU stream) seeded per call from the frontend's
 * counter-based (seed, offset): the same seed gives the same values, and each call draws from its own position
 * of the stream. They are not the portable backend's values, as PyTorch's CUDA stream is not its CPU stream.
 */
Napi::Value Random(const Napi::CallbackInfo& info) {
  Args args;
  at::Tensor d = view(storageOf(info[0]), args);
  int kind = argInt(info, 1);
  double p0 = argNum(info, 2), p1 = argNum(info, 3);
  uint64_t seed = static_cast<uint64_t>(argNum(info, 4)), offset = static_cast<uint64_t>(argNum(info, 5));
  // splitmix64 of (seed, offset): distinct offsets give unrelated mt19937 seeds
  uint64_t z = seed * 0x9E3779B97F4A7C15ull + offset + 0x632BE59BD9B4E019ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(z);
  at::NoGradGuard noGrad;
  // drawn into a contiguous float64 (or int64) tensor of dst's shape, then converted by copy_ (as `copy` converts)
  at::Tensor tmp;
  switch (kind) {
    case 0: tmp = at::empty(d.sizes(), at::kDouble).uniform_(p0, p1, gen); break;
    case 1: tmp = at::empty(d.sizes(), at::kDouble).normal_(p0, p1, gen); break;
    case 2: tmp = at::empty(d.sizes(), at::kDouble).bernoulli_(p0, gen); break;
    case 3: {
      at::Tensor p = cast(view(storageOf(info[6]), args), at::kDouble);
      tmp = at::empty(d.sizes(), at::kDouble).bernoulli_(p, gen);
      break;
    }
    case 4: tmp = at::empty(d.sizes(), at::kLong).random_(static_cast<int64_t>(p0), static_cast<int64_t>(p1), gen); break;
    case 5: tmp = at::randperm(d.numel(), gen, at::TensorOptions().dtype(at::kLong)); break;
    default: throw std::runtime_error("native backend: bad random kind");
  }
  d.copy_(tmp);
  return info.Env().Undefined();
}

// ---------------------------------------------------------------------------------------------------------------
// CUDA queries a CPU-only libtorch answers too (none of these needs CUDA headers; see the reference notes §5)

Napi::Value CudaIsAvailable(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), torch::cuda::is_available()); }
Napi::Value CudaDeviceCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(torch::cuda::device_count()));
}
Napi::Value BuiltWithCuda(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), at::hasCUDA()); }

// ---------------------------------------------------------------------------------------------------------------
// Threads, build info

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  at::set_num_threads(argInt(info, 0));
  return info.Env().Undefined();
}
Napi::Value GetNumThreads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), at::get_num_threads()); }

Napi::Value TorchVersion(const Napi::CallbackInfo& info) {
#ifdef TORCH_VERSION
  return Napi::String::New(info.Env(), TORCH_VERSION);
#else
  return Napi::String::New(info.Env(), "unknown");
#endif
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  g_env = env;
  // No process-wide mallopt: the caching allocator maps its large blocks itself (see CachingCpuAllocator::fresh).
  // A caught c10::Error costs ~6.5 ms while libtorch symbolizes a backtrace; 33 µs without.
  c10::SetStackTraceFetcher([]() { return std::string(); });
  if (const char* mb = std::getenv("TORCHLET_NATIVE_CACHE_MB")) CachingCpuAllocator::instance().setLimit(size_t(std::atoll(mb)) << 20);
  c10::SetCPUAllocator(&CachingCpuAllocator::instance(), /*priority=*/1);

  // Storages still alive at exit are finalized after the env is torn down: stop reporting memory to it by then.
  env.AddCleanupHook([]() { g_env = nullptr; });
  Napi::Array un = Napi::Array::New(env, kNumUnary), bin = Napi::Array::New(env, kNumBinary);
  for (int i = 0; i < kNumUnary; i++) un.Set(static_cast<uint32_t>(i), kUnaryNames[i]);
  for (int i = 0; i < kNumBinary; i++) bin.Set(static_cast<uint32_t>(i), kBinaryNames[i]);
  exports.Set("unaryOps", un);
  exports.Set("binaryOps", bin);
#define EXPORT(name, fn) exports.Set(name, Napi::Function::New<guarded<fn>>(env, name))
  EXPORT("setArgBuffer", SetArgBuffer);
  EXPORT("alloc", Alloc);
  EXPORT("fromArray", FromArray);
  EXPORT("free", Free);
  EXPORT("externalBytes", ExternalBytes);
  EXPORT("cachedBytes", CachedBytes);
  EXPORT("freshBlocks", FreshBlocks);
  EXPORT("emptyCache", EmptyCache);
  EXPORT("read", Read);
  EXPORT("fill", Fill);
  EXPORT("copy", Copy);
  EXPORT("unary", Unary);
  EXPORT("binary", Binary);
  EXPORT("where", Where);
  EXPORT("reduce", Reduce);
  EXPORT("argReduce", ArgReduce);
  EXPORT("cumsum", Cumsum);
  EXPORT("matmul", Matmul);
  EXPORT("gather", Gather);
  EXPORT("scatter", Scatter);
  EXPORT("im2col", Im2col);
  EXPORT("col2im", Col2im);
  EXPORT("optimStep", OptimStep);
  EXPORT("foreachNorm", ForeachNorm);
  EXPORT("foreachMul", ForeachMul);
  EXPORT("setNumThreads", SetNumThreads);
  EXPORT("getNumThreads", GetNumThreads);
  EXPORT("torchVersion", TorchVersion);
  EXPORT("conv2d", Conv2d);
  EXPORT("conv2dBackward", Conv2dBackward);
  EXPORT("maxPool2d", MaxPool2d);
  EXPORT("maxPool2dBackward", MaxPool2dBackward);
  EXPORT("avgPool2d", AvgPool2d);
  EXPORT("avgPool2dBackward", AvgPool2dBackward);
  EXPORT("adaptiveAvgPool2d", AdaptiveAvgPool2d);
  EXPORT("adaptiveAvgPool2dBackward", AdaptiveAvgPool2dBackward);
  EXPORT("softmax", Softmax);
  EXPORT("softmaxBackward", SoftmaxBackward);
  EXPORT("batchNorm", BatchNorm);
  EXPORT("batchNormBackward", BatchNormBackward);
  EXPORT("layerNorm", LayerNorm);
  EXPORT("layerNormBackward", LayerNormBackward);
  EXPORT("groupNorm", GroupNorm);
  EXPORT("groupNormBackward", GroupNormBackward);
  EXPORT("nllLoss", NllLoss);
  EXPORT("nllLossBackward", NllLossBackward);
  EXPORT("embedding", Embedding);
  EXPORT("embeddingBackward", EmbeddingBackward);
  EXPORT("binaryCrossEntropy", BinaryCrossEntropy);
  EXPORT("binaryCrossEntropyBackward", BinaryCrossEntropyBackward);
  EXPORT("binaryScalar", BinaryScalar);
  EXPORT("whereScalar", WhereScalar);
  EXPORT("random", Random);
  EXPORT("cudaIsAvailable", CudaIsAvailable);
  EXPORT("cudaDeviceCount", CudaDeviceCount);
  EXPORT("builtWithCuda", BuiltWithCuda);
#undef EXPORT
  return exports;
}

}  // namespace

NODE_API_MODULE(torchlet_native, Init)
