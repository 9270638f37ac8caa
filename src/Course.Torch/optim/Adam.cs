using static TorchSharp.torch;

namespace TorchSharp.Modules;

/// <summary>
/// Adam (Kingma &amp; Ba 2015, Algorithm 1) as PyTorch 1.13's single-tensor implementation, operation
/// for operation, so that trajectories agree with PyTorch's bit for bit on the same libtorch:
/// <code>
/// t = t + 1
/// g = grad + weight_decay * p                          (L2 decay; AdamW decays p instead)
/// m = beta1 * m + (1 - beta1) * g                      (Alg. 1: biased first moment)
/// v = beta2 * v + (1 - beta2) * g * g                  (Alg. 1: biased second raw moment)
/// v_hat = amsgrad ? max(v_hat, v) : v                  (Reddi et al. 2018, AMSGrad)
/// denom = sqrt(v_hat) / sqrt(1 - beta2^t) + eps
/// p = p - lr / (1 - beta1^t) * m / denom               (bias-corrected step; eps outside the correction)
/// </code>
/// </summary>
public class Adam : optim.Optimizer
{
    double _beta1, _beta2, _eps, _weightDecay;

    internal Adam(IEnumerable<Parameter> parameters, double lr, double beta1, double beta2, double eps, double weight_decay, bool amsgrad)
        : base(parameters, lr)
    {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weight_decay = weight_decay;
        this.amsgrad = amsgrad;
    }

    public double beta1 { get => _beta1; set => _beta1 = CheckBeta(value, "beta1"); }
    public double beta2 { get => _beta2; set => _beta2 = CheckBeta(value, "beta2"); }
    public double eps { get => _eps; set => _eps = CheckNonNegative(value, "eps"); }
    public double weight_decay { get => _weightDecay; set => _weightDecay = CheckNonNegative(value, "weight decay"); }
    public bool amsgrad { get; }

    /// <summary>AdamW applies weight decay to the parameter, Adam adds it to the gradient.</summary>
    protected virtual bool DecoupledWeightDecay => false;

    protected override void InitializeState(Parameter parameter, ParameterState state) => Moments(parameter, state);

    protected override OptimizerState MakeView(ParameterState state) => new State(state);

    /// <summary>One parameter's Adam state (TorchSharp's fields, over this optimizer's buffers).</summary>
    public class State : OptimizerState
    {
        readonly ParameterState _state;
        internal State(ParameterState state)
        {
            _state = state;
            step = (long)state.Step;
            exp_avg = state.Buffers["exp_avg"];
            exp_avg_sq = state.Buffers["exp_avg_sq"];
            max_exp_avg_sq = state.Buffers.GetValueOrDefault("max_exp_avg_sq");
        }

        public long step;
        public Tensor exp_avg;
        public Tensor exp_avg_sq;
        public Tensor? max_exp_avg_sq;

        internal override long StepCount { get => step; set => step = value; }

        public override void LoadStateDict(OptimizerState source)
        {
            if (source is not State other) throw new ArgumentException($"an Adam state cannot load a {source?.GetType().Name ?? "null"}", nameof(source));
            CopyInto(exp_avg, other.exp_avg, nameof(exp_avg));
            CopyInto(exp_avg_sq, other.exp_avg_sq, nameof(exp_avg_sq));
            CopyInto(max_exp_avg_sq, other.max_exp_avg_sq, nameof(max_exp_avg_sq));
            step = other.step;
            _state.Step = step;
        }
    }

    static readonly Op s_maximumOut = new("aten::maximum.out");

    /// <summary>
    /// The whole group in one native call with libtorch's multi-tensor operations (the same
    /// operations in the same order as <see cref="Update"/>, so the same numbers on the CPU, and fused
    /// kernels on a GPU). AMSGrad and L2 decay take the one-parameter path.
    /// </summary>
    protected override unsafe void UpdateAll(IReadOnlyList<(Parameter parameter, Tensor grad, ParameterState state)> group)
    {
        if (amsgrad || (weight_decay != 0 && !DecoupledWeightDecay) || group.Count == 0)
        {
            base.UpdateAll(group);
            return;
        }
        int n = group.Count;
        var handles = new IntPtr[4 * n];
        var negStepSize = new double[n];
        var bias2Sqrt = new double[n];
        for (int k = 0; k < n; k++)
        {
            var (p, grad, state) = group[k];
            var (expAvg, expAvgSq) = Moments(p, state);
            state.Step += 1;
            negStepSize[k] = -LearningRate / (1 - Math.Pow(beta1, state.Step));
            bias2Sqrt[k] = Math.Sqrt(1 - Math.Pow(beta2, state.Step));
            handles[k] = p.Handle;
            handles[n + k] = grad.Handle;
            handles[2 * n + k] = expAvg.Handle;
            handles[3 * n + k] = expAvgSq.Handle;
        }
        fixed (IntPtr* h = handles)
        fixed (double* steps = negStepSize)
        fixed (double* bias = bias2Sqrt)
            Native.Check(Native.ct_adam_foreach(h, h + n, h + 2 * n, h + 3 * n, n, steps, bias,
                LearningRate, beta1, beta2, eps, DecoupledWeightDecay ? weight_decay : 0));
        GC.KeepAlive(group);
    }

    (Tensor expAvg, Tensor expAvgSq) Moments(Parameter parameter, ParameterState state)
    {
        if (!state.Buffers.TryGetValue("exp_avg", out var expAvg))
        {
            expAvg = state.Add("exp_avg", zeros_like(parameter));
            state.Add("exp_avg_sq", zeros_like(parameter));
            if (amsgrad) state.Add("max_exp_avg_sq", zeros_like(parameter));
        }
        return (expAvg, state.Buffers["exp_avg_sq"]);
    }

    protected override void Update(Parameter parameter, Tensor grad, ParameterState state)
    {
        var lr = LearningRate;
        var (expAvg, expAvgSq) = Moments(parameter, state);
        state.Step += 1;

        Tensor? decayed = null;
        try
        {
            var g = grad;
            if (weight_decay != 0)
            {
                if (DecoupledWeightDecay) parameter.mul_(1 - lr * weight_decay);   // Loshchilov & Hutter 2019, Alg. 2 line 12
                else g = decayed = grad.add(parameter, weight_decay);
            }
            expAvg.mul_(beta1).add_(g, 1 - beta1);
            expAvgSq.mul_(beta2).addcmul_(g, g, 1 - beta2);
        }
        finally { decayed?.Dispose(); }

        var biasCorrection1 = 1 - Math.Pow(beta1, state.Step);
        var biasCorrection2 = 1 - Math.Pow(beta2, state.Step);
        var stepSize = lr / biasCorrection1;
        var biasCorrection2Sqrt = Math.Sqrt(biasCorrection2);

        var second = expAvgSq;
        if (amsgrad)
        {
            if (!state.Buffers.TryGetValue("max_exp_avg_sq", out var maxSq))
                throw new InvalidOperationException("the loaded state has no max_exp_avg_sq buffer, but amsgrad is on");
            s_maximumOut.CallInPlace(maxSq, maxSq, expAvgSq, maxSq);
            second = maxSq;
        }
        // PyTorch: denom = (v.sqrt() / bias_correction2_sqrt).add_(eps): one temporary, divided and shifted in place.
        using var denom = second.sqrt();
        denom.div_(biasCorrection2Sqrt).add_(eps);
        parameter.addcdiv_(expAvg, denom, -stepSize);
    }
}

/// <summary>
/// AdamW (Loshchilov &amp; Hutter 2019, Algorithm 2): Adam whose weight decay shrinks the parameter
/// directly, <c>p = p * (1 - lr * weight_decay)</c>, before the Adam step, instead of passing through
/// the moment estimates. As PyTorch 1.13's single-tensor <c>torch.optim.AdamW</c>.
/// </summary>
public sealed class AdamW : Adam
{
    internal AdamW(IEnumerable<Parameter> parameters, double lr, double beta1, double beta2, double eps, double weight_decay, bool amsgrad)
        : base(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad) { }

    protected override bool DecoupledWeightDecay => true;

    protected override OptimizerState MakeView(ParameterState state) => new State(state);

    /// <summary>One parameter's AdamW state (the same fields as Adam's).</summary>
    public new sealed class State : Adam.State
    {
        internal State(ParameterState state) : base(state) { }
    }
}
