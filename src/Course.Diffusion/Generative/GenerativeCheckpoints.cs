using Course.Diffusion.Checkpoints;
using System.Globalization;
using Course.Diffusion.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Generative;

/// <summary>What the VAE and GAN trainers' checkpoints share: the weights must be finite, the files are written atomically.</summary>
internal static class GenerativeCheckpoints
{
    public const string ConfigKey = "model_config", TypeKey = "model_type", StepKey = "step";

    /// <summary>Throws <see cref="TrainingDivergedException"/> naming the first weight that is not finite, so a broken model never replaces a good file.</summary>
    public static void RequireFinite(nn.Module module, long step)
    {
        if (FirstNonFinite(module) is { } name) throw new TrainingDivergedException(step, $"parameter '{name}'", double.NaN);
    }

    /// <summary>The name of the first parameter with a NaN or infinite entry, or null.</summary>
    public static string? FirstNonFinite(nn.Module module)
    {
        using (no_grad())
            foreach (var (name, p) in module.named_parameters())
            {
                using var finite = p.isfinite().all();
                if (!finite.item<bool>()) return name;
            }
        return null;
    }

    public static Dictionary<string, string> Metadata(string format, long step, nn.Module module, GenerativeConfig config, GenerativeTrainingOptions options) => new()
    {
        ["format"] = format,
        [StepKey] = step.ToString(CultureInfo.InvariantCulture),
        [TypeKey] = module.GetType().Name,
        [ConfigKey] = config.ToJson(),
        ["training_options"] = options.ToJson(),
    };

    /// <summary>Reads a checkpoint's metadata and checks that it is one of <paramref name="format"/> for a model of this type and shape.</summary>
    public static long CheckHeader(string path, string format, nn.Module module, GenerativeConfig config)
    {
        var metadata = Safetensors.ReadMetadata(path);
        if (!metadata.TryGetValue("format", out var found) || found != format)
            throw new InvalidDataException($"{path} is not a {format} checkpoint (its 'format' metadata is {(found is null ? "missing" : $"'{found}'")})");
        if (metadata.GetValueOrDefault(TypeKey) != module.GetType().Name)
            throw new InvalidDataException($"{path} holds a {metadata.GetValueOrDefault(TypeKey) ?? "model of unknown type"}, but this trainer trains a {module.GetType().Name}");
        if (metadata.TryGetValue(ConfigKey, out var json) && GenerativeConfig.FromJson(json).ToJson() != config.ToJson())
            throw new InvalidDataException($"{path} holds a model configured as {json}, but this trainer's is {config.ToJson()}");
        if (!metadata.TryGetValue(StepKey, out var stepText) || !long.TryParse(stepText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var step))
            throw new InvalidDataException($"{path} has no valid 'step' metadata");
        return step;
    }


    public static (Tensor trainer, Tensor defaultCpu) Generators(IReadOnlyDictionary<string, Tensor> all, string path) =>
        all.TryGetValue("rng.trainer", out var trainer) && all.TryGetValue("rng.default_cpu", out var cpu)
            ? (trainer, cpu)
            : throw new InvalidDataException($"{path} lacks the generator states (rng.trainer, rng.default_cpu)");
}
