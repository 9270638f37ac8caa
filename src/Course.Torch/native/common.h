// What every translation unit of the shim shares: the export macro, the error channel and handles.
#pragma once

#include <ATen/ATen.h>

#include <stdexcept>
#include <string>

#define CT_EXPORT extern "C" __attribute__((visibility("default")))

// The message of the last failed call on this thread (read by ct_last_error).
extern thread_local std::string ct_error_text;

// Runs body; any C++ exception becomes return code 1 with its message in ct_error_text.
template <typename F>
int32_t guarded(F&& body) {
  try {
    body();
    return 0;
  } catch (const c10::Error& e) {
    ct_error_text = e.what_without_backtrace();
  } catch (const std::exception& e) {
    ct_error_text = e.what();
  } catch (...) {
    ct_error_text = "unknown native exception";
  }
  return 1;
}

inline at::Tensor* wrap(at::Tensor t) { return new at::Tensor(std::move(t)); }

inline at::Tensor& deref(void* handle) {
  if (handle == nullptr) throw std::invalid_argument("null tensor handle");
  return *static_cast<at::Tensor*>(handle);
}
