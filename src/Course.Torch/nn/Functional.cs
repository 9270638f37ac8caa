namespace TorchSharp;

/// <summary>How <see cref="torch.nn.functional.pad"/> (and convolution padding) fills the border (TorchSharp's codes).</summary>
public enum PaddingModes { Zeros = 0, Reflect = 1, Replicate = 2, Circular = 3, Constant = 4 }

public static partial class torch
{
    /// <summary>Resampling rule of <see cref="nn.functional.interpolate"/>: the modes of TorchSharp's enum
    /// that Course.Torch implements, with TorchSharp's codes.</summary>
    public enum InterpolationMode { Nearest = 0, Bilinear = 2, NearestExact = 6 }

    /// <summary>Resampling rule of <see cref="nn.Upsample"/> (TorchSharp's codes; Course.Torch implements Nearest and Bilinear).</summary>
    public enum UpsampleMode { Nearest = 0, Linear = 1, Bilinear = 2, Bicubic = 3, Trilinear = 4 }

    public static partial class nn
    {
        /// <summary>How a loss combines its per-element values (the integer codes are ATen's).</summary>
        public enum Reduction { None = 0, Mean = 1, Sum = 2 }


        /// <summary>
        /// Stateless versions of the layers and losses, as <c>torch.nn.functional</c> in PyTorch.
        /// Each function calls the ATen operator PyTorch itself calls, so results agree to the last bit
        /// on the same inputs; inputs that would give a cryptic libtorch message are checked first.
        /// </summary>
        public static class functional
        {
            static readonly Op
                s_linear = new("aten::linear"), s_conv2d = new("aten::conv2d"),
                s_conv_transpose2d = new("aten::conv_transpose2d.input"), s_group_norm = new("aten::group_norm"),
                s_layer_norm = new("aten::layer_norm"), s_batch_norm = new("aten::batch_norm"),
                s_embedding = new("aten::embedding"), s_dropout = new("aten::dropout"),
                s_silu = new("aten::silu"), s_gelu = new("aten::gelu"), s_relu = new("aten::relu"),
                s_leaky_relu = new("aten::leaky_relu"), s_mse = new("aten::mse_loss"), s_l1 = new("aten::l1_loss"),
                s_smooth_l1 = new("aten::smooth_l1_loss"), s_cross_entropy = new("aten::cross_entropy_loss"),
                s_nearest2d = new("aten::upsample_nearest2d.vec"), s_nearest_exact2d = new("aten::_upsample_nearest_exact2d.vec"),
                s_bilinear2d = new("aten::upsample_bilinear2d.vec"), s_avg_pool2d = new("aten::avg_pool2d"),
                s_max_pool2d = new("aten::max_pool2d"), s_pad = new("aten::pad"), s_tril = new("aten::tril");

            // ---------------------------------------------------------------- activations

            /// <summary>SiLU (swish): x·σ(x) (Elfwing et al. 2018, eq. 4; Ramachandran et al. 2017).</summary>
            public static Tensor silu(Tensor input) => s_silu.Call(input);

            /// <summary>GELU: x·Φ(x) with Φ the standard normal CDF (Hendrycks &amp; Gimpel 2016, sec. 2);
            /// approximate "tanh" uses 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))).</summary>
            public static Tensor gelu(Tensor input) => gelu(input, Modules.GELU.Approximate.none);

            public static Tensor gelu(Tensor input, Modules.GELU.Approximate approximate) => approximate switch
            {
                Modules.GELU.Approximate.none => s_gelu.Call(input, "none"),
                Modules.GELU.Approximate.tanh => s_gelu.Call(input, "tanh"),
                _ => throw new ArgumentException($"gelu: approximate must be none or tanh, got {approximate}", nameof(approximate)),
            };

            public static Tensor relu(Tensor input) => s_relu.Call(input);
            public static Tensor leaky_relu(Tensor input, double negative_slope = 0.01) => s_leaky_relu.Call(input, negative_slope);
            public static Tensor tanh(Tensor input) => input.tanh();
            public static Tensor sigmoid(Tensor input) => input.sigmoid();
            public static Tensor softmax(Tensor input, long dim) => input.softmax(CheckDim(input, dim, "softmax"));
            public static Tensor log_softmax(Tensor input, long dim) => input.log_softmax(CheckDim(input, dim, "log_softmax"));

            // ---------------------------------------------------------------- losses

            /// <summary>Mean squared error: reduce((input − target)²).</summary>
            public static Tensor mse_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
                s_mse.Call(input, SameShapeTarget(input, target, "mse_loss"), (long)reduction);

            /// <summary>Mean absolute error: reduce(|input − target|).</summary>
            public static Tensor l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
                s_l1.Call(input, SameShapeTarget(input, target, "l1_loss"), (long)reduction);

            /// <summary>Huber-style loss: 0.5·d²/β where |d| &lt; β, else |d| − 0.5β, with d = input − target
            /// (Girshick 2015, Fast R-CNN, eq. 3, with the threshold β).</summary>
            public static Tensor smooth_l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double beta = 1.0)
            {
                if (beta < 0) throw new ArgumentOutOfRangeException(nameof(beta), beta, "smooth_l1_loss: beta must be non-negative");
                return s_smooth_l1.Call(input, SameShapeTarget(input, target, "smooth_l1_loss"), (long)reduction, beta);
            }

            /// <summary>
            /// Cross entropy between logits <paramref name="input"/> ([N, C], [N, C, d1, ...] or [C]) and either
            /// class indices (int64, shape [N] / [N, d1, ...] / []) or class probabilities (same shape as input):
            /// −Σ_c y_c log softmax(x)_c. With label smoothing ε the target becomes (1 − ε)·y + ε/C
            /// (Szegedy et al. 2016, sec. 7).
            /// </summary>
            public static Tensor cross_entropy(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100,
                Reduction reduction = Reduction.Mean, double label_smoothing = 0.0)
            {
                if (label_smoothing < 0 || label_smoothing > 1)
                    throw new ArgumentOutOfRangeException(nameof(label_smoothing), label_smoothing, "cross_entropy: label_smoothing must lie in [0, 1]");
                var inShape = input.shape;
                if (inShape.Length == 0)
                    throw new ArgumentException("cross_entropy: input must hold logits of shape [N, C], [N, C, d1, ...] or [C], got a scalar", nameof(input));
                var tShape = target.shape;
                var tType = target.dtype;
                if (tType.IsFloatingPoint())
                {
                    if (!tShape.SequenceEqual(inShape))
                        throw new ArgumentException($"cross_entropy: a probability target must have the input's shape {Shape(inShape)}, got {Shape(tShape)}", nameof(target));
                }
                else
                {
                    if (tType != ScalarType.Int64)
                        throw new ArgumentException($"cross_entropy: class-index targets must be int64, got {tType.Name()}; convert with .to(int64)", nameof(target));
                    var expected = inShape.Length == 1 ? Array.Empty<long>() : inShape.Where((_, i) => i != 1).ToArray();
                    if (!tShape.SequenceEqual(expected))
                        throw new ArgumentException($"cross_entropy: for input of shape {Shape(inShape)} the class-index target must have shape {Shape(expected)}, got {Shape(tShape)}", nameof(target));
                }
                return s_cross_entropy.Call(input, target, weight, (long)reduction, ignore_index, label_smoothing);
            }

            // ---------------------------------------------------------------- layers as functions

            /// <summary>y = x Wᵀ + b for weight W of shape [out, in].</summary>
            public static Tensor linear(Tensor input, Tensor weight, Tensor? bias = null)
            {
                var w = weight.shape;
                if (w.Length != 2) throw new ArgumentException($"linear: weight must be [out_features, in_features], got {Shape(w)}", nameof(weight));
                var x = input.shape;
                if (x.Length == 0 || x[^1] != w[1])
                    throw new ArgumentException($"linear: input's last dimension must equal in_features = {w[1]}, but the input has shape {Shape(x)}", nameof(input));
                return s_linear.Call(input, weight, bias);
            }

            public static Tensor conv2d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0, long dilation = 1, long groups = 1) =>
                conv2d(input, weight, bias, new[] { stride, stride }, new[] { padding, padding }, new[] { dilation, dilation }, groups);

            /// <summary>2-D cross-correlation of input [N, C_in, H, W] (or unbatched [C_in, H, W]) with weight
            /// [C_out, C_in/groups, kH, kW].</summary>
            public static Tensor conv2d(Tensor input, Tensor weight, Tensor? bias, long[] strides, long[] padding, long[] dilation, long groups = 1)
            {
                var w = weight.shape;
                if (w.Length != 4) throw new ArgumentException($"conv2d: weight must be [out_channels, in_channels/groups, kH, kW], got {Shape(w)}", nameof(weight));
                CheckImageInput(input, w[1] * groups, "conv2d", $"the weight {Shape(w)} with groups={groups}");
                return s_conv2d.Call(input, weight, bias, Pair(strides, nameof(strides)), Pair(padding, nameof(padding)), Pair(dilation, nameof(dilation)), groups);
            }

            public static Tensor conv_transpose2d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0,
                long output_padding = 0, long groups = 1, long dilation = 1) =>
                conv_transpose2d(input, weight, bias, new[] { stride, stride }, new[] { padding, padding }, new[] { output_padding, output_padding }, new[] { dilation, dilation }, groups);

            /// <summary>Transposed convolution (the gradient of conv2d with respect to its input) with weight
            /// [C_in, C_out/groups, kH, kW]; output size (H − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1.
            /// Parameters in TorchSharp's names and order (strides, padding, output_padding, dilation, groups).</summary>
            public static Tensor conv_transpose2d(Tensor input, Tensor weight, Tensor? bias, long[] strides, long[] padding,
                long[] output_padding, long[] dilation, long groups = 1)
            {
                var w = weight.shape;
                if (w.Length != 4) throw new ArgumentException($"conv_transpose2d: weight must be [in_channels, out_channels/groups, kH, kW], got {Shape(w)}", nameof(weight));
                CheckImageInput(input, w[0], "conv_transpose2d", $"the weight {Shape(w)}");
                var s = Pair(strides, nameof(strides));
                var op = Pair(output_padding, nameof(output_padding));
                var d = Pair(dilation, nameof(dilation));
                for (int i = 0; i < 2; i++)
                    if (op[i] >= Math.Max(s[i], d[i]))
                        throw new ArgumentException($"conv_transpose2d: output_padding ({op[i]}) must be smaller than either stride ({s[i]}) or dilation ({d[i]})", nameof(output_padding));
                return s_conv_transpose2d.Call(input, weight, bias, s, Pair(padding, nameof(padding)), op, groups, d);
            }

            /// <summary>Group normalization (Wu &amp; He 2018, eqs. 1–3): statistics over each group of
            /// C/G channels and all spatial positions of one sample, then a per-channel affine map.</summary>
            public static Tensor group_norm(Tensor input, long num_groups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
            {
                var x = input.shape;
                if (x.Length < 2) throw new ArgumentException($"group_norm: input must be [N, C, ...], got {Shape(x)}", nameof(input));
                if (num_groups <= 0 || x[1] % num_groups != 0)
                    throw new ArgumentException($"group_norm: the {x[1]} channels of input {Shape(x)} cannot be split into {num_groups} groups", nameof(num_groups));
                return s_group_norm.Call(input, num_groups, weight, bias, eps, true);
            }

            /// <summary>Layer normalization (Ba et al. 2016, eqs. 3–4) over the trailing <paramref name="normalized_shape"/> dimensions.</summary>
            public static Tensor layer_norm(Tensor input, long[] normalized_shape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
            {
                var x = input.shape;
                if (normalized_shape.Length == 0 || x.Length < normalized_shape.Length || !x[^normalized_shape.Length..].SequenceEqual(normalized_shape))
                    throw new ArgumentException($"layer_norm: input's trailing dimensions must be {Shape(normalized_shape)}, got input of shape {Shape(x)}", nameof(input));
                return s_layer_norm.Call(input, normalized_shape, weight, bias, eps, true);
            }

            /// <summary>Batch normalization (Ioffe &amp; Szegedy 2015, Algorithm 1). In training mode it normalizes
            /// with the batch statistics and updates the running ones in place:
            /// running = (1 − momentum)·running + momentum·batch (the variance unbiased).</summary>
            public static Tensor batch_norm(Tensor input, Tensor? running_mean, Tensor? running_var, Tensor? weight = null, Tensor? bias = null,
                bool training = false, double momentum = 0.1, double eps = 1e-5)
            {
                var x = input.shape;
                if (x.Length < 2) throw new ArgumentException($"batch_norm: input must be [N, C, ...], got {Shape(x)}", nameof(input));
                if (!training && (running_mean is null || running_var is null))
                    throw new ArgumentException("batch_norm: evaluation mode (training: false) needs running_mean and running_var");
                return s_batch_norm.Call(input, weight, bias, running_mean, running_var, training, momentum, eps, true);
            }

            /// <summary>Rows of <paramref name="weight"/> [num_embeddings, dim] picked by integer indices.</summary>
            public static Tensor embedding(Tensor input, Tensor weight, long? padding_idx = null)
            {
                var w = weight.shape;
                if (w.Length != 2) throw new ArgumentException($"embedding: weight must be [num_embeddings, embedding_dim], got {Shape(w)}", nameof(weight));
                if (input.dtype is not (ScalarType.Int64 or ScalarType.Int32))
                    throw new ArgumentException($"embedding: indices must be int64 or int32, got {input.dtype.Name()}", nameof(input));
                if (input.numel() > 0)
                {
                    long lo, hi;
                    using (no_grad())
                    using (var min = input.min())
                    using (var max = input.max())
                    {
                        lo = min.ToInt64();
                        hi = max.ToInt64();
                    }
                    if (lo < 0 || hi >= w[0])
                        throw new ArgumentOutOfRangeException(nameof(input), $"embedding: indices must lie in [0, {w[0] - 1}] (num_embeddings = {w[0]}), but they range over [{lo}, {hi}]");
                }
                long pad = padding_idx is long p ? (p < 0 ? p + w[0] : p) : -1;
                return s_embedding.Call(weight, input, pad, false, false);
            }

            /// <summary>Inverted dropout (Srivastava et al. 2014): in training, zeroes each element with
            /// probability p and scales the rest by 1/(1 − p); otherwise returns the input's values.</summary>
            public static Tensor dropout(Tensor input, double p = 0.5, bool training = true)
            {
                if (p < 0 || p > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must lie in [0, 1]");
                return s_dropout.Call(input, p, training);
            }

            // ---------------------------------------------------------------- resampling, pooling, padding

            /// <summary>
            /// Resizes the spatial dimensions of [N, C, H, W] input, either to <paramref name="size"/> or by
            /// <paramref name="scale_factor"/> (output = floor(input · scale)), as PyTorch's F.interpolate.
            /// Nearest picks source index floor(dst · in/out) (PyTorch's legacy "nearest"); NearestExact uses
            /// floor((dst + 0.5) · in/out); Bilinear with align_corners maps corner pixel centres onto each other,
            /// without it maps pixel areas (src = (dst + 0.5)·scale − 0.5).
            /// </summary>
            public static Tensor interpolate(Tensor input, long[]? size = null, double[]? scale_factor = null,
                InterpolationMode mode = InterpolationMode.Nearest, bool? align_corners = null, bool recompute_scale_factor = false, bool antialias = false)
            {
                if (antialias) throw new NotSupportedException("interpolate: Course.Torch has no antialiased resampling (antialias: true)");
                var x = input.shape;
                if (x.Length != 4)
                    throw new ArgumentException($"interpolate: expects [N, C, H, W] input for mode {mode}, got {Shape(x)}", nameof(input));
                if ((size is null) == (scale_factor is null))
                    throw new ArgumentException("interpolate: give exactly one of size and scale_factor");
                if (align_corners is not null && mode != InterpolationMode.Bilinear)
                    throw new ArgumentException($"interpolate: align_corners only applies to bilinear mode, not {mode}", nameof(align_corners));
                long[]? outSize = size is null ? null : Pair(size, nameof(size));
                double[]? scales = null;
                if (scale_factor is not null)
                {
                    // One factor per spatial dimension, as libtorch 2.x and TorchSharp require (1.13 broadcast a single one).
                    if (scale_factor.Length != 2)
                        throw new ArgumentException($"interpolate: scale_factor needs one value per spatial dimension, 2 for [N, C, H, W] input, got {scale_factor.Length}", nameof(scale_factor));
                    scales = scale_factor;
                    if (scales.Any(s => !(s > 0)))
                        throw new ArgumentOutOfRangeException(nameof(scale_factor), $"interpolate: scale factors must be positive, got [{string.Join(", ", scales)}]");
                    if (recompute_scale_factor)
                    {
                        outSize = new[] { (long)Math.Floor(x[2] * scales[0]), (long)Math.Floor(x[3] * scales[1]) };
                        scales = null;
                    }
                }
                if (outSize is not null && outSize.Any(s => s <= 0))
                    throw new ArgumentOutOfRangeException(nameof(size), $"interpolate: output size must be positive, got {Shape(outSize)}");
                return mode switch
                {
                    InterpolationMode.Nearest => s_nearest2d.Call(input, outSize, scales),
                    InterpolationMode.NearestExact => s_nearest_exact2d.Call(input, outSize, scales),
                    InterpolationMode.Bilinear => s_bilinear2d.Call(input, outSize, align_corners ?? false, scales),
                    _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "interpolate: unsupported mode"),
                };
            }


            /// <summary>Mean over kernel windows of [N, C, H, W] (or [C, H, W]) input; stride defaults to the kernel size.</summary>
            public static Tensor avg_pool2d(Tensor input, long[] kernel_size, long[]? stride = null, long[]? padding = null,
                bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null)
            {
                CheckPoolInput(input, "avg_pool2d");
                var k = Pair(kernel_size, nameof(kernel_size));
                var p = Pair(padding ?? new long[] { 0 }, nameof(padding));
                if (p[0] * 2 > k[0] || p[1] * 2 > k[1])
                    throw new ArgumentException($"avg_pool2d: padding {Shape(p)} must be at most half the kernel size {Shape(k)}", nameof(padding));
                return s_avg_pool2d.Call(input, k, Pair(stride ?? k, nameof(stride)), p, ceil_mode, count_include_pad, divisor_override);
            }

            public static Tensor avg_pool2d(Tensor input, long kernel_size, long? stride = null, long padding = 0, bool ceil_mode = false, bool count_include_pad = true) =>
                avg_pool2d(input, new[] { kernel_size }, stride is long s ? new[] { s } : null, new[] { padding }, ceil_mode, count_include_pad);

            /// <summary>Maximum over kernel windows of [N, C, H, W] (or [C, H, W]) input; stride defaults to the kernel size.</summary>
            public static Tensor max_pool2d(Tensor input, long[] kernel_size, long[]? stride = null, long[]? padding = null,
                long[]? dilation = null, bool ceil_mode = false)
            {
                CheckPoolInput(input, "max_pool2d");
                var k = Pair(kernel_size, nameof(kernel_size));
                var p = Pair(padding ?? new long[] { 0 }, nameof(padding));
                if (p[0] * 2 > k[0] || p[1] * 2 > k[1])
                    throw new ArgumentException($"max_pool2d: padding {Shape(p)} must be at most half the kernel size {Shape(k)}", nameof(padding));
                return s_max_pool2d.Call(input, k, Pair(stride ?? k, nameof(stride)), p, Pair(dilation ?? new long[] { 1 }, nameof(dilation)), ceil_mode);
            }

            public static Tensor max_pool2d(Tensor input, long kernel_size, long? stride = null, long padding = 0, long dilation = 1, bool ceil_mode = false) =>
                max_pool2d(input, new[] { kernel_size }, stride is long s ? new[] { s } : null, new[] { padding }, new[] { dilation }, ceil_mode);

            /// <summary>
            /// Pads the last dimensions: <paramref name="pad"/> = (left, right) for the last dimension, then
            /// (top, bottom) for the one before, and so on, as in PyTorch. Constant (and Zeros) fill with
            /// <paramref name="value"/>; Reflect mirrors without repeating the edge; Replicate repeats the edge;
            /// Circular wraps around. Negative constant padding crops.
            /// </summary>
            public static Tensor pad(Tensor input, long[] pad, PaddingModes mode = PaddingModes.Constant, double value = 0)
            {
                var x = input.shape;
                if (pad.Length % 2 != 0 || pad.Length == 0)
                    throw new ArgumentException($"pad: needs pairs (before, after) per dimension, got {pad.Length} values", nameof(pad));
                if (pad.Length / 2 > x.Length)
                    throw new ArgumentException($"pad: {pad.Length / 2} dimensions to pad but the input {Shape(x)} has only {x.Length}", nameof(pad));
                if (mode is PaddingModes.Constant or PaddingModes.Zeros)
                    return s_pad.Call(input, pad, "constant", mode == PaddingModes.Zeros ? 0.0 : value);
                if (value != 0)
                    throw new ArgumentException($"pad: a fill value only applies to constant padding, not {mode}", nameof(value));
                int padded = pad.Length / 2;
                if (padded > 3 || x.Length < padded + 1 || x.Length > padded + 2)
                    throw new ArgumentException($"pad: {mode} padding of the last {padded} dimension(s) needs a {padded + 1}-D or {padded + 2}-D input (batch and channel first), got {Shape(x)}", nameof(input));
                for (int i = 0; i < padded; i++)
                {
                    long size = x[x.Length - 1 - i], before = pad[2 * i], after = pad[2 * i + 1];
                    if (pad[2 * i] < 0 || pad[2 * i + 1] < 0)
                        throw new ArgumentException($"pad: {mode} padding must be non-negative, got ({before}, {after})", nameof(pad));
                    if (mode == PaddingModes.Reflect && (before >= size || after >= size))
                        throw new ArgumentException($"pad: reflect padding ({before}, {after}) must be smaller than the size {size} of dimension {x.Length - 1 - i} of input {Shape(x)}", nameof(pad));
                    if (mode == PaddingModes.Circular && (before > size || after > size))
                        throw new ArgumentException($"pad: circular padding ({before}, {after}) must not exceed the size {size} of dimension {x.Length - 1 - i} of input {Shape(x)}", nameof(pad));
                }
                var name = mode switch { PaddingModes.Reflect => "reflect", PaddingModes.Replicate => "replicate", _ => "circular" };
                return s_pad.Call(input, pad, name, null);
            }

            // ---------------------------------------------------------------- attention

            /// <summary>
            /// Scaled dot-product attention (Vaswani et al. 2017, eq. 1): softmax(Q Kᵀ · scale + M) V with
            /// scale = 1/√d_k by default. Shapes: query [..., L, E], key [..., S, E], value [..., S, Ev] → [..., L, Ev]
            /// (leading dimensions broadcast). <paramref name="attn_mask"/>: bool (true = may attend; false becomes −∞)
            /// or float (added to the scores), broadcastable to [..., L, S]. <paramref name="is_casual"/>: query i
            /// attends to keys 0..i only (TorchSharp 0.107 spells the parameter is_casual; so does this one, so that calls naming it compile on both engines). Dropout with probability <paramref name="p"/> acts on the attention
            /// weights, as in PyTorch's F.scaled_dot_product_attention (pass 0 in evaluation). Composed from
            /// matmul and softmax, the same arithmetic as PyTorch's reference ("math") implementation.
            /// </summary>
            public static Tensor scaled_dot_product_attention(Tensor query, Tensor key, Tensor value, Tensor? attn_mask = null,
                double p = 0.0, bool is_casual = false, double? scale = null)
            {
                var q = query.shape; var k = key.shape; var v = value.shape;
                if (q.Length < 2 || k.Length < 2 || v.Length < 2)
                    throw new ArgumentException($"scaled_dot_product_attention: query, key and value need at least 2 dimensions [..., L, E]; got {Shape(q)}, {Shape(k)}, {Shape(v)}");
                if (q[^1] != k[^1])
                    throw new ArgumentException($"scaled_dot_product_attention: query and key must share the embedding size (last dimension); got query {Shape(q)} and key {Shape(k)}");
                if (k[^2] != v[^2])
                    throw new ArgumentException($"scaled_dot_product_attention: key and value must have the same sequence length (dimension -2); got key {Shape(k)} and value {Shape(v)}");
                if (is_casual && attn_mask is not null)
                    throw new ArgumentException("scaled_dot_product_attention: give either attn_mask or is_casual, not both");
                if (p < 0 || p > 1)
                    throw new ArgumentOutOfRangeException(nameof(p), p, "scaled_dot_product_attention: p must lie in [0, 1]");
                double factor = scale ?? 1.0 / Math.Sqrt(q[^1]);

                using var keyT = key.transpose(-2, -1);
                using var product = query.matmul(keyT);
                using var scores = product * factor;
                Tensor? masked = null;
                try
                {
                    if (is_casual)
                    {
                        using var ones = torch.ones(new[] { q[^2], k[^2] }, ScalarType.Bool, query.device);
                        using var allowed = s_tril.Call(ones, 0L);
                        using var blocked = allowed.logical_not();
                        masked = scores.masked_fill(blocked, double.NegativeInfinity);
                    }
                    else if (attn_mask is not null)
                    {
                        if (attn_mask.dtype == ScalarType.Bool)
                        {
                            using var blocked = attn_mask.logical_not();
                            masked = scores.masked_fill(blocked, double.NegativeInfinity);
                        }
                        else masked = scores + attn_mask;
                    }
                    using var weights = (masked ?? scores).softmax(-1);
                    if (p > 0)
                    {
                        using var dropped = s_dropout.Call(weights, p, true);
                        return dropped.matmul(value);
                    }
                    return weights.matmul(value);
                }
                finally
                {
                    masked?.Dispose();
                }
            }

            // ---------------------------------------------------------------- checks shared with the modules

            internal static string Shape(long[] shape) => "[" + string.Join(", ", shape) + "]";

            static long CheckDim(Tensor input, long dim, string what)
            {
                var n = input.dim();
                if (n == 0 ? dim is < -1 or > 0 : dim < -n || dim >= n)
                    throw new ArgumentOutOfRangeException(nameof(dim), $"{what}: dimension {dim} is out of range for a tensor of shape {Shape(input.shape)}");
                return dim;
            }

            static Tensor SameShapeTarget(Tensor input, Tensor target, string what)
            {
                var a = input.shape; var b = target.shape;
                if (!a.SequenceEqual(b))
                    throw new ArgumentException($"{what}: input has shape {Shape(a)} but target has shape {Shape(b)}; they must match (PyTorch would broadcast with only a warning, which is almost always a bug, e.g. [N, 1] against [N])", nameof(target));
                return target;
            }

            internal static long[] Pair(long[] values, string name) => values.Length switch
            {
                1 => new[] { values[0], values[0] },
                2 => values,
                _ => throw new ArgumentException($"{name} needs 1 or 2 values for a 2-D operation, got {values.Length}", name),
            };

            /// <summary>Checks input is [N, C, H, W] or [C, H, W] with the expected number of channels.</summary>
            internal static void CheckImageInput(Tensor input, long channels, string what, string expectedBy)
            {
                var x = input.shape;
                if (x.Length is not (3 or 4))
                    throw new ArgumentException($"{what}: expects input of shape [N, C, H, W] or [C, H, W], got {Shape(x)}", nameof(input));
                var c = x[^3];
                if (c != channels)
                    throw new ArgumentException($"{what}: input has {c} channels (shape {Shape(x)}) but {expectedBy} expects {channels}", nameof(input));
            }

            static void CheckPoolInput(Tensor input, string what)
            {
                var x = input.shape;
                if (x.Length is not (3 or 4))
                    throw new ArgumentException($"{what}: expects input of shape [N, C, H, W] or [C, H, W], got {Shape(x)}", nameof(input));
            }

            /// <summary>Checks a module's parameter and its input share dtype and device.</summary>
            internal static void CheckSameKind(Tensor input, Tensor parameter, string module)
            {
                if (input.dtype != parameter.dtype)
                    throw new ArgumentException($"{module}: its parameters are {parameter.dtype.Name()} but the input is {input.dtype.Name()}; convert the input with .to({parameter.dtype.Name()}) or the module with .to({input.dtype.Name()})", nameof(input));
                var pd = parameter.device; var id = input.device;
                if (!pd.Equals(id))
                    throw new ArgumentException($"{module}: its parameters are on {pd} but the input is on {id}; move one of them with .to(...)", nameof(input));
            }
        }
    }
}
