namespace TorchSharp.Modules;

/// <summary>
/// A trainable tensor owned by a module: it requires grad and lives outside every dispose scope.
/// Moving a module to another device keeps each Parameter object and changes what it points to.
/// </summary>
public sealed class Parameter : torch.Tensor
{
    public Parameter(torch.Tensor data, bool requires_grad = true) : base(DetachedHandle(data), joinDisposeScope: false)
    {
        this.requires_grad = requires_grad;
    }

    static IntPtr DetachedHandle(torch.Tensor data)
    {
        ArgumentNullException.ThrowIfNull(data);
        using (torch.no_grad())
        using (var detached = data.detach())
        {
            Native.Check(Native.ct_tensor_alias(detached.Handle, out var h));
            return h;
        }
    }

    internal void Replace(Func<torch.Tensor, torch.Tensor> convert)
    {
        var requires = requires_grad;
        torch.Tensor next;
        using (torch.no_grad())
        using (var converted = convert(this))
            next = converted.detach();
        ReplaceHandle(next);
        requires_grad = requires;
    }
}
