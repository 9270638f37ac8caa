using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace TorchSharp.Modules
{
    /// <summary>
    /// Group normalization (Wu &amp; He 2018, eqs. 1–3): for each sample, the C channels are split into G groups;
    /// each group is normalized by its mean and (biased) variance over its channels and all positions,
    /// x̂ = (x − μ)/√(σ² + ε), then y = γ·x̂ + β per channel. Parameters "weight" (γ, ones) and "bias" (β, zeros).
    /// </summary>
    public sealed class GroupNorm : nn.Module<Tensor, Tensor>
    {
        readonly Parameter? _weight;
        readonly Parameter? _bias;

        internal GroupNorm(long numGroups, long numChannels, double eps, bool affine, Device? device, ScalarType? dtype) : base(nameof(GroupNorm))
        {
            if (numGroups <= 0 || numChannels <= 0)
                throw new ArgumentOutOfRangeException(nameof(numGroups), $"GroupNorm needs positive sizes, got num_groups={numGroups}, num_channels={numChannels}");
            if (numChannels % numGroups != 0)
                throw new ArgumentException($"GroupNorm: num_channels ({numChannels}) must be divisible by num_groups ({numGroups})", nameof(numGroups));
            if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "GroupNorm: eps must be positive");
            num_groups = numGroups;
            num_channels = numChannels;
            this.eps = eps;
            this.affine = affine;
            if (affine)
            {
                _weight = LayerInit.NewParameter(new[] { numChannels }, device, dtype);
                _bias = LayerInit.NewParameter(new[] { numChannels }, device, dtype);
                nn.init.ones_(_weight);
                nn.init.zeros_(_bias);
            }
            RegisterComponents();
        }

        public long num_groups { get; }
        public long num_channels { get; }
        public double eps { get; }
        public bool affine { get; }
        public Parameter? weight => _weight;
        public Parameter? bias => _bias;

        public override Tensor forward(Tensor input)
        {
            if (_weight is not null) F.CheckSameKind(input, _weight, "GroupNorm");
            var x = input.shape;
            if (x.Length < 2 || x[1] != num_channels)
                throw new ArgumentException($"GroupNorm(num_groups={num_groups}, num_channels={num_channels}) expects input [N, {num_channels}, ...], got shape {F.Shape(x)}", nameof(input));
            return F.group_norm(input, num_groups, _weight, _bias, eps);
        }

        private protected override string ExtraRepr() => $"({num_groups}, {num_channels}, eps={LayerInit.Number(eps)}, affine={affine})";
    }

    /// <summary>
    /// Layer normalization (Ba et al. 2016, eqs. 3–4): each sample is normalized by the mean and (biased)
    /// variance over its trailing normalized_shape dimensions, then y = γ·x̂ + β elementwise with γ, β of
    /// shape normalized_shape ("weight" ones, "bias" zeros).
    /// </summary>
    public sealed class LayerNorm : nn.Module<Tensor, Tensor>
    {
        readonly Parameter? _weight;
        readonly Parameter? _bias;

        internal LayerNorm(long[] normalizedShape, double eps, bool elementwiseAffine, Device? device, ScalarType? dtype) : base(nameof(LayerNorm))
        {
            if (normalizedShape.Length == 0 || normalizedShape.Any(s => s <= 0))
                throw new ArgumentException($"LayerNorm: normalized_shape must be non-empty and positive, got {F.Shape(normalizedShape)}", nameof(normalizedShape));
            if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "LayerNorm: eps must be positive");
            normalized_shape = (long[])normalizedShape.Clone();
            this.eps = eps;
            elementwise_affine = elementwiseAffine;
            if (elementwiseAffine)
            {
                _weight = LayerInit.NewParameter(normalized_shape, device, dtype);
                _bias = LayerInit.NewParameter(normalized_shape, device, dtype);
                nn.init.ones_(_weight);
                nn.init.zeros_(_bias);
            }
            RegisterComponents();
        }

        public long[] normalized_shape { get; }
        public double eps { get; }
        public bool elementwise_affine { get; }
        public Parameter? weight => _weight;
        public Parameter? bias => _bias;

        public override Tensor forward(Tensor input)
        {
            if (_weight is not null) F.CheckSameKind(input, _weight, "LayerNorm");
            var x = input.shape;
            var n = normalized_shape.Length;
            if (x.Length < n || !x[^n..].SequenceEqual(normalized_shape))
                throw new ArgumentException($"LayerNorm({F.Shape(normalized_shape)}) expects input [..., {string.Join(", ", normalized_shape)}], got shape {F.Shape(x)}", nameof(input));
            return F.layer_norm(input, normalized_shape, _weight, _bias, eps);
        }

        private protected override string ExtraRepr() => $"({LayerInit.Tuple(normalized_shape)}, eps={LayerInit.Number(eps)}, elementwise_affine={elementwise_affine})";
    }

    /// <summary>
    /// Batch normalization over [N, C, H, W] (Ioffe &amp; Szegedy 2015, Algorithm 1): in training mode it
    /// normalizes each channel with the batch mean and biased variance over N, H, W and updates the
    /// buffers running_mean and running_var (the latter from the unbiased variance) by
    /// running = (1 − momentum)·running + momentum·batch, and counts num_batches_tracked; with momentum null
    /// the running values are the cumulative average. In eval mode it uses the running statistics
    /// (Algorithm 2, step 10). State dict keys as PyTorch: weight, bias, running_mean, running_var, num_batches_tracked.
    /// </summary>
    public sealed class BatchNorm2d : nn.Module<Tensor, Tensor>
    {
        static readonly Op s_add_int_ = new("aten::add_.Scalar");
        readonly Parameter? _weight;
        readonly Parameter? _bias;
        readonly Tensor? _running_mean, _running_var, _num_batches_tracked;

        internal BatchNorm2d(long numFeatures, double eps, double? momentum, bool affine, bool trackRunningStats, Device? device, ScalarType? dtype)
            : base(nameof(BatchNorm2d))
        {
            if (numFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(numFeatures), numFeatures, "BatchNorm2d: num_features must be positive");
            if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "BatchNorm2d: eps must be positive");
            if (momentum is double m && (m < 0 || m > 1)) throw new ArgumentOutOfRangeException(nameof(momentum), m, "BatchNorm2d: momentum must lie in [0, 1]");
            num_features = numFeatures;
            this.eps = eps;
            this.momentum = momentum;
            this.affine = affine;
            track_running_stats = trackRunningStats;
            if (affine)
            {
                _weight = LayerInit.NewParameter(new[] { numFeatures }, device, dtype);
                _bias = LayerInit.NewParameter(new[] { numFeatures }, device, dtype);
                nn.init.ones_(_weight);
                nn.init.zeros_(_bias);
            }
            RegisterComponents();
            if (trackRunningStats)
            {
                _running_mean = zeros(new[] { numFeatures }, dtype ?? ScalarType.Float32, device);
                _running_var = ones(new[] { numFeatures }, dtype ?? ScalarType.Float32, device);
                _num_batches_tracked = zeros(new long[0], ScalarType.Int64, device);
                register_buffer("running_mean", _running_mean);
                register_buffer("running_var", _running_var);
                register_buffer("num_batches_tracked", _num_batches_tracked);
            }
        }

        public long num_features { get; }
        public double eps { get; }
        public double? momentum { get; }
        public bool affine { get; }
        public bool track_running_stats { get; }
        public Parameter? weight => _weight;
        public Parameter? bias => _bias;
        public Tensor? running_mean => _running_mean;
        public Tensor? running_var => _running_var;
        public Tensor? num_batches_tracked => _num_batches_tracked;

        /// <summary>Running mean back to 0, running variance to 1, counter to 0.</summary>
        public void reset_running_stats()
        {
            if (!track_running_stats) return;
            using (no_grad())
            {
                _running_mean!.zero_();
                _running_var!.fill_(1);
                _num_batches_tracked!.zero_();
            }
        }

        public override Tensor forward(Tensor input)
        {
            if (_weight is not null) F.CheckSameKind(input, _weight, "BatchNorm2d");
            var x = input.shape;
            if (x.Length != 4)
                throw new ArgumentException($"BatchNorm2d expects input of shape [N, {num_features}, H, W], got {F.Shape(x)}", nameof(input));
            if (x[1] != num_features)
                throw new ArgumentException($"BatchNorm2d(num_features={num_features}) got an input with {x[1]} channels (shape {F.Shape(x)})", nameof(input));
            if (training && x[0] * x[2] * x[3] <= 1)
                throw new ArgumentException($"BatchNorm2d in training mode needs more than one value per channel to compute a variance, got input of shape {F.Shape(x)}", nameof(input));

            double factor = momentum ?? 0.0;
            if (training && track_running_stats)
            {
                using (no_grad()) s_add_int_.CallInPlace(_num_batches_tracked!, _num_batches_tracked, 1L, 1L);
                // momentum null: cumulative moving average, weight 1/(number of batches seen).
                if (momentum is null) factor = 1.0 / _num_batches_tracked!.item<long>();
            }
            // Batch statistics in training, or whenever there are no running statistics to use.
            bool useBatchStats = training || !track_running_stats;
            return F.batch_norm(input, track_running_stats ? _running_mean : null, track_running_stats ? _running_var : null,
                _weight, _bias, useBatchStats, factor, eps);
        }

        private protected override string ExtraRepr() =>
            $"({num_features}, eps={LayerInit.Number(eps)}, momentum={(momentum is double m ? LayerInit.Number(m) : "None")}, affine={affine}, track_running_stats={track_running_stats})";
    }
}

namespace TorchSharp
{
    public static partial class torch
    {
        public static partial class nn
        {
            public static Modules.GroupNorm GroupNorm(long num_groups, long num_channels, double eps = 1e-05, bool affine = true,
                Device? device = null, ScalarType? dtype = null) => new(num_groups, num_channels, eps, affine, device, dtype);

            public static Modules.LayerNorm LayerNorm(long[] normalized_shape, double eps = 1e-05, bool elementwise_affine = true,
                Device? device = null, ScalarType? dtype = null) => new(normalized_shape, eps, elementwise_affine, device, dtype);

            public static Modules.LayerNorm LayerNorm(long normalized_shape, double eps = 1e-05, bool elementwise_affine = true,
                Device? device = null, ScalarType? dtype = null) => new(new[] { normalized_shape }, eps, elementwise_affine, device, dtype);

            public static Modules.BatchNorm2d BatchNorm2d(long features, double eps = 1e-05, double? momentum = 0.1, bool affine = true,
                bool track_running_stats = true, Device? device = null, ScalarType? dtype = null) =>
                new(features, eps, momentum, affine, track_running_stats, device, dtype);
        }
    }
}
