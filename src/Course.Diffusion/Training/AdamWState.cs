using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Course.Diffusion.Training;

/// <summary>
/// An AdamW optimizer's state as named tensors, for a safetensors checkpoint: per parameter i (in the
/// optimizer's order) state.i.step, state.i.exp_avg and state.i.exp_avg_sq, PyTorch's names. Read and written through
/// TorchSharp's own state objects (<c>state_dict().State</c>, live views of the optimizer), so a
/// resumed run continues bit for bit.
/// </summary>
internal static class AdamWState
{
    public static Dictionary<string, Tensor> ToTensors(AdamW optimizer)
    {
        var tensors = new Dictionary<string, Tensor>();
        var states = optimizer.state_dict().State;
        for (int i = 0; i < states.Count; i++)
        {
            var s = (AdamW.State)states[i];
            var key = "state." + i.ToString(CultureInfo.InvariantCulture);
            tensors[$"{key}.step"] = tensor(s.step);
            tensors[$"{key}.exp_avg"] = s.exp_avg.detach();
            tensors[$"{key}.exp_avg_sq"] = s.exp_avg_sq.detach();
        }
        return tensors;
    }

    public static void Load(AdamW optimizer, IReadOnlyDictionary<string, Tensor> tensors, string path)
    {
        var states = optimizer.state_dict().State;
        var expected = states.Count * 3;
        if (tensors.Count != expected)
            throw new InvalidDataException($"{path}: the optimizer state has {tensors.Count} tensors, but this optimizer's {states.Count} parameters need {expected}");
        Tensor Part(string name) => tensors.TryGetValue(name, out var t) ? t : throw new InvalidDataException($"{path}: the optimizer state lacks '{name}'");
        using (no_grad())
            for (int i = 0; i < states.Count; i++)
            {
                var s = (AdamW.State)states[i];
                var key = "state." + i.ToString(CultureInfo.InvariantCulture);
                var expAvg = Part($"{key}.exp_avg");
                var expAvgSq = Part($"{key}.exp_avg_sq");
                if (!expAvg.shape.SequenceEqual(s.exp_avg.shape) || !expAvgSq.shape.SequenceEqual(s.exp_avg_sq.shape))
                    throw new InvalidDataException($"{path}: the optimizer state of parameter {i} has shape [{string.Join(", ", expAvg.shape)}], the parameter [{string.Join(", ", s.exp_avg.shape)}]");
                s.exp_avg.copy_(expAvg);
                s.exp_avg_sq.copy_(expAvgSq);
                s.step = Part($"{key}.step").item<long>();
            }
    }
}
