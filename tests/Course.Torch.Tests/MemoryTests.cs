using System.Runtime.InteropServices;
using System.Runtime;
using System.Diagnostics;
using Xunit.Abstractions;

namespace Course.Torch.Tests;

/// <summary>Tests that count live tensor handles process-wide run alone, after the parallel tests,
/// so that no other test creates or frees tensors while they measure.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeMemoryCollection
{
    public const string Name = "native memory (runs alone)";
}

[Collection(NativeMemoryCollection.Name)]
public class MemoryTests
{
    readonly ITestOutputHelper _output;
    public MemoryTests(ITestOutputHelper output) => _output = output;

    /// <summary>A small MLP regression (2 -> 64 -> 64 -> 2, tanh), trained with AdamW and gradient
    /// clipping on fresh random batches: the tensors a real training step makes and frees.</summary>
    sealed class Trainer : IDisposable
    {
        public readonly Parameter[] Parameters;
        public readonly optim.Optimizer Optimizer;

        public Trainer()
        {
            manual_seed(0);
            long[][] shapes = { new long[] { 2, 64 }, new long[] { 64 }, new long[] { 64, 64 }, new long[] { 64 }, new long[] { 64, 2 }, new long[] { 2 } };
            Parameters = shapes.Select(s => { using var init = randn(s); using var scaled = init * 0.3; return new Parameter(scaled); }).ToArray();
            Optimizer = optim.AdamW(Parameters, lr: 1e-3);
        }

        /// <summary>One step, leaving every intermediate to the caller's dispose scope (or to leak without one).</summary>
        public void Step()
        {
            var p = Parameters;
            var x = randn(128, 2);
            var target = x.sin();
            var h1 = (x.matmul(p[0]) + p[1]).tanh();
            var h2 = (h1.matmul(p[2]) + p[3]).tanh();
            var y = h2.matmul(p[4]) + p[5];
            var loss = (y - target).pow(2).mean();
            Optimizer.zero_grad();
            loss.backward();
            nn.utils.clip_grad_norm_(p, 1.0);
            Optimizer.step();
        }

        public void Dispose()
        {
            Optimizer.Dispose();
            foreach (var q in Parameters) q.Dispose();
        }
    }

    /// <summary>Bytes the native heap has handed out: glibc's mallinfo2 where there is one (Linux),
    /// else the resident set less the managed heap the garbage collector has committed.</summary>
    static class NativeMemory
    {
        [StructLayout(LayoutKind.Sequential)]
        struct MallInfo2
        {
            public nuint Arena, OrdBlks, SmBlks, HBlks, HBlkHd, UsmBlks, FsmBlks, UordBlks, FordBlks, KeepCost;
        }

        [DllImport("libc", EntryPoint = "mallinfo2")]
        static extern MallInfo2 mallinfo2();

        static readonly bool HasMallinfo2 = Probe();

        static bool Probe()
        {
            if (!OperatingSystem.IsLinux()) return false;
            try { mallinfo2(); return true; }
            catch (EntryPointNotFoundException) { return false; }
            catch (DllNotFoundException) { return false; }
        }

        public static string Source => HasMallinfo2 ? "glibc mallinfo2" : "resident set less the managed heap";

        public static long InUseBytes()
        {
            if (HasMallinfo2)
            {
                var info = mallinfo2();
                return (long)(info.UordBlks + info.HBlkHd);     // small blocks in use + mmap-ed large blocks
            }
            return Environment.WorkingSet - GC.GetGCMemoryInfo().TotalCommittedBytes;
        }
    }

    static void CollectGarbage()
    {
        for (int k = 0; k < 3; k++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    [Fact]
    public void TenThousandScopedTrainingStepsHoldNativeMemoryFlat()
    {
        // Tolerance for native memory: 8 MB between the mean over steps 2000-3000 and over steps
        // 9000-10000. "Native memory" is what malloc has handed out and not got back (glibc's
        // mallinfo2; libtorch's CPU allocator allocates through it), not the resident set: the
        // resident set also holds the garbage collector's young generation, which on a machine with
        // a large cache first fills up after several thousand steps (measured on a fresh machine:
        // resident memory rose 28 MB between the windows, then stayed flat for 40,000 steps, all of
        // it the first gen-0 collection committing 54 MB of managed heap; no tensor leaked).
        // A leak of the batch tensors (128 x 64 float32 = 32 KB each, several per step) would add
        // hundreds of MB over the 7000 steps between the windows, and a leak of even 2 KB per step
        // would add 14 MB. Handle leaks of any size are caught exactly by the live-tensor count.
        const int Steps = 10_000;
        const long ToleranceBytes = 8L << 20;
        // One libtorch thread: this test is about memory, and a step of this small model is several
        // times faster without OpenMP hand-offs (which also makes the runtime stable on a busy machine).
        var threads = get_num_threads();
        set_num_threads(1);
        try { RunScopedTraining(Steps, ToleranceBytes); }
        finally { set_num_threads(threads); }
    }

    void RunScopedTraining(int Steps, long ToleranceBytes)
    {
        using var trainer = new Trainer();
        using (NewDisposeScope()) trainer.Step();   // creates the optimizer's moment buffers, which stay
        CollectGarbage();
        var liveBefore = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        double early = 0, late = 0;
        var watch = Stopwatch.StartNew();
        for (int k = 1; k <= Steps; k++)
        {
            using (NewDisposeScope()) trainer.Step();
            if (k > 2000 && k <= 3000) early += NativeMemory.InUseBytes();
            if (k > 9000) late += NativeMemory.InUseBytes();
            if (k % 1000 == 0) Assert.Equal(liveBefore, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        }
        watch.Stop();
        early /= 1000;
        late /= 1000;
        var liveAfter = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        CollectGarbage();
        double settled = NativeMemory.InUseBytes();
        _output.WriteLine($"{Steps} steps in {watch.Elapsed.TotalSeconds:F2} s; live tensors {liveBefore} before, {liveAfter} after; " +
                          $"mean native memory in use ({NativeMemory.Source}) {early / (1 << 20):F1} MB (steps 2000-3000), {late / (1 << 20):F1} MB (steps 9000-10000), " +
                          $"difference {(late - early) / (1 << 20):F2} MB; after a garbage collection {settled / (1 << 20):F1} MB");
        Assert.Equal(liveBefore, liveAfter);
        Assert.True(early > 0, $"{NativeMemory.Source} should report the native memory in use");
        Assert.True(settled - early < ToleranceBytes, $"native memory in use ({NativeMemory.Source}) grew by {(settled - early) / (1 << 20):F1} MB from steps 2000-3000 to after 10,000 steps and a garbage collection (tolerance 8 MB)");
#if !COURSE_ENGINE_TORCHSHARP
        // Course.Torch frees everything a step makes at the end of its scope. TorchSharp also makes a
        // Scalar (a small native object) for each number in an expression (x * 0.3, pow(2), the
        // optimizer's coefficients); scopes do not hold Scalars, so they wait for the garbage collector
        // and native memory climbs between collections (measured: +26 MB over 7,000 steps), falling back
        // after one: only the check after the collection holds there.
        Assert.True(late - early < ToleranceBytes, $"native memory in use ({NativeMemory.Source}) grew by {(late - early) / (1 << 20):F1} MB between steps 2000-3000 and 9000-10000 (tolerance 8 MB)");
#endif
    }

    [Fact]
    public void WithoutAScopeTensorsPileUpUntilFinalizersRun()
    {
        // The same step without a dispose scope leaks every intermediate (13 tensor handles per step)
        // until the garbage collector happens to finalize them: the count the previous test holds
        // flat does move when the discipline is broken, so that test can fail.
        const int Steps = 200;
        using var trainer = new Trainer();
        using (NewDisposeScope()) trainer.Step();
        CollectGarbage();
        var before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        long memoryBefore = NativeMemory.InUseBytes();
        var latency = GCSettings.LatencyMode;
        GCSettings.LatencyMode = GCLatencyMode.SustainedLowLatency;
        long peak, memoryPeak;
        try
        {
            for (int k = 0; k < Steps; k++) trainer.Step();
            peak = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            memoryPeak = NativeMemory.InUseBytes();
        }
        finally { GCSettings.LatencyMode = latency; }
        CollectGarbage();   // the finalizers are the safety net: they free what was leaked
        long memoryAfter = NativeMemory.InUseBytes();
        _output.WriteLine($"live tensors: {before} before, {peak} after {Steps} unscoped steps; native memory {memoryBefore >> 20} MB, {memoryPeak >> 20} MB, {memoryAfter >> 20} MB after a collection");
        Assert.True(peak - before >= 10 * Steps, $"expected at least {10 * Steps} leaked handles, saw {peak - before}");
        Assert.True(memoryAfter - memoryBefore < (4L << 20), $"native memory should be back after the collection: {memoryBefore >> 20} MB before, {memoryAfter >> 20} MB after");
#if !COURSE_ENGINE_TORCHSHARP
        // TorchSharp keeps these counts per thread, and finalizers run on the finalizer thread, so there
        // the test thread's count stays up after the collection; the memory check above holds on both.
        Assert.Equal(before, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
#endif
    }

    [Fact]
    public void FailedOperationsLeakNoTensors()
    {
        using var a = ones(2, 3);
        using var b = ones(4, 5);
        using var d = ones(new long[] { 3, 2 }, float64);
        using var bad = tensor(new long[] { 7 });
        CollectGarbage();
        var before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int k = 0; k < 100; k++)   // each libtorch error costs milliseconds (it records a C++ backtrace)
        {
            Assert.Throws<ExternalException>(() => a + b);
#if !COURSE_ENGINE_TORCHSHARP
            Assert.Throws<ExternalException>(() => a.matmul(d));   // on TorchSharp this ends the process (BadCallTests)
#endif
            Assert.Throws<ExternalException>(() => a.index_select(0, bad));
        }
        Assert.Equal(before, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
