namespace TorchSharp;

/// <summary>Element types, numbered as in c10::ScalarType.</summary>
public enum ScalarType : sbyte
{
    Byte = 0, Int8 = 1, Int16 = 2, Int32 = 3, Int64 = 4, Float16 = 5, Float32 = 6, Float64 = 7,
    ComplexFloat32 = 9, ComplexFloat64 = 10, Bool = 11, BFloat16 = 15,
}

/// <summary>Device kinds, numbered as in c10::DeviceType.</summary>
public enum DeviceType : sbyte { CPU = 0, CUDA = 1 }

public static partial class torch
{
    public static readonly ScalarType uint8 = ScalarType.Byte, int8 = ScalarType.Int8, int16 = ScalarType.Int16,
        int32 = ScalarType.Int32, int64 = ScalarType.Int64, @long = ScalarType.Int64, float16 = ScalarType.Float16,
        float32 = ScalarType.Float32, @float = ScalarType.Float32, float64 = ScalarType.Float64,
        @double = ScalarType.Float64, @bool = ScalarType.Bool, bfloat16 = ScalarType.BFloat16;

    /// <summary>A device: <c>cpu</c> or <c>cuda:N</c>.</summary>
    public sealed class Device : IEquatable<Device>
    {
        public DeviceType type { get; }
        /// <summary>-1 means the current device of that type.</summary>
        public int index { get; }

        public Device(DeviceType type, int index = -1)
        {
            this.type = type;
            this.index = type == DeviceType.CPU ? -1 : index;
        }

        /// <summary>Parses "cpu", "cuda" or "cuda:N".</summary>
        public Device(string description)
        {
            var text = description.Trim().ToLowerInvariant();
            var parts = text.Split(':');
            type = parts[0] switch
            {
                "cpu" => DeviceType.CPU,
                "cuda" => DeviceType.CUDA,
                _ => throw new ArgumentException($"unknown device '{description}': use \"cpu\", \"cuda\" or \"cuda:N\"", nameof(description)),
            };
            index = -1;
            if (parts.Length == 2)
            {
                if (!int.TryParse(parts[1], out var i) || i < 0 || type == DeviceType.CPU)
                    throw new ArgumentException($"bad device index in '{description}'", nameof(description));
                index = i;
            }
            else if (parts.Length > 2)
                throw new ArgumentException($"unknown device '{description}'", nameof(description));
        }

        public bool Equals(Device? other) => other is not null && other.type == type && other.index == index;
        public override bool Equals(object? obj) => Equals(obj as Device);
        public override int GetHashCode() => HashCode.Combine(type, index);
        public override string ToString() => type == DeviceType.CPU ? "cpu" : index < 0 ? "cuda" : $"cuda:{index}";
        public static implicit operator Device(string description) => new(description);
    }

    public static readonly Device CPU = new(DeviceType.CPU);
    public static Device CUDA => new(DeviceType.CUDA, 0);
    public static Device device(string description) => new(description);
    public static Device device(DeviceType type, int index = -1) => new(type, index);

    internal static string Name(this ScalarType t) => t switch
    {
        ScalarType.Float32 => "float32", ScalarType.Float64 => "float64", ScalarType.Int64 => "int64",
        ScalarType.Int32 => "int32", ScalarType.Bool => "bool", ScalarType.Byte => "uint8",
        ScalarType.Float16 => "float16", ScalarType.BFloat16 => "bfloat16", ScalarType.Int8 => "int8",
        ScalarType.Int16 => "int16", _ => t.ToString().ToLowerInvariant(),
    };

    internal static int ElementSize(this ScalarType t) => t switch
    {
        ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool => 1,
        ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        ScalarType.Int64 or ScalarType.Float64 or ScalarType.ComplexFloat32 => 8,
        ScalarType.ComplexFloat64 => 16,
        _ => throw new ArgumentException($"unknown dtype {t}"),
    };

    internal static bool IsFloatingPoint(this ScalarType t) =>
        t is ScalarType.Float16 or ScalarType.Float32 or ScalarType.Float64 or ScalarType.BFloat16;

    internal static ScalarType ScalarTypeOf<T>() => Type.GetTypeCode(typeof(T)) switch
    {
        TypeCode.Single => ScalarType.Float32,
        TypeCode.Double => ScalarType.Float64,
        TypeCode.Int64 => ScalarType.Int64,
        TypeCode.Int32 => ScalarType.Int32,
        TypeCode.Int16 => ScalarType.Int16,
        TypeCode.Byte => ScalarType.Byte,
        TypeCode.SByte => ScalarType.Int8,
        TypeCode.Boolean => ScalarType.Bool,
        _ => throw new ArgumentException($"no tensor dtype for .NET type {typeof(T).Name}"),
    };
}
