// Course.Torch native shim: a C ABI over ATen, the c10 dispatcher and autograd.
//
// Most operators are reached through one generic entry point, ct_op_call, which calls an ATen
// operator by its schema name through the dispatcher ("boxed" calling, the same path TorchScript
// uses). Autograd, type promotion and device dispatch happen inside libtorch exactly as in
// PyTorch. Only what the dispatcher cannot express (tensor creation from memory, autograd
// entry points, RNG state, threads) has an export of its own.
//
// Every export catches every C++ exception and reports it through ct_last_error(); no exception
// crosses the C boundary. Uses only APIs present in libtorch 1.13 and 2.x.

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/ivalue.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/grad_mode.h>
#include <torch/version.h>

#include <dlfcn.h>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "common.h"


thread_local std::string ct_error_text;

// ---------------------------------------------------------------------------------------------
// Errors, version, threads, devices
// ---------------------------------------------------------------------------------------------

CT_EXPORT const char* ct_last_error() { return ct_error_text.c_str(); }

CT_EXPORT const char* ct_torch_version() { return TORCH_VERSION; }

CT_EXPORT int32_t ct_set_num_threads(int32_t n) {
  return guarded([&] { at::set_num_threads(n); });
}

CT_EXPORT int32_t ct_get_num_threads() { return at::get_num_threads(); }

// OpenBLAS keeps a thread pool of its own; returns 0 when the BLAS in use is not OpenBLAS.
CT_EXPORT int32_t ct_set_blas_threads(int32_t n) {
  using SetThreads = void (*)(int);
  auto f = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (f == nullptr) return 0;
  f(n);
  return 1;
}

CT_EXPORT int32_t ct_cuda_device_count() {
  try {
    return at::hasCUDA() ? static_cast<int32_t>(at::getNumGPUs()) : 0;
  } catch (...) {
    return 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Tensor handles
// ---------------------------------------------------------------------------------------------

CT_EXPORT void ct_tensor_free(void* handle) { delete static_cast<at::Tensor*>(handle); }

CT_EXPORT int32_t ct_tensor_alias(void* handle, void** out) {
  return guarded([&] { *out = wrap(deref(handle)); });
}

struct CtTensorInfo {
  int64_t ndim;
  int64_t numel;
  int32_t dtype;
  int32_t device_type;
  int32_t device_index;
  int32_t requires_grad;
  int32_t is_leaf;
  int32_t defined;
};

CT_EXPORT int32_t ct_tensor_info(void* handle, CtTensorInfo* info) {
  return guarded([&] {
    const at::Tensor& t = deref(handle);
    info->defined = t.defined();
    if (!t.defined()) return;
    info->ndim = t.dim();
    info->numel = t.numel();
    info->dtype = static_cast<int32_t>(t.scalar_type());
    info->device_type = static_cast<int32_t>(t.device().type());
    info->device_index = t.device().index();
    info->requires_grad = t.requires_grad();
    info->is_leaf = t.is_leaf();
  });
}

CT_EXPORT int32_t ct_tensor_sizes(void* handle, int64_t* sizes, int32_t capacity) {
  return guarded([&] {
    const at::Tensor& t = deref(handle);
    if (t.dim() > capacity) throw std::invalid_argument("size buffer too small");
    for (int64_t d = 0; d < t.dim(); ++d) sizes[d] = t.size(d);
  });
}

// Copies `nbytes` from host memory into a new CPU tensor of the given dtype and shape.
CT_EXPORT int32_t ct_tensor_from_data(const void* data, int64_t nbytes, int32_t dtype,
                                      const int64_t* shape, int32_t ndim, void** out) {
  return guarded([&] {
    auto options = at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype));
    at::Tensor t = at::empty(at::IntArrayRef(shape, ndim), options);
    const int64_t expected = t.numel() * static_cast<int64_t>(t.element_size());
    if (expected != nbytes)
      throw std::invalid_argument("data holds " + std::to_string(nbytes) + " bytes but the shape needs " +
                                  std::to_string(expected));
    if (nbytes > 0) std::memcpy(t.data_ptr(), data, static_cast<size_t>(nbytes));
    *out = wrap(std::move(t));
  });
}

// Copies the tensor's elements (any device, any layout) into host memory, in row-major order.
CT_EXPORT int32_t ct_tensor_copy_to(void* handle, void* data, int64_t nbytes) {
  return guarded([&] {
    at::Tensor t = deref(handle).detach().to(at::kCPU).contiguous();
    const int64_t have = t.numel() * static_cast<int64_t>(t.element_size());
    if (have != nbytes)
      throw std::invalid_argument("destination holds " + std::to_string(nbytes) + " bytes but the tensor has " +
                                  std::to_string(have));
    if (nbytes > 0) std::memcpy(data, t.data_ptr(), static_cast<size_t>(nbytes));
  });
}

// ---------------------------------------------------------------------------------------------
// Autograd
// ---------------------------------------------------------------------------------------------

CT_EXPORT int32_t ct_grad_enabled() { return at::GradMode::is_enabled() ? 1 : 0; }
CT_EXPORT void ct_set_grad_enabled(int32_t enabled) { at::GradMode::set_enabled(enabled != 0); }

CT_EXPORT int32_t ct_tensor_set_requires_grad(void* handle, int32_t requires_grad) {
  return guarded([&] { deref(handle).set_requires_grad(requires_grad != 0); });
}

CT_EXPORT int32_t ct_tensor_backward(void* handle, void* grad, int32_t retain_graph) {
  return guarded([&] {
    at::Tensor g = grad ? deref(grad) : at::Tensor();
    deref(handle).backward(g, retain_graph != 0, false);
  });
}

// *out is null when the tensor has no gradient.
CT_EXPORT int32_t ct_tensor_grad(void* handle, void** out) {
  return guarded([&] {
    const at::Tensor& g = deref(handle).grad();
    *out = g.defined() ? wrap(g) : nullptr;
  });
}

// Sets (or, with a null grad, clears) the .grad of a leaf tensor.
CT_EXPORT int32_t ct_tensor_set_grad(void* handle, void* grad) {
  return guarded([&] {
    if (grad)
      deref(handle).mutable_grad() = deref(grad);
    else
      deref(handle).mutable_grad().reset();
  });
}

// ---------------------------------------------------------------------------------------------
// Random number generators
// ---------------------------------------------------------------------------------------------

CT_EXPORT int32_t ct_manual_seed(uint64_t seed) {
  return guarded([&] {
    auto gen = at::detail::getDefaultCPUGenerator();
    {
      std::lock_guard<std::mutex> lock(gen.mutex());
      gen.set_current_seed(seed);
    }
    for (int i = 0; i < ct_cuda_device_count(); ++i) {
      auto cuda_gen = at::globalContext().defaultGenerator(c10::Device(c10::DeviceType::CUDA, i));
      std::lock_guard<std::mutex> lock(cuda_gen.mutex());
      cuda_gen.set_current_seed(seed);
    }
  });
}

// A null device index gives the default CPU generator (shared, not owned).
CT_EXPORT int32_t ct_generator_new(int32_t device_type, int32_t device_index, uint64_t seed, void** out) {
  return guarded([&] {
    at::Generator gen;
    if (device_type == static_cast<int32_t>(c10::DeviceType::CPU)) {
      gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    } else {
      // A fresh CUDA generator: clone the default one so no CUDA headers are needed here.
      gen = at::globalContext().defaultGenerator(c10::Device(static_cast<c10::DeviceType>(device_type),
                                                             static_cast<c10::DeviceIndex>(device_index)))
                .clone();
      gen.set_current_seed(seed);
    }
    *out = new at::Generator(std::move(gen));
  });
}

CT_EXPORT int32_t ct_generator_default(void** out) {
  return guarded([&] { *out = new at::Generator(at::detail::getDefaultCPUGenerator()); });
}

CT_EXPORT void ct_generator_free(void* gen) { delete static_cast<at::Generator*>(gen); }

CT_EXPORT int32_t ct_generator_seed(void* gen, uint64_t seed) {
  return guarded([&] {
    auto& g = *static_cast<at::Generator*>(gen);
    std::lock_guard<std::mutex> lock(g.mutex());
    g.set_current_seed(seed);
  });
}

CT_EXPORT int32_t ct_generator_initial_seed(void* gen, uint64_t* out) {
  return guarded([&] { *out = static_cast<at::Generator*>(gen)->current_seed(); });
}

CT_EXPORT int32_t ct_generator_get_state(void* gen, void** out) {
  return guarded([&] {
    auto& g = *static_cast<at::Generator*>(gen);
    std::lock_guard<std::mutex> lock(g.mutex());
    *out = wrap(g.get_state());
  });
}

CT_EXPORT int32_t ct_generator_set_state(void* gen, void* state) {
  return guarded([&] {
    auto& g = *static_cast<at::Generator*>(gen);
    std::lock_guard<std::mutex> lock(g.mutex());
    g.set_state(deref(state));
  });
}

// ---------------------------------------------------------------------------------------------
// Generic operator calls through the dispatcher
// ---------------------------------------------------------------------------------------------

enum CtArgKind : int32_t {
  kDefault = 0,       // use the schema's default value
  kNone = 1,          // an absent optional
  kTensor = 2,        // p: tensor handle (null: undefined tensor / None)
  kInt = 3,           // i
  kDouble = 4,        // d
  kBool = 5,          // i != 0
  kIntList = 6,       // p: int64_t[n]
  kTensorList = 7,    // p: tensor handle[n]
  kOptTensorList = 8, // p: tensor handle[n], null entries are None
  kString = 9,        // p: UTF-8, zero-terminated
  kDevice = 10,       // i: device type, n: device index
  kGenerator = 11,    // p: generator handle (null: None)
  kDoubleList = 12,   // p: double[n]
};

struct CtArg {
  int32_t kind;
  int32_t reserved;
  int64_t i;
  double d;
  const void* p;
  int64_t n;
};

enum CtRetKind : int32_t { rTensor = 2, rInt = 3, rDouble = 4, rBool = 5, rTensorList = 7, rNone = 1 };

struct CtRet {
  int32_t kind;
  int32_t reserved;
  int64_t i;  // int / bool value, or element count of a tensor list
  double d;
  void* p;    // tensor handle, or malloc'ed array of tensor handles (free with ct_free)
};

namespace {

c10::IValue to_ivalue(const CtArg& a) {
  switch (a.kind) {
    case kNone:
      return c10::IValue();
    case kTensor:
      return a.p ? c10::IValue(deref(const_cast<void*>(a.p))) : c10::IValue();
    case kInt:
      return c10::IValue(a.i);
    case kDouble:
      return c10::IValue(a.d);
    case kBool:
      return c10::IValue(a.i != 0);
    case kIntList: {
      auto data = static_cast<const int64_t*>(a.p);
      return c10::IValue(std::vector<int64_t>(data, data + a.n));
    }
    case kDoubleList: {
      auto data = static_cast<const double*>(a.p);
      return c10::IValue(std::vector<double>(data, data + a.n));
    }
    case kTensorList: {
      auto handles = static_cast<void* const*>(a.p);
      c10::List<at::Tensor> list;
      list.reserve(a.n);
      for (int64_t k = 0; k < a.n; ++k) list.push_back(deref(handles[k]));
      return c10::IValue(list);
    }
    case kOptTensorList: {
      auto handles = static_cast<void* const*>(a.p);
      c10::List<c10::optional<at::Tensor>> list;
      list.reserve(a.n);
      for (int64_t k = 0; k < a.n; ++k)
        list.push_back(handles[k] ? c10::optional<at::Tensor>(deref(handles[k])) : c10::nullopt);
      return c10::IValue(list);
    }
    case kString:
      return c10::IValue(std::string(static_cast<const char*>(a.p)));
    case kDevice:
      return c10::IValue(c10::Device(static_cast<c10::DeviceType>(a.i), static_cast<c10::DeviceIndex>(a.n)));
    case kGenerator:
      return a.p ? c10::IValue(*static_cast<const at::Generator*>(a.p)) : c10::IValue();
    default:
      throw std::invalid_argument("unknown argument kind " + std::to_string(a.kind));
  }
}

void push_result(const c10::IValue& v, CtRet* rets, int32_t capacity, int32_t& count) {
  if (v.isTuple()) {
    for (const auto& e : v.toTupleRef().elements()) push_result(e, rets, capacity, count);
    return;
  }
  if (count >= capacity) throw std::runtime_error("operator returned more values than expected");
  CtRet& r = rets[count++];
  r = CtRet{};
  if (v.isTensor()) {
    r.kind = rTensor;
    r.p = wrap(v.toTensor());
  } else if (v.isTensorList()) {
    auto list = v.toTensorList();
    auto handles = static_cast<void**>(std::malloc(sizeof(void*) * std::max<size_t>(list.size(), 1)));
    for (size_t k = 0; k < list.size(); ++k) handles[k] = wrap(list.get(k));
    r.kind = rTensorList;
    r.i = static_cast<int64_t>(list.size());
    r.p = handles;
  } else if (v.isInt()) {
    r.kind = rInt;
    r.i = v.toInt();
  } else if (v.isDouble()) {
    r.kind = rDouble;
    r.d = v.toDouble();
  } else if (v.isBool()) {
    r.kind = rBool;
    r.i = v.toBool();
  } else if (v.isNone()) {
    r.kind = rNone;
  } else {
    throw std::runtime_error(std::string("unsupported return type ") + v.tagKind());
  }
}

}  // namespace

CT_EXPORT void ct_free(void* p) { std::free(p); }

// Finds an operator by schema name ("aten::add") and overload ("Tensor", or "" for none).
CT_EXPORT int32_t ct_op_find(const char* name, const char* overload, void** out) {
  return guarded([&] {
    auto handle = c10::Dispatcher::singleton().findSchemaOrThrow(name, overload);
    *out = new c10::OperatorHandle(handle);
  });
}

// Calls an operator. Arguments beyond nargs, and those of kind kDefault, take the schema's
// default. Tuple results are flattened into rets.
CT_EXPORT int32_t ct_op_call(void* op, const CtArg* args, int32_t nargs, CtRet* rets, int32_t capacity,
                             int32_t* nrets) {
  return guarded([&] {
    const auto& handle = *static_cast<c10::OperatorHandle*>(op);
    const auto& schema = handle.schema();
    const auto& formals = schema.arguments();
    if (static_cast<size_t>(nargs) > formals.size())
      throw std::invalid_argument(schema.name() + " takes " + std::to_string(formals.size()) + " arguments, got " +
                                  std::to_string(nargs));
    torch::jit::Stack stack;
    stack.reserve(formals.size());
    for (size_t k = 0; k < formals.size(); ++k) {
      if (k < static_cast<size_t>(nargs) && args[k].kind != kDefault) {
        stack.push_back(to_ivalue(args[k]));
      } else if (formals[k].default_value()) {
        stack.push_back(*formals[k].default_value());
      } else if (formals[k].type()->kind() == c10::TypeKind::OptionalType) {
        stack.push_back(c10::IValue());
      } else {
        throw std::invalid_argument(schema.name() + ": argument '" + formals[k].name() + "' is required");
      }
    }
    handle.callBoxed(&stack);
    int32_t count = 0;
    for (const auto& v : stack) push_result(v, rets, capacity, count);
    *nrets = count;
  });
}
