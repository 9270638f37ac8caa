using System.Globalization;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace TorchSharp.Modules
{
    /// <summary>Fully connected layer y = x Wᵀ + b with weight [out_features, in_features] (state_dict keys
    /// "weight", "bias" as in PyTorch). Initialised like PyTorch: W ~ U(±1/√in), b ~ U(±1/√in).</summary>
    public sealed class Linear : nn.Module<Tensor, Tensor>
    {
        readonly Parameter _weight;
        readonly Parameter? _bias;

        internal Linear(long inFeatures, long outFeatures, bool hasBias, Device? device, ScalarType? dtype) : base(nameof(Linear))
        {
            if (inFeatures <= 0 || outFeatures <= 0)
                throw new ArgumentOutOfRangeException(nameof(inFeatures), $"Linear needs positive sizes, got in_features={inFeatures}, out_features={outFeatures}");
            in_features = inFeatures;
            out_features = outFeatures;
            _weight = LayerInit.NewParameter(new[] { outFeatures, inFeatures }, device, dtype);
            if (hasBias) _bias = LayerInit.NewParameter(new[] { outFeatures }, device, dtype);
            reset_parameters();
            RegisterComponents();
        }

        public long in_features { get; }
        public long out_features { get; }
        public Parameter weight => _weight;
        public Parameter? bias => _bias;

        /// <summary>PyTorch's default: kaiming_uniform_(a = √5) for the weight, U(±1/√fan_in) for the bias.</summary>
        public void reset_parameters() => LayerInit.ResetLikePyTorch(_weight, _bias);

        public override Tensor forward(Tensor input)
        {
            F.CheckSameKind(input, _weight, "Linear");
            var x = input.shape;
            if (x.Length == 0 || x[^1] != in_features)
                throw new ArgumentException($"Linear(in_features={in_features}, out_features={out_features}) expects input [..., {in_features}], got shape {F.Shape(x)}", nameof(input));
            return F.linear(input, _weight, _bias);
        }

        private protected override string ExtraRepr() => $"(in_features={in_features}, out_features={out_features}, bias={_bias is not null})";
    }

    /// <summary>2-D convolution (cross-correlation) over [N, C_in, H, W] or [C_in, H, W] input, weight
    /// [C_out, C_in/groups, kH, kW]. Initialised like PyTorch: kaiming_uniform_(a = √5), bias U(±1/√fan_in).
    /// Padding modes other than zeros pad explicitly first (reflect, replicate, circular), as PyTorch does.</summary>
    public sealed class Conv2d : nn.Module<Tensor, Tensor>
    {
        readonly Parameter _weight;
        readonly Parameter? _bias;

        internal Conv2d(long inChannels, long outChannels, long[] kernelSize, long[] stride, long[] padding, long[] dilation,
            PaddingModes paddingMode, long groups, bool bias, Device? device, ScalarType? dtype) : base(nameof(Conv2d))
        {
            LayerInit.CheckChannels("Conv2d", inChannels, outChannels, groups);
            in_channels = inChannels;
            out_channels = outChannels;
            kernel_size = LayerInit.Positive(F.Pair(kernelSize, "kernel_size"), "kernel_size");
            this.stride = LayerInit.Positive(F.Pair(stride, "stride"), "stride");
            this.padding = LayerInit.NonNegative(F.Pair(padding, "padding"), "padding");
            this.dilation = LayerInit.Positive(F.Pair(dilation, "dilation"), "dilation");
            padding_mode = paddingMode == PaddingModes.Constant ? PaddingModes.Zeros : paddingMode;
            this.groups = groups;
            _weight = LayerInit.NewParameter(new[] { outChannels, inChannels / groups, kernel_size[0], kernel_size[1] }, device, dtype);
            if (bias) _bias = LayerInit.NewParameter(new[] { outChannels }, device, dtype);
            reset_parameters();
            RegisterComponents();
        }

        public long in_channels { get; }
        public long out_channels { get; }
        public long[] kernel_size { get; }
        public long[] stride { get; }
        public long[] padding { get; }
        public long[] dilation { get; }
        public long groups { get; }
        public PaddingModes padding_mode { get; }
        public Parameter weight => _weight;
        public Parameter? bias => _bias;

        public void reset_parameters() => LayerInit.ResetLikePyTorch(_weight, _bias);

        public override Tensor forward(Tensor input)
        {
            F.CheckSameKind(input, _weight, "Conv2d");
            LayerInit.CheckImage(input, in_channels, $"Conv2d(in_channels={in_channels}, out_channels={out_channels})");
            if (padding_mode == PaddingModes.Zeros)
                return F.conv2d(input, _weight, _bias, stride, padding, dilation, groups);
            // PyTorch's _conv_forward: pad (left, right, top, bottom) in the chosen mode, then convolve unpadded.
            using var padded = F.pad(input, new[] { padding[1], padding[1], padding[0], padding[0] }, padding_mode);
            return F.conv2d(padded, _weight, _bias, stride, new long[] { 0, 0 }, dilation, groups);
        }

        private protected override string ExtraRepr() =>
            $"({in_channels}, {out_channels}, kernel_size={LayerInit.Tuple(kernel_size)}, stride={LayerInit.Tuple(stride)}, padding={LayerInit.Tuple(padding)}" +
            (groups != 1 ? $", groups={groups}" : "") + (_bias is null ? ", bias=False" : "") + ")";
    }

    /// <summary>2-D transposed convolution, weight [C_in, C_out/groups, kH, kW]; output size per dimension
    /// (H − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1. Initialised like PyTorch (whose
    /// fan_in for this weight layout is C_out/groups·kH·kW).</summary>
    public sealed class ConvTranspose2d : nn.Module<Tensor, Tensor>
    {
        readonly Parameter _weight;
        readonly Parameter? _bias;

        internal ConvTranspose2d(long inChannels, long outChannels, long[] kernelSize, long[] stride, long[] padding, long[] outputPadding,
            long[] dilation, long groups, bool bias, Device? device, ScalarType? dtype) : base(nameof(ConvTranspose2d))
        {
            LayerInit.CheckChannels("ConvTranspose2d", inChannels, outChannels, groups);
            in_channels = inChannels;
            out_channels = outChannels;
            kernel_size = LayerInit.Positive(F.Pair(kernelSize, "kernel_size"), "kernel_size");
            this.stride = LayerInit.Positive(F.Pair(stride, "stride"), "stride");
            this.padding = LayerInit.NonNegative(F.Pair(padding, "padding"), "padding");
            output_padding = LayerInit.NonNegative(F.Pair(outputPadding, "output_padding"), "output_padding");
            this.dilation = LayerInit.Positive(F.Pair(dilation, "dilation"), "dilation");
            for (int i = 0; i < 2; i++)
                if (output_padding[i] >= Math.Max(this.stride[i], this.dilation[i]))
                    throw new ArgumentException($"ConvTranspose2d: output_padding ({output_padding[i]}) must be smaller than either stride ({this.stride[i]}) or dilation ({this.dilation[i]})", nameof(outputPadding));
            this.groups = groups;
            _weight = LayerInit.NewParameter(new[] { inChannels, outChannels / groups, kernel_size[0], kernel_size[1] }, device, dtype);
            if (bias) _bias = LayerInit.NewParameter(new[] { outChannels }, device, dtype);
            reset_parameters();
            RegisterComponents();
        }

        public long in_channels { get; }
        public long out_channels { get; }
        public long[] kernel_size { get; }
        public long[] stride { get; }
        public long[] padding { get; }
        public long[] output_padding { get; }
        public long[] dilation { get; }
        public long groups { get; }
        public Parameter weight => _weight;
        public Parameter? bias => _bias;

        public void reset_parameters() => LayerInit.ResetLikePyTorch(_weight, _bias);

        public override Tensor forward(Tensor input)
        {
            F.CheckSameKind(input, _weight, "ConvTranspose2d");
            LayerInit.CheckImage(input, in_channels, $"ConvTranspose2d(in_channels={in_channels}, out_channels={out_channels})");
            return F.conv_transpose2d(input, _weight, _bias, stride, padding, output_padding, dilation, groups);
        }

        private protected override string ExtraRepr() =>
            $"({in_channels}, {out_channels}, kernel_size={LayerInit.Tuple(kernel_size)}, stride={LayerInit.Tuple(stride)}, padding={LayerInit.Tuple(padding)}, output_padding={LayerInit.Tuple(output_padding)})";
    }

    /// <summary>A lookup table [num_embeddings, embedding_dim], initialised N(0, 1) as in PyTorch; the
    /// padding_idx row (if any) starts at zero and receives no gradient.</summary>
    public sealed class Embedding : nn.Module<Tensor, Tensor>
    {
        static readonly Op s_select = new("aten::select.int");
        readonly Parameter _weight;

        internal Embedding(long numEmbeddings, long embeddingDim, long? paddingIdx, Device? device, ScalarType? dtype) : base(nameof(Embedding))
        {
            if (numEmbeddings <= 0 || embeddingDim <= 0)
                throw new ArgumentOutOfRangeException(nameof(numEmbeddings), $"Embedding needs positive sizes, got num_embeddings={numEmbeddings}, embedding_dim={embeddingDim}");
            if (paddingIdx is long p && (p >= numEmbeddings || p < -numEmbeddings))
                throw new ArgumentOutOfRangeException(nameof(paddingIdx), $"Embedding: padding_idx {p} is outside [-{numEmbeddings}, {numEmbeddings - 1}]");
            num_embeddings = numEmbeddings;
            embedding_dim = embeddingDim;
            padding_idx = paddingIdx is long q && q < 0 ? q + numEmbeddings : paddingIdx;
            _weight = LayerInit.NewParameter(new[] { numEmbeddings, embeddingDim }, device, dtype);
            reset_parameters();
            RegisterComponents();
        }

        public long num_embeddings { get; }
        public long embedding_dim { get; }
        public long? padding_idx { get; }
        public Parameter weight => _weight;

        public void reset_parameters()
        {
            nn.init.normal_(_weight);
            if (padding_idx is long p)
                using (no_grad())
                using (var row = s_select.Call(_weight, 0L, p))
                    row.zero_();
        }

        public override Tensor forward(Tensor input) => F.embedding(input, _weight, padding_idx);

        private protected override string ExtraRepr() => $"({num_embeddings}, {embedding_dim}" + (padding_idx is long p ? $", padding_idx={p}" : "") + ")";
    }

    /// <summary>Inverted dropout while training (see <see cref="nn.functional.dropout"/>); the identity in eval mode.</summary>
    public sealed class Dropout : nn.Module<Tensor, Tensor>
    {
        internal Dropout(double p) : base(nameof(Dropout))
        {
            if (p < 0 || p > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout probability must lie in [0, 1]");
            this.p = p;
            RegisterComponents();
        }

        public double p { get; }
        public override Tensor forward(Tensor input) => F.dropout(input, p, training);
        private protected override string ExtraRepr() => $"(p={LayerInit.Number(p)})";
    }

    /// <summary>x·σ(x) (see <see cref="nn.functional.silu"/>).</summary>
    public sealed class SiLU : nn.Module<Tensor, Tensor>
    {
        internal SiLU() : base(nameof(SiLU)) => RegisterComponents();
        public override Tensor forward(Tensor input) => F.silu(input);
    }

    /// <summary>x·Φ(x) (see <see cref="nn.functional.gelu"/>).</summary>
    public sealed class GELU : nn.Module<Tensor, Tensor>
    {
        /// <summary>TorchSharp's names for PyTorch's approximate="none" and "tanh".</summary>
        public enum Approximate { none, tanh }

        internal GELU(Approximate approximate) : base(nameof(GELU))
        {
            if (approximate is not (Approximate.none or Approximate.tanh))
                throw new ArgumentException($"GELU: approximate must be none or tanh, got {approximate}", nameof(approximate));
            this.approximate = approximate;
            RegisterComponents();
        }

        readonly Approximate approximate;
        public override Tensor forward(Tensor input) => F.gelu(input, approximate);
        private protected override string ExtraRepr() => approximate == Approximate.none ? "" : $"(approximate='{approximate}')";
    }

    public sealed class ReLU : nn.Module<Tensor, Tensor>
    {
        internal ReLU() : base(nameof(ReLU)) => RegisterComponents();
        public override Tensor forward(Tensor input) => F.relu(input);
    }

    public sealed class LeakyReLU : nn.Module<Tensor, Tensor>
    {
        internal LeakyReLU(double negativeSlope) : base(nameof(LeakyReLU)) { negative_slope = negativeSlope; RegisterComponents(); }
        public double negative_slope { get; }
        public override Tensor forward(Tensor input) => F.leaky_relu(input, negative_slope);
    }

    public sealed class Tanh : nn.Module<Tensor, Tensor>
    {
        internal Tanh() : base(nameof(Tanh)) => RegisterComponents();
        public override Tensor forward(Tensor input) => input.tanh();
    }

    public sealed class Sigmoid : nn.Module<Tensor, Tensor>
    {
        internal Sigmoid() : base(nameof(Sigmoid)) => RegisterComponents();
        public override Tensor forward(Tensor input) => input.sigmoid();
    }

    /// <summary>Returns its input unchanged (a new handle to the same tensor, so disposing the result
    /// does not dispose the input).</summary>
    public sealed class Identity : nn.Module<Tensor, Tensor>
    {
        internal Identity() : base(nameof(Identity)) => RegisterComponents();
        public override Tensor forward(Tensor input) => input.alias();
    }

    /// <summary>Flattens dimensions start_dim..end_dim into one (default: all but the batch dimension).</summary>
    public sealed class Flatten : nn.Module<Tensor, Tensor>
    {
        internal Flatten(long startDim, long endDim) : base(nameof(Flatten)) { start_dim = startDim; end_dim = endDim; RegisterComponents(); }
        public long start_dim { get; }
        public long end_dim { get; }
        public override Tensor forward(Tensor input) => input.flatten(start_dim, end_dim);
    }

    /// <summary>Resizes [N, C, H, W] input (see <see cref="nn.functional.interpolate"/>).</summary>
    public sealed class Upsample : nn.Module<Tensor, Tensor>
    {
        internal Upsample(long[]? size, double[]? scaleFactor, UpsampleMode mode, bool? alignCorners, bool? recomputeScaleFactor) : base(nameof(Upsample))
        {
            if ((size is null) == (scaleFactor is null))
                throw new ArgumentException("Upsample: give exactly one of size and scale_factor");
            _size = size;
            _scaleFactor = scaleFactor;
            this.mode = mode is UpsampleMode.Nearest or UpsampleMode.Bilinear ? mode
                : throw new NotSupportedException($"Upsample: Course.Torch implements the Nearest and Bilinear modes, not {mode}");
            align_corners = alignCorners;
            recompute_scale_factor = recomputeScaleFactor;
            RegisterComponents();
        }

        readonly long[]? _size;
        readonly double[]? _scaleFactor;
        public ReadOnlySpan<long> size => _size;
        public ReadOnlySpan<double> scale_factor => _scaleFactor;
        public UpsampleMode mode { get; }
        public bool? align_corners { get; }
        public bool? recompute_scale_factor { get; set; }
        public override Tensor forward(Tensor input) =>
            F.interpolate(input, _size, _scaleFactor, mode == UpsampleMode.Bilinear ? InterpolationMode.Bilinear : InterpolationMode.Nearest,
                align_corners, recompute_scale_factor ?? false);
    }

    /// <summary>Shared construction and initialisation code of the layers.</summary>
    internal static class LayerInit
    {
        public static Parameter NewParameter(long[] shape, Device? device, ScalarType? dtype)
        {
            if (dtype is ScalarType t && !t.IsFloatingPoint())
                throw new ArgumentException($"parameters must have a floating-point dtype, got {t.Name()}", nameof(dtype));
            using var data = empty(shape, dtype ?? ScalarType.Float32, device);
            return new Parameter(data);
        }

        /// <summary>PyTorch's reset_parameters of Linear and _ConvNd: W by kaiming_uniform_(a = √5), i.e.
        /// U(±1/√fan_in), then b ~ U(±1/√fan_in), in this order (so seeded values match PyTorch's).</summary>
        public static void ResetLikePyTorch(Parameter weight, Parameter? bias)
        {
            nn.init.kaiming_uniform_(weight, a: Math.Sqrt(5));
            if (bias is null) return;
            var (fanIn, _) = nn.init.calculate_fan_in_and_fan_out(weight);
            var bound = fanIn > 0 ? 1 / Math.Sqrt(fanIn) : 0;
            nn.init.uniform_(bias, -bound, bound);
        }

        public static void CheckChannels(string layer, long inChannels, long outChannels, long groups)
        {
            if (inChannels <= 0 || outChannels <= 0)
                throw new ArgumentOutOfRangeException(nameof(inChannels), $"{layer} needs positive channel counts, got in_channels={inChannels}, out_channels={outChannels}");
            if (groups <= 0) throw new ArgumentOutOfRangeException(nameof(groups), groups, $"{layer}: groups must be positive");
            if (inChannels % groups != 0) throw new ArgumentException($"{layer}: in_channels ({inChannels}) must be divisible by groups ({groups})", nameof(groups));
            if (outChannels % groups != 0) throw new ArgumentException($"{layer}: out_channels ({outChannels}) must be divisible by groups ({groups})", nameof(groups));
        }

        public static void CheckImage(Tensor input, long inChannels, string layer)
        {
            var x = input.shape;
            if (x.Length is not (3 or 4))
                throw new ArgumentException($"{layer} expects input of shape [N, {inChannels}, H, W] or [{inChannels}, H, W], got {F.Shape(x)}", nameof(input));
            if (x[^3] != inChannels)
                throw new ArgumentException($"{layer} expects {inChannels} input channels, but the input has {x[^3]} (shape {F.Shape(x)})", nameof(input));
        }

        public static long[] Positive(long[] values, string name) =>
            values.All(v => v > 0) ? values : throw new ArgumentOutOfRangeException(name, $"{name} must be positive, got {F.Shape(values)}");

        public static long[] NonNegative(long[] values, string name) =>
            values.All(v => v >= 0) ? values : throw new ArgumentOutOfRangeException(name, $"{name} must be non-negative, got {F.Shape(values)}");

        public static string Tuple(long[] values) => "(" + string.Join(", ", values) + ")";

        /// <summary>A number as Python prints it (1e-05, 0.1), for ToString().</summary>
        public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e");
    }
}

namespace TorchSharp
{
    public static partial class torch
    {
        public static partial class nn
        {
            public static Modules.Linear Linear(long inputSize, long outputSize, bool hasBias = true, Device? device = null, ScalarType? dtype = null) =>
                new(inputSize, outputSize, hasBias, device, dtype);

            public static Modules.Conv2d Conv2d(long in_channels, long out_channels, long kernelSize, long stride = 1, long padding = 0,
                long dilation = 1, PaddingModes padding_mode = PaddingModes.Zeros, long groups = 1, bool bias = true,
                Device? device = null, ScalarType? dtype = null) =>
                new(in_channels, out_channels, new[] { kernelSize }, new[] { stride }, new[] { padding }, new[] { dilation }, padding_mode, groups, bias, device, dtype);

            public static Modules.Conv2d Conv2d(long in_channels, long out_channels, (long, long) kernelSize, (long, long)? stride = null,
                (long, long)? padding = null, (long, long)? dilation = null, PaddingModes padding_mode = PaddingModes.Zeros, long groups = 1,
                bool bias = true, Device? device = null, ScalarType? dtype = null) =>
                new(in_channels, out_channels, new[] { kernelSize.Item1, kernelSize.Item2 }, Two(stride, 1), Two(padding, 0), Two(dilation, 1),
                    padding_mode, groups, bias, device, dtype);

            public static Modules.ConvTranspose2d ConvTranspose2d(long in_channels, long out_channels, long kernelSize, long stride = 1,
                long padding = 0, long output_padding = 0, long dilation = 1, long groups = 1, bool bias = true,
                Device? device = null, ScalarType? dtype = null) =>
                new(in_channels, out_channels, new[] { kernelSize }, new[] { stride }, new[] { padding }, new[] { output_padding },
                    new[] { dilation }, groups, bias, device, dtype);

            public static Modules.ConvTranspose2d ConvTranspose2d(long in_channels, long out_channels, (long, long) kernelSize,
                (long, long)? stride = null, (long, long)? padding = null, (long, long)? output_padding = null, (long, long)? dilation = null,
                long groups = 1, bool bias = true, Device? device = null, ScalarType? dtype = null) =>
                new(in_channels, out_channels, new[] { kernelSize.Item1, kernelSize.Item2 }, Two(stride, 1), Two(padding, 0),
                    Two(output_padding, 0), Two(dilation, 1), groups, bias, device, dtype);

            public static Modules.Embedding Embedding(long num_embeddings, long embedding_dims, long? padding_idx = null,
                Device? device = null, ScalarType? dtype = null) => new(num_embeddings, embedding_dims, padding_idx, device, dtype);

            public static Modules.Dropout Dropout(double p = 0.5) => new(p);
            public static Modules.SiLU SiLU() => new();
            public static Modules.GELU GELU() => new(Modules.GELU.Approximate.none);
            public static Modules.GELU GELU(Modules.GELU.Approximate approximate) => new(approximate);
            public static Modules.ReLU ReLU() => new();
            public static Modules.LeakyReLU LeakyReLU(double negative_slope = 0.01) => new(negative_slope);
            public static Modules.Tanh Tanh() => new();
            public static Modules.Sigmoid Sigmoid() => new();
            public static Modules.Identity Identity() => new();
            public static Modules.Flatten Flatten(long start_dim = 1, long end_dim = -1) => new(start_dim, end_dim);

            public static Modules.Upsample Upsample(long[]? size = null, double[]? scale_factor = null,
                UpsampleMode mode = UpsampleMode.Nearest, bool? align_corners = null, bool? recompute_scale_factor = null) =>
                new(size, scale_factor, mode, align_corners, recompute_scale_factor);

            /// <summary>A trainable tensor (as <c>torch.nn.Parameter</c>).</summary>
            public static Parameter Parameter(Tensor data, bool requires_grad = true) => new(data, requires_grad);

            static long[] Two((long, long)? pair, long fallback) =>
                pair is (long a, long b) ? new[] { a, b } : new[] { fallback, fallback };
        }
    }
}
