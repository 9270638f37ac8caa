using System.Runtime.InteropServices;

namespace Course.Diffusion;

/// <summary>
/// Configurations of libtorch that <see cref="EngineNumericsCheck"/> can switch to at run time when a
/// result is wrong. libtorch's CPU convolutions run on oneDNN (MKL-DNN) where it applies, and
/// oneDNN picks its kernels from the CPU's instruction sets; the bug this exists for (TorchSharp's
/// libtorch 2.10 on AMD Zen 5) lives there. Turning oneDNN off sends convolutions to libtorch's own
/// kernels (im2col and a matrix product). PyTorch's switch for it is
/// <c>torch.backends.mkldnn.enabled = False</c>, i.e. <c>at::globalContext().setUserEnabledMkldnn(false)</c>;
/// neither TorchSharp nor Course.Torch has it in C#, so it is called in libtorch_cpu by its exported
/// C++ name. Both are in libtorch 1.13 to 2.10. (oneDNN's own cap on instruction sets,
/// DNNL_MAX_CPU_ISA, is read once, before the first convolution, so it cannot be changed here.)
/// </summary>
public static class NumericsRemedies
{
    public const string TurnOffOneDnn = "turned oneDNN off for this process (libtorch's own convolution kernels "
        + "instead, as torch.backends.mkldnn.enabled = False)";

    /// <summary>The remedies this process can try, in order.</summary>
    public static IReadOnlyList<NumericsRemedy> Available() =>
        new[] { new NumericsRemedy(TurnOffOneDnn, () => SetOneDnnEnabled(false)) };

    /// <summary>Sets libtorch's oneDNN switch; false where libtorch_cpu or the switch cannot be found.</summary>
    public static bool SetOneDnnEnabled(bool enabled)
    {
        if (!TryFindContextMember("?setUserEnabledMkldnn@Context@at@@QEAAX_N@Z", "_ZN2at7Context20setUserEnabledMkldnnEb",
                out var context, out var setUserEnabledMkldnn)) return false;
        unsafe { ((delegate* unmanaged<IntPtr, byte, void>)setUserEnabledMkldnn)(context, enabled ? (byte)1 : (byte)0); }
        return true;
    }

    /// <summary>libtorch's oneDNN switch as it stands (true: on); null where libtorch_cpu or the switch
    /// cannot be found.</summary>
    public static bool? OneDnnEnabled()
    {
        if (!TryFindContextMember("?userEnabledMkldnn@Context@at@@QEBA_NXZ", "_ZNK2at7Context17userEnabledMkldnnEv",
                out var context, out var userEnabledMkldnn)) return null;
        unsafe { return ((delegate* unmanaged<IntPtr, byte>)userEnabledMkldnn)(context) != 0; }
    }

    /// <summary>libtorch's <c>at::globalContext()</c> and the export of one of its member functions, named as
    /// MSVC (Windows) or the Itanium ABI (Linux, macOS) mangles it; false where either cannot be found.</summary>
    static bool TryFindContextMember(string windowsName, string itaniumName, out IntPtr context, out IntPtr member)
    {
        context = member = IntPtr.Zero;
        if (!TryFindLibTorchCpu(out var library)) return false;
        var globalContextName = OperatingSystem.IsWindows() ? "?globalContext@at@@YAAEAVContext@1@XZ" : "_ZN2at13globalContextEv";
        if (!NativeLibrary.TryGetExport(library, globalContextName, out var globalContext)
            || !NativeLibrary.TryGetExport(library, OperatingSystem.IsWindows() ? windowsName : itaniumName, out member)) return false;
        unsafe { context = ((delegate* unmanaged<IntPtr>)globalContext)(); }
        return true;
    }

    /// <summary>libtorch's CPU library as already loaded by the engine (never a second copy).</summary>
    static bool TryFindLibTorchCpu(out IntPtr handle)
    {
        handle = IntPtr.Zero;
        _ = TorchSharp.torch.get_num_threads();   // the engine (and with it libtorch) is loaded
        if (OperatingSystem.IsWindows()) return NativeLibrary.TryLoad("torch_cpu.dll", out handle);
        if (OperatingSystem.IsMacOS()) return NativeLibrary.TryLoad("libtorch_cpu.dylib", out handle);
        try
        {
            var path = File.ReadLines("/proc/self/maps")
                .Select(line => line.IndexOf('/') is var at and >= 0 ? line[at..].Trim() : "")
                .FirstOrDefault(p => Path.GetFileName(p).StartsWith("libtorch_cpu.so", StringComparison.Ordinal));
            return path is not null && NativeLibrary.TryLoad(path, out handle);
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }
}
