// Fused operations: one native call where a building block would otherwise make many small ones.
#include <vector>

#include "common.h"

namespace {

std::vector<at::Tensor> tensors(void* const* handles, int32_t n) {
  std::vector<at::Tensor> list;
  list.reserve(n);
  for (int32_t k = 0; k < n; ++k) list.push_back(deref(handles[k]));
  return list;
}

}  // namespace

// One Adam / AdamW step over a group of parameters with the multi-tensor (_foreach) operations,
// in the order of PyTorch's own Adam, so the numbers equal its single-tensor implementation on the
// CPU (the _foreach operations run the same kernels per tensor there) and the GPU gets fused
// kernels. Per parameter k: neg_step_size[k] = -lr / (1 - beta1^t), bias2_sqrt[k] = sqrt(1 - beta2^t).
// L2 decay (Adam) is applied by the caller to the gradients; decoupled decay (AdamW) here.
CT_EXPORT int32_t ct_adam_foreach(void* const* params, void* const* grads, void* const* exp_avgs,
                                  void* const* exp_avg_sqs, int32_t n, const double* neg_step_size,
                                  const double* bias2_sqrt, double lr, double beta1, double beta2, double eps,
                                  double decoupled_weight_decay) {
  return guarded([&] {
    auto p = tensors(params, n), g = tensors(grads, n), m = tensors(exp_avgs, n), v = tensors(exp_avg_sqs, n);
    if (decoupled_weight_decay != 0) at::_foreach_mul_(p, 1 - lr * decoupled_weight_decay);
    at::_foreach_mul_(m, beta1);
    at::_foreach_add_(m, g, 1 - beta1);
    at::_foreach_mul_(v, beta2);
    at::_foreach_addcmul_(v, g, g, 1 - beta2);
    auto denom = at::_foreach_sqrt(v);
    std::vector<at::Scalar> divisors(bias2_sqrt, bias2_sqrt + n), steps(neg_step_size, neg_step_size + n);
    at::_foreach_div_(denom, divisors);
    at::_foreach_add_(denom, eps);
    at::_foreach_addcdiv_(p, m, denom, steps);
  });
}
