using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Processes;

/// <summary>
/// Any network (or formula) that looks at a noisy batch x_t [B, ...] at int64 timesteps t [B]
/// (optionally with int64 class labels [B]) and returns its prediction, of the same shape as x_t;
/// what it predicts is said separately by a <see cref="ModelOutput"/>. A model's <c>call</c> method
/// fits: <c>Denoiser d = model.call;</c>. Samplers own the schedule and the steps (as in diffusers),
/// so the same sampler runs a trained network or an exact analytic denoiser.
/// </summary>
public delegate Tensor Denoiser(Tensor xT, Tensor t, Tensor? classLabels);
