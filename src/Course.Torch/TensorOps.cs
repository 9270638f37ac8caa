namespace TorchSharp;

public static partial class torch
{
    public partial class Tensor
    {
        static readonly Op
            s_add = new("aten::add.Tensor"), s_adds = new("aten::add.Scalar"), s_sub = new("aten::sub.Tensor"),
            s_subs = new("aten::sub.Scalar"), s_rsubs = new("aten::rsub.Scalar"), s_mul = new("aten::mul.Tensor"),
            s_muls = new("aten::mul.Scalar"), s_div = new("aten::div.Tensor"), s_divs = new("aten::div.Scalar"),
            s_neg = new("aten::neg"), s_reciprocal = new("aten::reciprocal"), s_pow = new("aten::pow.Tensor_Scalar"),
            s_powt = new("aten::pow.Tensor_Tensor"), s_exp = new("aten::exp"), s_log = new("aten::log"),
            s_sqrt = new("aten::sqrt"), s_rsqrt = new("aten::rsqrt"), s_sin = new("aten::sin"), s_cos = new("aten::cos"),
            s_tanh = new("aten::tanh"), s_sigmoid = new("aten::sigmoid"), s_abs = new("aten::abs"),
            s_square = new("aten::square"), s_log1p = new("aten::log1p"), s_expm1 = new("aten::expm1"),
            s_floor = new("aten::floor"), s_round = new("aten::round"), s_sign = new("aten::sign"),
            s_clamp = new("aten::clamp"), s_atan2 = new("aten::atan2"), s_maximum = new("aten::maximum"), s_minimum = new("aten::minimum"),
            s_eq = new("aten::eq.Tensor"), s_eqs = new("aten::eq.Scalar"), s_ne = new("aten::ne.Tensor"), s_nes = new("aten::ne.Scalar"),
            s_lt = new("aten::lt.Tensor"), s_lts = new("aten::lt.Scalar"), s_le = new("aten::le.Tensor"), s_les = new("aten::le.Scalar"),
            s_gt = new("aten::gt.Tensor"), s_gts = new("aten::gt.Scalar"), s_ge = new("aten::ge.Tensor"), s_ges = new("aten::ge.Scalar"),
            s_logical_not = new("aten::logical_not"), s_logical_and = new("aten::logical_and"), s_logical_or = new("aten::logical_or"),
            s_isnan = new("aten::isnan"), s_isfinite = new("aten::isfinite"),
            s_sum = new("aten::sum"), s_sumd = new("aten::sum.dim_IntList"), s_mean = new("aten::mean"), s_meand = new("aten::mean.dim"),
            s_var = new("aten::var.dim"), s_std = new("aten::std.dim"), s_min = new("aten::min"), s_mind = new("aten::min.dim"),
            s_max = new("aten::max"), s_maxd = new("aten::max.dim"), s_argmax = new("aten::argmax"), s_argmin = new("aten::argmin"),
            s_norm = new("aten::norm.ScalarOpt_dim"), s_normall = new("aten::norm.Scalar"), s_prod = new("aten::prod"),
            s_cumsum = new("aten::cumsum"), s_logsumexp = new("aten::logsumexp"), s_all = new("aten::all"), s_any = new("aten::any"),
            s_matmul = new("aten::matmul"), s_bmm = new("aten::bmm"), s_mm = new("aten::mm"),
            s_view = new("aten::view"), s_reshape = new("aten::reshape"), s_permute = new("aten::permute"),
            s_transpose = new("aten::transpose.int"), s_unsqueeze = new("aten::unsqueeze"), s_squeeze = new("aten::squeeze"),
            s_squeezed = new("aten::squeeze.dim"), s_flatten = new("aten::flatten.using_ints"), s_expand = new("aten::expand"),
            s_repeat = new("aten::repeat"), s_chunk = new("aten::chunk"), s_split = new("aten::split.Tensor"),
            s_split_sizes = new("aten::split_with_sizes"), s_unbind = new("aten::unbind.int"), s_flip = new("aten::flip"),
            s_index_select = new("aten::index_select"), s_gather = new("aten::gather"), s_scatter_add = new("aten::scatter_add"),
            s_to = new("aten::to.device"), s_to_dtype = new("aten::to.dtype"), s_detach = new("aten::detach"),
            s_clone = new("aten::clone"), s_contiguous = new("aten::contiguous"), s_expand_as = new("aten::expand_as"),
            s_masked_fill = new("aten::masked_fill.Scalar"), s_t = new("aten::t"), s_diff_sort = new("aten::sort"),
            s_topk = new("aten::topk"), s_softmax = new("aten::softmax.int"), s_log_softmax = new("aten::log_softmax.int"),
            s_lerp = new("aten::lerp.Scalar");

        static readonly Op
            s_add_ = new("aten::add_.Tensor"), s_adds_ = new("aten::add_.Scalar"), s_sub_ = new("aten::sub_.Tensor"),
            s_mul_ = new("aten::mul_.Tensor"), s_muls_ = new("aten::mul_.Scalar"), s_div_ = new("aten::div_.Tensor"),
            s_divs_ = new("aten::div_.Scalar"), s_addcmul_ = new("aten::addcmul_"), s_addcdiv_ = new("aten::addcdiv_"),
            s_copy_ = new("aten::copy_"), s_fill_ = new("aten::fill_.Scalar"), s_zero_ = new("aten::zero_"),
            s_clamp_ = new("aten::clamp_"), s_sqrt_ = new("aten::sqrt_"), s_lerp_ = new("aten::lerp_.Scalar"),
            s_normal_ = new("aten::normal_"), s_uniform_ = new("aten::uniform_"), s_exp_ = new("aten::exp_"),
            s_neg_ = new("aten::neg_"), s_pow_ = new("aten::pow_.Scalar");

        // ---- arithmetic (broadcasting) ----
        public Tensor add(Tensor other, double alpha = 1) => s_add.Call(this, other, alpha);
        public Tensor add(double other) => s_adds.Call(this, other, 1.0);
        public Tensor sub(Tensor other, double alpha = 1) => s_sub.Call(this, other, alpha);
        public Tensor sub(double other) => s_subs.Call(this, other, 1.0);
        public Tensor mul(Tensor other) => s_mul.Call(this, other);
        public Tensor mul(double other) => s_muls.Call(this, other);
        public Tensor div(Tensor other) => s_div.Call(this, other);
        public Tensor div(double other) => s_divs.Call(this, other);
        public Tensor neg() => s_neg.Call(this);
        public Tensor reciprocal() => s_reciprocal.Call(this);
        public Tensor pow(double exponent) => s_pow.Call(this, exponent);
        public Tensor pow(Tensor exponent) => s_powt.Call(this, exponent);

        public static Tensor operator +(Tensor a, Tensor b) => a.add(b);
        public static Tensor operator +(Tensor a, double b) => a.add(b);
        public static Tensor operator +(double a, Tensor b) => b.add(a);
        public static Tensor operator -(Tensor a, Tensor b) => a.sub(b);
        public static Tensor operator -(Tensor a, double b) => a.sub(b);
        public static Tensor operator -(double a, Tensor b) => s_rsubs.Call(b, a, 1.0);
        public static Tensor operator *(Tensor a, Tensor b) => a.mul(b);
        public static Tensor operator *(Tensor a, double b) => a.mul(b);
        public static Tensor operator *(double a, Tensor b) => b.mul(a);
        public static Tensor operator /(Tensor a, Tensor b) => a.div(b);
        public static Tensor operator /(Tensor a, double b) => a.div(b);
        public static Tensor operator /(double a, Tensor b)
        {
            using var r = b.reciprocal();
            return r.mul(a);
        }
        public static Tensor operator -(Tensor a) => a.neg();

        // ---- comparisons (bool tensors) ----
        public Tensor eq(Tensor o) => s_eq.Call(this, o);
        public Tensor eq(double o) => s_eqs.Call(this, o);
        public Tensor ne(Tensor o) => s_ne.Call(this, o);
        public Tensor ne(double o) => s_nes.Call(this, o);
        public Tensor lt(Tensor o) => s_lt.Call(this, o);
        public Tensor lt(double o) => s_lts.Call(this, o);
        public Tensor le(Tensor o) => s_le.Call(this, o);
        public Tensor le(double o) => s_les.Call(this, o);
        public Tensor gt(Tensor o) => s_gt.Call(this, o);
        public Tensor gt(double o) => s_gts.Call(this, o);
        public Tensor ge(Tensor o) => s_ge.Call(this, o);
        public Tensor ge(double o) => s_ges.Call(this, o);
        public static Tensor operator <(Tensor a, Tensor b) => a.lt(b);
        public static Tensor operator >(Tensor a, Tensor b) => a.gt(b);
        public static Tensor operator <=(Tensor a, Tensor b) => a.le(b);
        public static Tensor operator >=(Tensor a, Tensor b) => a.ge(b);
        public static Tensor operator <(Tensor a, double b) => a.lt(b);
        public static Tensor operator >(Tensor a, double b) => a.gt(b);
        public static Tensor operator <=(Tensor a, double b) => a.le(b);
        public static Tensor operator >=(Tensor a, double b) => a.ge(b);
        public Tensor logical_not() => s_logical_not.Call(this);
        public Tensor logical_and(Tensor o) => s_logical_and.Call(this, o);
        public Tensor logical_or(Tensor o) => s_logical_or.Call(this, o);
        public Tensor isnan() => s_isnan.Call(this);
        public Tensor isfinite() => s_isfinite.Call(this);
        public Tensor maximum(Tensor o) => s_maximum.Call(this, o);
        public Tensor minimum(Tensor o) => s_minimum.Call(this, o);

        // ---- elementwise functions ----
        public Tensor exp() => s_exp.Call(this);
        public Tensor log() => s_log.Call(this);
        public Tensor sqrt() => s_sqrt.Call(this);
        public Tensor rsqrt() => s_rsqrt.Call(this);
        public Tensor sin() => s_sin.Call(this);
        public Tensor cos() => s_cos.Call(this);
        public Tensor tanh() => s_tanh.Call(this);
        public Tensor sigmoid() => s_sigmoid.Call(this);
        public Tensor abs() => s_abs.Call(this);
        public Tensor square() => s_square.Call(this);
        public Tensor log1p() => s_log1p.Call(this);
        public Tensor expm1() => s_expm1.Call(this);
        public Tensor floor() => s_floor.Call(this);
        public Tensor round() => s_round.Call(this);
        public Tensor sign() => s_sign.Call(this);
        public Tensor atan2(Tensor other) => s_atan2.Call(this, other);
        public Tensor clamp(double? min = null, double? max = null)
        {
            if (min is null && max is null) throw new ArgumentException("clamp needs min, max or both");
            return s_clamp.Call(this, min, max);
        }
        public Tensor clamp_min(double min) => clamp(min, null);
        public Tensor clamp_max(double max) => clamp(null, max);
        public Tensor lerp(Tensor end, double weight) => s_lerp.Call(this, end, weight);
        public Tensor masked_fill(Tensor mask, double value) => s_masked_fill.Call(this, mask, value);
        public Tensor softmax(long dim) => s_softmax.Call(this, dim, null);
        public Tensor log_softmax(long dim) => s_log_softmax.Call(this, dim, null);

        // ---- reductions ----
        // TorchSharp's overloads, pitfall included: x.sum(0) binds to sum(ScalarType? type) (the literal 0
        // converts to an enum), i.e. a whole-tensor sum in Byte; a sum over dimension 0 is x.sum(dim: 0).
        public Tensor sum(ScalarType? type = null) => s_sum.Call(this, type);
        public Tensor sum(long dim, bool keepdim = false, ScalarType? type = null) => s_sumd.Call(this, new[] { dim }, keepdim, type);
        public Tensor sum(long[] dim, bool keepdim = false, ScalarType? type = null) => s_sumd.Call(this, dim, keepdim, type);
        public Tensor mean() => s_mean.Call(this, null);
        // TorchSharp has no mean(long dim): a mean over one dimension is mean(new long[] { d }).
        public Tensor mean(long[] dimensions, bool keepdim = false, ScalarType? type = null) => s_meand.Call(this, dimensions, keepdim, type);
        /// <summary>Variance; unbiased (divides by n - 1) unless told otherwise, as in PyTorch.</summary>
        public Tensor var(bool unbiased = true) => s_var.Call(this, null, unbiased, false);
        public Tensor var(long dim, bool unbiased = true, bool keepdim = false) => s_var.Call(this, new[] { dim }, unbiased, keepdim);
        public Tensor var(long[] dims, bool unbiased = true, bool keepdim = false) => s_var.Call(this, dims, unbiased, keepdim);
        public Tensor std(bool unbiased = true) => s_std.Call(this, null, unbiased, false);
        public Tensor std(long dim, bool unbiased = true, bool keepdim = false) => s_std.Call(this, new[] { dim }, unbiased, keepdim);
        public Tensor std(long[] dims, bool unbiased = true, bool keepdim = false) => s_std.Call(this, dims, unbiased, keepdim);
        public Tensor min() => s_min.Call(this);
        public Tensor max() => s_max.Call(this);
        /// <summary>Minimum along a dimension: (values, indices).</summary>
        public (Tensor values, Tensor indexes) min(long dim, bool keepdim = false) { var r = s_mind.CallMany(this, dim, keepdim); return (r[0], r[1]); }
        public (Tensor values, Tensor indexes) max(long dim, bool keepdim = false) { var r = s_maxd.CallMany(this, dim, keepdim); return (r[0], r[1]); }
        public Tensor argmax() => s_argmax.Call(this, null, false);
        public Tensor argmax(long dim, bool keepdim = false) => s_argmax.Call(this, dim, keepdim);
        public Tensor argmin(long dim, bool keepdim = false) => s_argmin.Call(this, dim, keepdim);
        public Tensor norm(double p = 2) => s_normall.Call(this, p);
        public Tensor norm(long dim, bool keepdim = false, double p = 2) => s_norm.Call(this, p, new[] { dim }, keepdim);
        public Tensor norm(long[] dims, bool keepdim = false, double p = 2) => s_norm.Call(this, p, dims, keepdim);
        public Tensor prod(ScalarType? type = null) => s_prod.Call(this, type);
        public Tensor cumsum(long dim) => s_cumsum.Call(this, dim, null);
        public Tensor logsumexp(long dim, bool keepdim = false) => s_logsumexp.Call(this, new[] { dim }, keepdim);
        public Tensor all() => s_all.Call(this);
        public Tensor any() => s_any.Call(this);
        public (Tensor Values, Tensor Indices) sort(long dim = -1, bool descending = false, bool stable = false) { if (stable) throw new NotSupportedException("sort: Course.Torch has no stable sort (stable: true)"); var r = s_diff_sort.CallMany(this, dim, descending); return (r[0], r[1]); }
        public (Tensor values, Tensor indices) topk(long k, long dim = -1, bool largest = true, bool sorted = true) { var r = s_topk.CallMany(this, k, dim, largest, sorted); return (r[0], r[1]); }

        // ---- linear algebra ----
        public Tensor matmul(Tensor other) => s_matmul.Call(this, other);
        public Tensor mm(Tensor other) => s_mm.Call(this, other);
        public Tensor bmm(Tensor other) => s_bmm.Call(this, other);
        public Tensor t() => s_t.Call(this);

        // ---- shape ----
        public Tensor view(params long[] shape) => s_view.Call(this, shape);
        public Tensor reshape(params long[] shape) => s_reshape.Call(this, shape);
        public Tensor permute(params long[] dims) => s_permute.Call(this, dims);
        public Tensor transpose(long dim0, long dim1) => s_transpose.Call(this, dim0, dim1);
        public Tensor unsqueeze(long dim) => s_unsqueeze.Call(this, dim);
        public Tensor squeeze() => s_squeeze.Call(this);
        public Tensor squeeze(long dim) => s_squeezed.Call(this, dim);
        public Tensor flatten(long start_dim = 0, long end_dim = -1) => s_flatten.Call(this, start_dim, end_dim);
        public Tensor expand(params long[] sizes) => s_expand.Call(this, sizes, false);
        public Tensor expand_as(Tensor other) => s_expand_as.Call(this, other);
        public Tensor repeat(params long[] repeats) => s_repeat.Call(this, repeats);
        public Tensor flip(params long[] dims) => s_flip.Call(this, dims);
        public Tensor[] chunk(long chunks, long dim = 0) => s_chunk.CallMany(this, chunks, dim);
        public Tensor[] split(long size, long dim = 0) => s_split.CallMany(this, size, dim);
        public Tensor[] split(long[] sizes, long dim = 0) => s_split_sizes.CallMany(this, sizes, dim);
        public Tensor[] unbind(long dim = 0) => s_unbind.CallMany(this, dim);
        public Tensor index_select(long dim, Tensor index) => s_index_select.Call(this, dim, index);
        public Tensor gather(long dim, Tensor index) => s_gather.Call(this, dim, index, false);
        public Tensor scatter_add(long dim, Tensor index, Tensor src) => s_scatter_add.Call(this, dim, index, src);

        // ---- conversion ----
        public Tensor to(Device device, bool non_blocking = false, bool copy = false) => s_to.Call(this, device, (int)dtype, non_blocking, copy);
        public Tensor to(string device) => to(new Device(device));
        public Tensor to(ScalarType type, bool non_blocking = false, bool copy = false) => s_to_dtype.Call(this, (int)type, non_blocking, copy);
        public Tensor to(ScalarType type, Device device) => s_to.Call(this, device, (int)type, false, false);
        public Tensor to(Tensor other) => to(other.dtype, other.device);
        public Tensor cpu() => to(CPU);
        public Tensor cuda(int index = 0) => to(new Device(DeviceType.CUDA, index));
        public Tensor @float() => to(ScalarType.Float32);
        public Tensor @double() => to(ScalarType.Float64);
        public Tensor @long() => to(ScalarType.Int64);
        public Tensor @bool() => to(ScalarType.Bool);
        public Tensor detach() => s_detach.Call(this);
        public Tensor clone() => s_clone.Call(this, null);
        public Tensor contiguous() => s_contiguous.Call(this, 0);

        // ---- in place (what optimizers and samplers need) ----
        public Tensor add_(Tensor other, double alpha = 1) => s_add_.CallInPlace(this, this, other, alpha);
        public Tensor add_(double other) => s_adds_.CallInPlace(this, this, other, 1.0);
        public Tensor sub_(Tensor other, double alpha = 1) => s_sub_.CallInPlace(this, this, other, alpha);
        public Tensor mul_(Tensor other) => s_mul_.CallInPlace(this, this, other);
        public Tensor mul_(double other) => s_muls_.CallInPlace(this, this, other);
        public Tensor div_(Tensor other) => s_div_.CallInPlace(this, this, other);
        public Tensor div_(double other) => s_divs_.CallInPlace(this, this, other);
        /// <summary>this += value * t1 * t2</summary>
        public Tensor addcmul_(Tensor t1, Tensor t2, double value = 1) => s_addcmul_.CallInPlace(this, this, t1, t2, value);
        /// <summary>this += value * t1 / t2</summary>
        public Tensor addcdiv_(Tensor t1, Tensor t2, double value = 1) => s_addcdiv_.CallInPlace(this, this, t1, t2, value);
        public Tensor copy_(Tensor src) => s_copy_.CallInPlace(this, this, src, false);
        public Tensor fill_(double value) => s_fill_.CallInPlace(this, this, value);
        public Tensor zero_() => s_zero_.CallInPlace(this, this);
        public Tensor clamp_(double? min = null, double? max = null) => s_clamp_.CallInPlace(this, this, min, max);
        public Tensor sqrt_() => s_sqrt_.CallInPlace(this, this);
        public Tensor exp_() => s_exp_.CallInPlace(this, this);
        public Tensor neg_() => s_neg_.CallInPlace(this, this);
        public Tensor pow_(double exponent) => s_pow_.CallInPlace(this, this, exponent);
        /// <summary>this += weight * (end - this)</summary>
        public Tensor lerp_(Tensor end, double weight) => s_lerp_.CallInPlace(this, this, end, weight);
        public Tensor normal_(double mean = 0, double std = 1, Generator? generator = null) => s_normal_.CallInPlace(this, this, mean, std, generator);
        public Tensor uniform_(double from = 0, double to = 1, Generator? generator = null) => s_uniform_.CallInPlace(this, this, from, to, generator);
    }

    static readonly Op s_cat = new("aten::cat"), s_stack = new("aten::stack"), s_where = new("aten::where.self"),
        s_wheres = new("aten::where.ScalarOther");

    public static Tensor cat(IList<Tensor> tensors, long dim = 0) => s_cat.Call(NonEmpty(tensors, "cat"), dim);
    public static Tensor stack(IList<Tensor> tensors, long dim = 0) => s_stack.Call(NonEmpty(tensors, "stack"), dim);
    public static Tensor where(Tensor condition, Tensor x, Tensor y) => s_where.Call(condition, x, y);
    public static Tensor where(Tensor condition, Tensor x, double y) => s_wheres.Call(condition, x, y);

    static Tensor[] NonEmpty(IList<Tensor> tensors, string what)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0) throw new ArgumentException($"{what} needs at least one tensor");
        return tensors as Tensor[] ?? tensors.ToArray();
    }

    // Function forms, as in PyTorch (torch.exp(x), torch.matmul(a, b), ...).
    public static Tensor exp(Tensor x) => x.exp();
    public static Tensor log(Tensor x) => x.log();
    public static Tensor sqrt(Tensor x) => x.sqrt();
    public static Tensor rsqrt(Tensor x) => x.rsqrt();
    public static Tensor sin(Tensor x) => x.sin();
    public static Tensor cos(Tensor x) => x.cos();
    public static Tensor tanh(Tensor x) => x.tanh();
    public static Tensor sigmoid(Tensor x) => x.sigmoid();
    public static Tensor abs(Tensor x) => x.abs();
    public static Tensor pow(Tensor x, double exponent) => x.pow(exponent);
    public static Tensor clamp(Tensor x, double? min = null, double? max = null) => x.clamp(min, max);
    public static Tensor matmul(Tensor a, Tensor b) => a.matmul(b);
    public static Tensor bmm(Tensor a, Tensor b) => a.bmm(b);
    public static Tensor sum(Tensor x) => x.sum();
    public static Tensor mean(Tensor x) => x.mean();
    public static Tensor maximum(Tensor a, Tensor b) => a.maximum(b);
    public static Tensor minimum(Tensor a, Tensor b) => a.minimum(b);
    public static Tensor atan2(Tensor y, Tensor x) => y.atan2(x);
    public static Tensor lerp(Tensor start, Tensor end, double weight) => start.lerp(end, weight);
}
