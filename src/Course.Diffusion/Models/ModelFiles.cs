using System.Text.Json;
using Course.Diffusion.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Models;

/// <summary>
/// Saving and loading a <see cref="DenoisingModel"/> with what is needed to rebuild it: the weights
/// in a safetensors file whose metadata names the model type and its configuration. Loading also
/// accepts a training checkpoint (taking its EMA or raw weights), so a lesson can skip training:
/// <code>
/// using (trainer.Ema.Swap()) model.SaveWeights("fashion-unet.safetensors");
/// using var pretrained = ModelFiles.Load("fashion-unet.safetensors");
/// </code>
/// </summary>
public static class ModelFiles
{
    public const string TypeKey = "model_type", ConfigKey = "model_config";

    /// <summary>Writes the model's parameters and buffers with its type and config as metadata (atomically).</summary>
    public static void SaveWeights(this DenoisingModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.save_safetensors(path, new Dictionary<string, string> { [TypeKey] = model.GetType().Name, [ConfigKey] = model.ConfigJson });
    }

    /// <summary>The metadata strings of a model file or checkpoint (empty when it has none).</summary>
    public static Dictionary<string, string> ReadMetadata(string path) => Safetensors.ReadMetadata(path);

    /// <summary>Builds the model a file describes and loads its weights. For a training checkpoint,
    /// <paramref name="useEma"/> picks the moving average (the default, better for sampling) or the raw weights.</summary>
    public static DenoisingModel Load(string path, bool useEma = true, Device? device = null)
    {
        var metadata = ReadMetadata(path);
        if (!metadata.TryGetValue(TypeKey, out var type) || !metadata.TryGetValue(ConfigKey, out var config))
            throw new InvalidDataException($"{path} does not say which model it holds (no '{TypeKey}' / '{ConfigKey}' metadata); load it into a model you construct with module.load_safetensors(path)");
        var model = Create(type, config);
        try
        {
            using var scope = NewDisposeScope();
            var tensors = Safetensors.Load(path);
            string prefix = tensors.Keys.Any(k => k.StartsWith("model.", StringComparison.Ordinal)) ? (useEma ? "ema." : "model.") : "";
            var weights = Safetensors.Part(tensors, prefix);
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

    /// <summary>A fresh (untrained) model from a type name and its <see cref="DenoisingModel.ConfigJson"/>.</summary>
    public static DenoisingModel Create(string type, string configJson)
    {
        switch (type)
        {
            case nameof(UNet):
                return new UNet(UNetConfig.FromJson(configJson));
            case nameof(CompactUNet):
                return new CompactUNet(CompactUNetConfig.FromJson(configJson));
            case nameof(TimeConditionedMlp):
                {
                    using var doc = JsonDocument.Parse(configJson);
                    var c = doc.RootElement;
                    return new TimeConditionedMlp(c.GetProperty("dataDimension").GetInt32(), c.GetProperty("hiddenWidth").GetInt32(),
                        c.GetProperty("hiddenLayers").GetInt32(), c.GetProperty("timeEmbeddingDimension").GetInt32(), c.GetProperty("numClasses").GetInt32());
                }
            default:
                throw new NotSupportedException($"unknown model type '{type}' (known: {nameof(UNet)}, {nameof(CompactUNet)}, {nameof(TimeConditionedMlp)})");
        }
    }
}
