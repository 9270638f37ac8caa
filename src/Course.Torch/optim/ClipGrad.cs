namespace TorchSharp;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>Training utilities, as <c>torch.nn.utils</c>.</summary>
        public static partial class utils
        {
            static readonly Op s_stack = new("aten::stack");

            /// <summary>
            /// Rescales gradients so that their joint norm (all gradients seen as one vector) is at most
            /// <paramref name="max_norm"/> (Pascanu et al. 2013, Algorithm 1), exactly as PyTorch 1.13:
            /// <c>total = ‖(‖g_1‖, …, ‖g_n‖)‖_p</c>, <c>coef = min(1, max_norm / (total + 1e-6))</c>, and every
            /// gradient is multiplied by coef (also when coef is 1, to avoid a device synchronisation in PyTorch).
            /// Parameters without a gradient are skipped. Returns the total norm before clipping.
            /// </summary>
            /// <param name="norm_type">p of the p-norm; <see cref="double.PositiveInfinity"/> for the max-norm.</param>
            public static double clip_grad_norm_(IEnumerable<Parameter> parameters, double max_norm, double norm_type = 2)
            {
                ArgumentNullException.ThrowIfNull(parameters);
                if (double.IsNaN(max_norm) || max_norm < 0) throw new ArgumentOutOfRangeException(nameof(max_norm), max_norm, "max_norm must be >= 0");
                if (double.IsNaN(norm_type) || norm_type <= 0) throw new ArgumentOutOfRangeException(nameof(norm_type), norm_type, "norm_type must be > 0 (or +infinity)");
                using (no_grad())
                using (NewDisposeScope())
                {
                    var grads = new List<Tensor>();
                    foreach (var p in parameters)
                    {
                        var g = p.grad;
                        if (g is not null) grads.Add(g);
                    }
                    if (grads.Count == 0) return 0;
                    var device = grads[0].device;
                    Tensor total;
                    if (double.IsPositiveInfinity(norm_type))
                    {
                        var norms = grads.Select(g => OnDevice(g.abs().max(), device)).ToArray();
                        total = norms.Length == 1 ? norms[0] : s_stack.Call(norms, 0L).max();
                    }
                    else
                    {
                        // torch.norm(g, p) with no dim is aten::norm over all dimensions.
                        var norms = grads.Select(g => OnDevice(g.norm(Enumerable.Range(0, (int)g.dim()).Select(d => (long)d).ToArray(), false, norm_type), device)).ToArray();
                        var stacked = s_stack.Call(norms, 0L);
                        total = stacked.norm(new[] { 0L }, false, norm_type);
                    }
                    // clip_coef = max_norm / (total + 1e-6), where float / tensor is reciprocal() * float in PyTorch.
                    var coef = (total + 1e-6).reciprocal().mul(max_norm).clamp(null, 1.0);
                    foreach (var g in grads)
                    {
                        if (g.device.Equals(device)) g.mul_(coef);
                        else g.mul_(coef.to(g.device));
                    }
                    return total.ToDouble();
                }
            }

            static Tensor OnDevice(Tensor t, Device device) => t.device.Equals(device) ? t : t.to(device);
        }
    }
}
