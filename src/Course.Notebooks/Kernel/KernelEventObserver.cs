using Microsoft.DotNet.Interactive.Events;

namespace Course.Notebooks.Kernel;

/// <summary>Subscribes a callback to a kernel's event stream (IObservable without System.Reactive's helpers).</summary>
internal sealed class KernelEventObserver(Action<KernelEvent> onNext) : IObserver<KernelEvent>
{
    public void OnNext(KernelEvent value) => onNext(value);
    public void OnError(Exception error) { }
    public void OnCompleted() { }
}
