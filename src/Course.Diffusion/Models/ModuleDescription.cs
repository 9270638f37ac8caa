using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Models;

/// <summary>A module that says more about itself than its type name, as PyTorch's extra_repr.</summary>
public interface IDescribedModule
{
    /// <summary>Text after the type name, e.g. "(in=2, out=128)".</summary>
    string ExtraRepr();
}

/// <summary>PyTorch's module repr: the type name (and <see cref="IDescribedModule.ExtraRepr"/>), then
/// each child indented on its own line. The course's models return this from ToString.</summary>
public static class ModuleDescription
{
    public static string Describe(nn.Module module) => Describe(module, 0);

    static string Describe(nn.Module module, int indent)
    {
        var head = module.GetType().Name + (module is IDescribedModule d ? d.ExtraRepr() : "");
        var children = module.named_children().ToList();
        if (children.Count == 0) return head;
        var pad = new string(' ', indent + 2);
        return head + "(\n" + string.Join("\n", children.Select(c => $"{pad}({c.name}): {Describe(c.module, indent + 2)}")) + "\n" + new string(' ', indent) + ")";
    }
}
