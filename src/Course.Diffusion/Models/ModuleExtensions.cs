using Course.Diffusion.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Models;

/// <summary>What the course asks of any module beyond TorchSharp's API: its size and its weights as
/// a safetensors file (which PyTorch loads), with metadata.</summary>
public static class ModuleExtensions
{
    /// <summary>The number of trainable values (elements of all parameters).</summary>
    public static long parameter_count(this nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        return module.parameters().Sum(p => p.numel());
    }

    /// <summary>Saves every parameter and buffer (by state-dict name) to a safetensors file, atomically.</summary>
    public static nn.Module save_safetensors(this nn.Module module, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        var state = module.state_dict();
        Safetensors.Save(state, path, metadata);
        return module;
    }

    /// <summary>Loads parameters and buffers from a safetensors file into the module (in place, keeping
    /// each parameter's device); with <paramref name="strict"/>, names and shapes must match exactly.</summary>
    public static nn.Module load_safetensors(this nn.Module module, string path, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var scope = NewDisposeScope();
        var loaded = Safetensors.Load(path);
        LoadStateDictChecked(module, loaded, strict);
        return module;
    }

    /// <summary>load_state_dict with the course's messages: a missing, unexpected or misshapen entry is
    /// named (both engines then copy the values in place).</summary>
    public static void LoadStateDictChecked(this nn.Module module, Dictionary<string, Tensor> source, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(source);
        var targets = module.state_dict();
        var missing = targets.Keys.Where(k => !source.ContainsKey(k)).ToList();
        var unexpected = source.Keys.Where(k => !targets.ContainsKey(k)).ToList();
        if (strict && (missing.Count > 0 || unexpected.Count > 0))
            throw new ArgumentException($"state dict does not match {module.GetType().Name}: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}]");
        foreach (var (name, target) in targets)
            if (source.TryGetValue(name, out var value) && !target.shape.SequenceEqual(value.shape))
                throw new ArgumentException($"'{name}': the model has shape [{string.Join(", ", target.shape)}] but the state dict has [{string.Join(", ", value.shape)}]");
        module.load_state_dict(source.Where(kv => targets.ContainsKey(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value), strict: strict);
    }
}
