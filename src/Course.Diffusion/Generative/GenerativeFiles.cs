using Course.Diffusion.Models;
using Course.Diffusion.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Generative;

/// <summary>
/// Saving and loading a VAE or a GAN with what is needed to rebuild it: the weights in a safetensors file whose
/// metadata names the type and its <see cref="GenerativeConfig"/>. Loading also accepts a training checkpoint
/// of <see cref="VaeTrainer"/> or <see cref="GanTrainer"/> (for a GAN, the generator's moving average by default).
/// <code>
/// using (trainer.Ema.Swap()) gan.SaveWeights("fashion-gan.safetensors", extra);
/// using var gan = GenerativeFiles.LoadGan("fashion-gan.safetensors");
/// </code>
/// </summary>
public static class GenerativeFiles
{
    /// <summary>Writes the model's parameters and buffers, with its type, its config and <paramref name="extra"/> as metadata (atomically).</summary>
    public static void SaveWeights(this nn.Module model, string path, IReadOnlyDictionary<string, string>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var config = model switch
        {
            VariationalAutoencoder vae => vae.Config,
            GenerativeAdversarialNetwork gan => gan.Config,
            _ => throw new ArgumentException($"{model.GetType().Name} is neither a {nameof(VariationalAutoencoder)} nor a {nameof(GenerativeAdversarialNetwork)}", nameof(model)),
        };
        if (GenerativeCheckpoints.FirstNonFinite(model) is { } broken)
            throw new InvalidOperationException($"parameter '{broken}' is not finite; refusing to write {path}");
        var metadata = new Dictionary<string, string>();
        if (extra is not null) foreach (var (key, value) in extra) metadata[key] = value;
        metadata[GenerativeCheckpoints.TypeKey] = model.GetType().Name;
        metadata[GenerativeCheckpoints.ConfigKey] = config.ToJson();
        model.save_safetensors(path, metadata);
    }

    /// <summary>A VAE from a weights file or a <see cref="VaeTrainer"/> checkpoint, in eval mode.</summary>
    public static VariationalAutoencoder LoadVae(string path, Device? device = null) =>
        Load(path, nameof(VariationalAutoencoder), c => new VariationalAutoencoder(c), useEma: false, device);

    /// <summary>A GAN from a weights file or a <see cref="GanTrainer"/> checkpoint (whose generator is the moving average unless <paramref name="useEma"/> is false), in eval mode.</summary>
    public static GenerativeAdversarialNetwork LoadGan(string path, bool useEma = true, Device? device = null) =>
        Load(path, nameof(GenerativeAdversarialNetwork), c => new GenerativeAdversarialNetwork(c), useEma, device);

    static T Load<T>(string path, string type, Func<GenerativeConfig, T> create, bool useEma, Device? device) where T : nn.Module
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var metadata = Safetensors.ReadMetadata(path);
        if (!metadata.TryGetValue(GenerativeCheckpoints.TypeKey, out var found) || !metadata.TryGetValue(GenerativeCheckpoints.ConfigKey, out var json))
            throw new InvalidDataException($"{path} does not say which model it holds (no '{GenerativeCheckpoints.TypeKey}' / '{GenerativeCheckpoints.ConfigKey}' metadata)");
        if (found != type) throw new InvalidDataException($"{path} holds a {found}, not a {type}");
        var model = create(GenerativeConfig.FromJson(json));
        try
        {
            using var scope = NewDisposeScope();
            var tensors = Safetensors.Load(path);
            bool checkpoint = tensors.Keys.Any(k => k.StartsWith("model.", StringComparison.Ordinal));
            var weights = checkpoint ? Safetensors.Part(tensors, "model.") : tensors.ToDictionary(kv => kv.Key, kv => kv.Value);
            if (checkpoint && useEma)
                foreach (var (name, shadow) in Safetensors.Part(tensors, "ema.")) weights["generator." + name] = shadow;
            model.LoadStateDictChecked(weights, strict: true);
            if (device is not null) model.to(device);
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
