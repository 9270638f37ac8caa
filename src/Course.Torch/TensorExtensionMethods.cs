using static TorchSharp.torch;

namespace TorchSharp;

/// <summary>TorchSharp's scalar conversions: the value of a one-element tensor of any dtype, converted
/// (unlike <see cref="Tensor.item{T}"/>, which needs the exact dtype).</summary>
public static class TensorExtensionMethods
{
    public static double ToDouble(this Tensor value) => value.ConvertedItem<double>();

    public static float ToSingle(this Tensor value) => value.ConvertedItem<float>();

    public static long ToInt64(this Tensor value) => value.ConvertedItem<long>();

    public static int ToInt32(this Tensor value) => value.ConvertedItem<int>();

    public static bool ToBoolean(this Tensor value) => value.ConvertedItem<bool>();
}
