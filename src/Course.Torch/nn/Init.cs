namespace TorchSharp;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>
        /// Parameter initialisation, as <c>torch.nn.init</c>: every function fills the tensor in place
        /// (without recording gradients) and returns it. With the same seed the values equal PyTorch's,
        /// because the same random calls run in the same order.
        /// </summary>
        public static class init
        {
            public enum FanInOut { FanIn, FanOut }

            public enum NonlinearityType
            {
                Linear, Conv1D, Conv2D, Conv3D, ConvTranspose1D, ConvTranspose2D, ConvTranspose3D, Sigmoid, Tanh, ReLU, LeakyReLU, SELU,
            }

            /// <summary>The gain PyTorch recommends for a nonlinearity (param: negative slope of leaky ReLU, default 0.01).</summary>
            public static double calculate_gain(NonlinearityType nonlinearity, double? param = null) => nonlinearity switch
            {
                NonlinearityType.Tanh => 5.0 / 3,
                NonlinearityType.ReLU => Math.Sqrt(2.0),
                NonlinearityType.LeakyReLU => Math.Sqrt(2.0 / (1 + Math.Pow(param ?? 0.01, 2))),
                NonlinearityType.SELU => 3.0 / 4,
                _ => 1.0,
            };

            /// <summary>fan_in = size(1)·receptive field, fan_out = size(0)·receptive field, where the receptive
            /// field is the product of the sizes after the first two (weights are [out, in, k...]).</summary>
            public static (long fan_in, long fan_out) calculate_fan_in_and_fan_out(Tensor tensor)
            {
                var s = tensor.shape;
                if (s.Length < 2)
                    throw new ArgumentException($"fan in and fan out need a tensor with at least 2 dimensions, got shape {functional.Shape(s)}", nameof(tensor));
                long receptive = 1;
                for (int i = 2; i < s.Length; i++) receptive *= s[i];
                return (s[1] * receptive, s[0] * receptive);
            }

            public static Tensor zeros_(Tensor tensor) { using (no_grad()) return tensor.zero_(); }
            public static Tensor ones_(Tensor tensor) { using (no_grad()) return tensor.fill_(1); }
            public static Tensor constant_(Tensor tensor, double value) { using (no_grad()) return tensor.fill_(value); }

            public static Tensor normal_(Tensor tensor, double mean = 0, double std = 1, Generator? generator = null)
            {
                if (std < 0) throw new ArgumentOutOfRangeException(nameof(std), std, "normal_: std must be non-negative");
                using (no_grad()) return tensor.normal_(mean, std, generator);
            }

            public static Tensor uniform_(Tensor tensor, double a = 0, double b = 1, Generator? generator = null)
            {
                if (a > b) throw new ArgumentException($"uniform_: the lower bound {a} exceeds the upper bound {b}");
                using (no_grad()) return tensor.uniform_(a, b, generator);
            }

            /// <summary>
            /// He initialisation (He et al. 2015, eq. 10 keeps the forward variance: ½·n·Var[w] = 1 for ReLU), as a
            /// uniform distribution: U(−bound, bound) with bound = gain·√(3/fan). With a = √5 this is PyTorch's
            /// default for Linear and Conv weights, bound = 1/√fan_in.
            /// </summary>
            public static Tensor kaiming_uniform_(Tensor tensor, double a = 0, FanInOut mode = FanInOut.FanIn,
                NonlinearityType nonlinearity = NonlinearityType.LeakyReLU, Generator? generator = null)
            {
                var fan = Fan(tensor, mode);
                var gain = calculate_gain(nonlinearity, a);
                var std = gain / Math.Sqrt(fan);
                var bound = Math.Sqrt(3.0) * std;
                using (no_grad()) return tensor.uniform_(-bound, bound, generator);
            }

            /// <summary>He initialisation (He et al. 2015, eq. 10) as N(0, (gain/√fan)²).</summary>
            public static Tensor kaiming_normal_(Tensor tensor, double a = 0, FanInOut mode = FanInOut.FanIn,
                NonlinearityType nonlinearity = NonlinearityType.LeakyReLU, Generator? generator = null)
            {
                var fan = Fan(tensor, mode);
                var std = calculate_gain(nonlinearity, a) / Math.Sqrt(fan);
                using (no_grad()) return tensor.normal_(0, std, generator);
            }

            /// <summary>Glorot's normalized initialisation (Glorot &amp; Bengio 2010, eq. 16):
            /// U(−a, a) with a = gain·√(6/(fan_in + fan_out)).</summary>
            public static Tensor xavier_uniform_(Tensor tensor, double gain = 1.0, Generator? generator = null)
            {
                var (fanIn, fanOut) = calculate_fan_in_and_fan_out(tensor);
                var std = gain * Math.Sqrt(2.0 / (fanIn + fanOut));
                var a = Math.Sqrt(3.0) * std;
                using (no_grad()) return tensor.uniform_(-a, a, generator);
            }

            /// <summary>Glorot initialisation as N(0, gain²·2/(fan_in + fan_out)).</summary>
            public static Tensor xavier_normal_(Tensor tensor, double gain = 1.0, Generator? generator = null)
            {
                var (fanIn, fanOut) = calculate_fan_in_and_fan_out(tensor);
                var std = gain * Math.Sqrt(2.0 / (fanIn + fanOut));
                using (no_grad()) return tensor.normal_(0, std, generator);
            }

            static long Fan(Tensor tensor, FanInOut mode)
            {
                var (fanIn, fanOut) = calculate_fan_in_and_fan_out(tensor);
                var fan = mode == FanInOut.FanIn ? fanIn : fanOut;
                if (fan <= 0)
                    throw new ArgumentException($"kaiming initialisation needs a non-empty tensor, got shape {functional.Shape(tensor.shape)}", nameof(tensor));
                return fan;
            }
        }
    }
}
