// The C# side of the benchmark (bench/run.py drives both sides). Each process runs one workload:
// warm-up, then timed units of work, and prints one JSON line with every timing and the peak
// resident memory. The PyTorch side (bench/pytorch_bench.py) does the very same work.
using System.Diagnostics;
using System.Text.Json;
using Course.Diffusion.Checkpoints;
using Course.Diffusion.Models;
using Course.Diffusion.Processes;
using Course.Diffusion.Samplers;
using Course.Diffusion.Schedules;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

var options = Options.Parse(args);
// As a lesson's first cell: the course's engine settings before libtorch loads (on TorchSharp one libtorch
// thread and sleeping OpenMP workers, as Course.Torch has by itself); --course-defaults off keeps libtorch's own.
if (options.CourseDefaults) Course.Diffusion.CourseEngine.EnsureLoadable();
if (options.Threads > 0) set_num_threads(options.Threads);
// --onednn off: the engine check's remedy (libtorch's own convolution kernels), to measure its cost.
if (options.OneDnn == false && !Course.Diffusion.NumericsRemedies.SetOneDnnEnabled(false))
    throw new InvalidOperationException("--onednn off: libtorch's oneDNN switch was not found");
var device = new Device(options.Device);
var schedule = NoiseSchedule.Linear();

switch (options.Workload)
{
    case "mlp": Report(options, TimeUnits(options, MlpTrainingStep(device, schedule))); break;
    case "unet": Report(options, TimeUnits(options, UNetTrainingStep(device, schedule))); break;
    case "ddim": Report(options, TimeUnits(options, DdimSampling(device, schedule))); break;
    case "ddpm": Report(options, TimeUnits(options, DdpmSampling(device, schedule))); break;
    case "live": TrainLiveStep.Run(options.Batch, options.Warmup, options.Iterations); break;   // lesson 10's step (bench/train_live_step.py)
    case "memory": MemoryOverTime(device, schedule, options.Iterations); break;
    case "export": Export(options.Out ?? "."); break;
    case "cudacheck": CudaCheck(); break;
    case "sweep": Report(options, TimeUnits(options, SweepTraining(device, options))); break;
    // The same, each unit on a thread-pool thread, as a notebook kernel runs cells (not always the same thread).
    case "sweeppool": { var unit = SweepTraining(device, options); Report(options, TimeUnits(options, () => Task.Run(unit).Wait())); break; }
    case "sweepparts": SweepParts(device, options); break;
    case "ops": SweepOps(device, options); break;
    case "enginecheck": Report(options, TimeUnits(options, () => Course.Diffusion.EngineNumericsCheck.Verify(device))); break;
    default: throw new ArgumentException($"unknown workload '{options.Workload}'");
}

// 1. Lesson 04's step: L_simple on 2D data with the time-conditioned MLP and AdamW (batch 512).
static Action MlpTrainingStep(Device device, NoiseSchedule schedule)
{
    manual_seed(0);
    var model = new TimeConditionedMlp();
    model.to(device);
    var optimizer = optim.AdamW(model.parameters(), lr: 1e-3);
    var x0 = randn(new long[] { 512, 2 }, device: device).DetachFromDisposeScope();
    return () =>
    {
        using var scope = NewDisposeScope();
        var t = randint(0, schedule.Length, new long[] { 512 }, device: device);
        var noise = randn_like(x0);
        var xt = schedule.QSample(x0, t, noise);
        var loss = F.mse_loss(model.call(xt, t), noise);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
    };
}

// 2. Lesson 06's step: the class-conditional UNet on 1x28x28 (batch 64).
static Action UNetTrainingStep(Device device, NoiseSchedule schedule)
{
    manual_seed(0);
    var model = new UNet(UNetConfig.ForFashionMnist(numClasses: 10));
    model.to(device);
    var optimizer = optim.AdamW(model.parameters(), lr: 2e-4);
    var x0 = (rand(new long[] { 64, 1, 28, 28 }, device: device) * 2 - 1).DetachFromDisposeScope();
    var labels = randint(0, 10, new long[] { 64 }, device: device).DetachFromDisposeScope();
    return () =>
    {
        using var scope = NewDisposeScope();
        var t = randint(0, schedule.Length, new long[] { 64 }, device: device);
        var noise = randn_like(x0);
        var xt = schedule.QSample(x0, t, noise);
        var loss = F.mse_loss(model.call(xt, t, labels), noise);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        if (device.type == DeviceType.CUDA) loss.ToSingle(); // wait for the GPU
    };
}

// 3. DDIM, 50 steps, 64 images with the UNet.
static Action DdimSampling(Device device, NoiseSchedule schedule)
{
    manual_seed(0);
    var model = new UNet(UNetConfig.ForFashionMnist(numClasses: 10));
    model.to(device).eval();
    var sampler = new DdimSampler(schedule, steps: 50, eta: 0);
    var labels = randint(0, 10, new long[] { 64 }, device: device).DetachFromDisposeScope();
    return () =>
    {
        using var scope = NewDisposeScope();
        var x = sampler.Sample(model.call, new long[] { 64, 1, 28, 28 }, classLabels: labels, device: device);
        x.sum().ToSingle();
    };
}

// 4. DDPM (Ho et al. Algorithm 2), 1000 steps, 2,000 2D points with the MLP.
static Action DdpmSampling(Device device, NoiseSchedule schedule)
{
    manual_seed(0);
    var model = new TimeConditionedMlp();
    model.to(device).eval();
    var sampler = new DdpmSampler(schedule);
    return () =>
    {
        using var scope = NewDisposeScope();
        var x = sampler.Sample(model.call, new long[] { 2000, 2 }, device: device);
        x.sum().ToSingle();
    };
}

// 5. Lesson 09's sweep: DiffusionTrainer on the time-conditioned MLP (--width, 3 hidden layers,
// 32-dimensional time embedding), batch 256, the lesson's recipe, swiss-roll batches; one unit is
// --steps optimizer steps. The trainer runs the engine check first, so the remedy is applied where
// the check finds a wrong result; --onednn on turns oneDNN back on after it (to measure the remedy's
// cost on such a CPU), --onednn off turns it off from the start.
static Action SweepTraining(Device device, Options o)
{
    var (trainer, _) = NewSweepTrainer(device, o);
    return () => trainer.Train(steps: o.Steps);
}

static (Course.Diffusion.Training.DiffusionTrainer Trainer, TimeConditionedMlp Model) NewSweepTrainer(Device device, Options o)
{
    manual_seed(0);
    var model = new TimeConditionedMlp(hiddenWidth: o.Width, hiddenLayers: 3, timeEmbeddingDimension: 32);
    model.to(device);
    var recipe = new Course.Diffusion.Training.TrainingOptions
    {
        BatchSize = 256, LearningRate = 2e-3, WarmupSteps = 100, EmaDecay = 0.99, Seed = 1,
        ProgressEvery = 1000, TotalSteps = 1_000_000,
    };
    var data = Course.Diffusion.Training.TrainingData.FromSampler(
        (n, g) => Course.Data.ToyDatasets.Sample("swiss-roll", n, g, device));
    var trainer = new Course.Diffusion.Training.DiffusionTrainer(model, NoiseSchedule.Linear(), data, recipe);
    if (o.OneDnn == true && !Course.Diffusion.NumericsRemedies.SetOneDnnEnabled(true))
        throw new InvalidOperationException("--onednn on: libtorch's oneDNN switch was not found");
    return (trainer, model);
}

// Lesson 09's step taken apart: the trainer's own step, written out with the same calls, each part
// timed; prints the median over --iters units (of --steps steps) of each part's time per step.
static void SweepParts(Device device, Options o)
{
    var (trainer, model) = NewSweepTrainer(device, o);
    var parameters = model.parameters().ToArray();
    var schedule = trainer.Schedule;
    var parts = new[] { "batch", "forward+loss", "backward", "clip", "adamw", "ema", "total" };
    var perUnit = parts.ToDictionary(p => p, _ => new List<double>());
    var clock = new Stopwatch();
    var cpu = TimeSpan.Zero;
    var wall = new Stopwatch();
    double Lap() { var ms = clock.Elapsed.TotalMilliseconds; clock.Restart(); return ms; }
    for (int unit = -o.Warmup; unit < o.Iterations; unit++)
    {
        var sums = parts.ToDictionary(p => p, _ => 0.0);
        if (unit == 0) { cpu = Process.GetCurrentProcess().TotalProcessorTime; wall.Start(); }
        var whole = Stopwatch.StartNew();
        for (int step = 0; step < o.Steps; step++)
        {
            using var scope = NewDisposeScope();
            clock.Restart();
            var x0 = trainer.Data.Sample(256, trainer.Generator).Data;
            var t = randint(0, schedule.Length, new long[] { 256 }, generator: trainer.Generator);
            var noise = randn(x0.shape, generator: trainer.Generator);
            var xt = schedule.QSample(x0, t, noise);
            sums["batch"] += Lap();
            var loss = (model.call(xt, t, null) - noise).square().mean();
            loss.ToDouble();
            sums["forward+loss"] += Lap();
            trainer.Optimizer.zero_grad();
            loss.backward();
            sums["backward"] += Lap();
            nn.utils.clip_grad_norm_(parameters, 1.0);
            sums["clip"] += Lap();
            trainer.Optimizer.step();
            trainer.Optimizer.zero_grad();
            sums["adamw"] += Lap();
            trainer.Ema.Update();
            sums["ema"] += Lap();
        }
        sums["total"] = whole.Elapsed.TotalMilliseconds;
        if (unit >= 0) foreach (var p in parts) perUnit[p].Add(sums[p] / o.Steps);
    }
    double coresBusy = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds / wall.Elapsed.TotalSeconds;
    double Median(List<double> v) { var s = v.OrderBy(x => x).ToList(); return s[s.Count / 2]; }
    PrintReport(o, new()
    {
        ["width"] = o.Width,
        ["step_ms"] = parts.ToDictionary(p => p, p => Median(perUnit[p])),
        ["cores_busy"] = coresBusy,
        ["peak_rss_mb"] = PeakRssMb(),
    });
}

// The single operations of lesson 09's forward and backward at its sizes (batch 256, --width):
// median microseconds per call over --iters rounds of 200 calls, to see which ones slow down
// with the thread setting.
static void SweepOps(Device device, Options o)
{
    manual_seed(0);
    long w = o.Width;
    var input = randn(new long[] { 256, 34 }, device: device);
    var hidden = randn(new long[] { 256, w }, device: device);
    var weight = randn(new long[] { w, 34 }, device: device);
    var square = randn(new long[] { w, w }, device: device);
    var bias = randn(new long[] { w }, device: device);
    var t = randint(0, w, new long[] { 256 }, device: device);
    var ops = new (string Name, Action Run)[]
    {
        ("linear 34->w", () => nn.functional.linear(input, weight, bias).Dispose()),
        ("linear w->w", () => nn.functional.linear(hidden, square, bias).Dispose()),
        ("matmul w^T x (weight gradient)", () => hidden.t().matmul(input).Dispose()),
        ("silu", () => nn.functional.silu(hidden).Dispose()),
        ("mul", () => (hidden * hidden).Dispose()),
        ("sin", () => hidden.sin().Dispose()),
        ("cat", () => cat(new[] { hidden, hidden }, 1).Dispose()),
        ("sum over batch (bias gradient)", () => hidden.sum(0).Dispose()),
        ("mean", () => hidden.mean().Dispose()),
        ("randn 256x2", () => randn(new long[] { 256, 2 }, device: device).Dispose()),
        ("index_select", () => bias.index_select(0, t).Dispose()),
    };
    var result = new Dictionary<string, double>();
    foreach (var (name, run) in ops)
    {
        for (int i = 0; i < 50; i++) run();
        var rounds = new List<double>();
        for (int r = 0; r < o.Iterations; r++)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < 200; i++) run();
            rounds.Add(sw.Elapsed.TotalMilliseconds * 1000 / 200);
        }
        rounds.Sort();
        result[name] = Math.Round(rounds[rounds.Count / 2], 2);
    }
    PrintReport(o, new() { ["width"] = o.Width, ["op_us"] = result });
}

static List<double> TimeUnits(Options o, Action unit)
{
    for (int i = 0; i < o.Warmup; i++) unit();
    var times = new List<double>(o.Iterations);
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var wall = Stopwatch.StartNew();
    for (int i = 0; i < o.Iterations; i++)
    {
        var sw = Stopwatch.StartNew();
        unit();
        times.Add(sw.Elapsed.TotalMilliseconds);
    }
    CoresBusy = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds / wall.Elapsed.TotalSeconds;
    return times;
}

static void Report(Options o, List<double> times)
{
    var sorted = times.OrderBy(x => x).ToList();
    PrintReport(o, new()
    {
        ["device"] = o.Device,
        ["width"] = o.Workload.StartsWith("sweep") ? o.Width : null,
        ["native_threads"] = Directory.GetDirectories("/proc/self/task").Length,
        ["steps_per_unit"] = o.Workload.StartsWith("sweep") ? o.Steps : null,
        ["median_ms"] = sorted[sorted.Count / 2],
        ["cores_busy"] = Program.CoresBusy,
        ["times_ms"] = times,
        ["peak_rss_mb"] = PeakRssMb(),
    });
}

// One JSON line: what every timing shares (engine, workload, libtorch threads, oneDNN's switch), then its own fields.
static void PrintReport(Options o, Dictionary<string, object?> fields)
{
    var report = new Dictionary<string, object?>
    {
        ["side"] = "csharp",
        ["engine"] = Course.Diffusion.CourseEngine.Describe(),
        ["workload"] = o.Workload,
        ["threads"] = get_num_threads(),
        ["onednn"] = Course.Diffusion.NumericsRemedies.OneDnnEnabled(),
    };
    foreach (var (name, value) in fields) report[name] = value;
    Console.WriteLine(JsonSerializer.Serialize(report));
}

// A 10,000-step training loop written the recommended way: native memory over time.
static void MemoryOverTime(Device device, NoiseSchedule schedule, int steps)
{
    var step = MlpTrainingStep(device, schedule);
    var series = new List<object>();
    for (int i = 1; i <= steps; i++)
    {
        step();
        if (i % 1000 == 0 || i == 1)
            series.Add(new { step = i, rss_mb = Environment.WorkingSet / 1048576.0, live_tensors = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount });
    }
    Console.WriteLine(JsonSerializer.Serialize(new { side = "csharp", workload = "memory", series }));
}

// Saves the models' initial weights and outputs on fixed inputs, so the PyTorch twins can be checked.
static void Export(string dir)
{
    Directory.CreateDirectory(dir);
    manual_seed(0);
    using var mlp = new TimeConditionedMlp();
    using var unet = new UNet(UNetConfig.ForFashionMnist(numClasses: 10));
    unet.eval();
    // The UNet zero-initialises its output convolutions (so it starts as an identity); randomise
    // every parameter so the comparison exercises all of them.
    using (no_grad()) foreach (var p in unet.parameters()) p.normal_(0, 0.05);
    manual_seed(1);
    var x2 = randn(16, 2);
    var t2 = randint(0, 1000, new long[] { 16 });
    var x28 = randn(4, 1, 28, 28);
    var t28 = randint(0, 1000, new long[] { 4 });
    var labels = tensor(new long[] { 0, 3, 9, 10 });
    using (no_grad())
    {
        var inputs = new Dictionary<string, Tensor> { ["x2"] = x2, ["t2"] = t2, ["x28"] = x28, ["t28"] = t28, ["labels"] = labels,
            ["mlp_out"] = mlp.call(x2, t2), ["unet_out"] = unet.call(x28, t28, labels) };
        Safetensors.Save(inputs, Path.Combine(dir, "io.safetensors"));
    }
    Safetensors.Save(mlp.state_dict(), Path.Combine(dir, "mlp.safetensors"));
    Safetensors.Save(unet.state_dict(), Path.Combine(dir, "unet.safetensors"));
    Console.WriteLine(JsonSerializer.Serialize(new { engine = Course.Diffusion.CourseEngine.Describe(), mlp_parameters = mlp.parameter_count(), unet_parameters = unet.parameter_count() }));
}

// The same models, losses, optimizer and sampler on CPU and CUDA: how far apart the results are.
static void CudaCheck()
{
    if (!cuda.is_available()) throw new InvalidOperationException("cudacheck needs a CUDA device");
    var cuda0 = new Device("cuda:0");
    var report = new Dictionary<string, object>();
    foreach (var (name, make, shape) in new (string, Func<DenoisingModel>, long[])[]
    {
        ("mlp", () => new TimeConditionedMlp(), new long[] { 64, 2 }),
        ("unet", () => new UNet(UNetConfig.ForFashionMnist(numClasses: 10)) , new long[] { 8, 1, 28, 28 }),
    })
    {
        manual_seed(0);
        using var cpuModel = make();
        using (no_grad()) foreach (var p in cpuModel.parameters()) p.normal_(0, 0.05);
        cpuModel.eval();
        using var gpuModel = make();
        gpuModel.load_state_dict(cpuModel.state_dict());
        gpuModel.to(cuda0).eval();
        using var scope = NewDisposeScope();
        var x = randn(shape);
        var t = randint(0, 1000, new long[] { shape[0] });
        var outCpu = cpuModel.call(x, t);
        var outGpu = gpuModel.call(x.to(cuda0), t.to(cuda0));
        outCpu.square().sum().backward();
        outGpu.square().sum().backward();
        double gradDiff = cpuModel.parameters().Zip(gpuModel.parameters())
            .Max(p => (p.First.grad! - p.Second.grad!.cpu()).abs().max().ToSingle() / Math.Max(1e-12, p.First.grad!.abs().max().ToSingle()));
        report[name] = new
        {
            output_max_abs_diff = (outCpu - outGpu.cpu()).abs().max().ToSingle(),
            output_scale = outCpu.abs().max().ToSingle(),
            worst_relative_gradient_diff = gradDiff,
            parameters_on_cuda = gpuModel.parameters().All(p => p.is_cuda),
        };
    }
    // AdamW on both devices for 20 steps from the same start.
    {
        manual_seed(0);
        using var a = new TimeConditionedMlp();
        using var b = new TimeConditionedMlp();
        b.load_state_dict(a.state_dict());
        b.to(cuda0);
        var oa = optim.AdamW(a.parameters(), lr: 1e-2);
        var ob = optim.AdamW(b.parameters(), lr: 1e-2);
        for (int i = 0; i < 20; i++)
        {
            using var scope = NewDisposeScope();
            var x = randn(128, 2);
            var t = randint(0, 1000, new long[] { 128 });
            oa.zero_grad(); ob.zero_grad();
            F.mse_loss(a.call(x, t), x).backward();
            F.mse_loss(b.call(x.to(cuda0), t.to(cuda0)), x.to(cuda0)).backward();
            oa.step(); ob.step();
        }
        report["adamw_20_steps_max_param_diff"] = a.parameters().Zip(b.parameters()).Max(p => { using var s = NewDisposeScope(); return (p.First - p.Second.cpu()).abs().max().ToSingle(); });
    }
    // DDIM from a CPU generator: the same noise on both devices.
    {
        manual_seed(0);
        using var model = new TimeConditionedMlp();
        using var gpu = new TimeConditionedMlp();
        gpu.load_state_dict(model.state_dict());
        gpu.to(cuda0);
        var sampler = new DdimSampler(NoiseSchedule.Linear(), steps: 50);
        using var scope = NewDisposeScope();
        var xc = sampler.Sample(model.call, new long[] { 500, 2 }, new Generator(7));
        var xg = sampler.Sample(gpu.call, new long[] { 500, 2 }, new Generator(7), device: cuda0);
        report["ddim_cpu_vs_cuda_max_abs_diff"] = (xc - xg.cpu()).abs().max().ToSingle();
        report["ddim_result_device"] = xg.device.ToString();
    }
    // A 5,000-step CUDA training loop: live tensors stay flat.
    {
        var step = MlpTrainingStep(cuda0, NoiseSchedule.Linear());
        step();
        long before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < 5000; i++) step();
        report["cuda_mlp_5000_steps_live_tensors_before_after"] = new[] { before, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount };
        report["cuda_mlp_step_ms"] = sw.Elapsed.TotalMilliseconds / 5000;
    }
    // Errors on the GPU are exceptions, and the process goes on.
    try { using var a = randn(new long[] { 2, 3 }, device: cuda0); using var b = randn(4, 5); a.matmul(b); report["mixed_device_error"] = "none"; }
    catch (System.Runtime.InteropServices.ExternalException e) { report["mixed_device_error"] = e.Message.Split('\n')[0]; }
    Console.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
}

static double PeakRssMb()
{
    foreach (var line in File.ReadLines("/proc/self/status"))
        if (line.StartsWith("VmHWM:")) return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
    return 0;
}

sealed record Options(string Workload, string Device, int Threads, int Warmup, int Iterations, string? Out, bool? OneDnn,
    int Width, int Steps, bool CourseDefaults, int Batch = 32)
{
    public static Options Parse(string[] args)
    {
        string workload = args.Length > 0 ? args[0] : throw new ArgumentException("usage: Course.Bench <mlp|unet|ddim|ddpm|live|sweep|sweepparts|enginecheck|memory|export> [--device cpu|cuda] [--threads n] [--warmup n] [--iters n] [--out dir] [--onednn on|off] [--width n] [--steps n] [--course-defaults on|off] [--batch n]");
        string dev = "cpu", outDir = ".";
        int threads = 0, warmup = 3, iters = 10, width = 8, steps = 50, batch = 32;
        bool? oneDnn = null;
        bool courseDefaults = true;
        for (int i = 1; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--device": dev = args[i + 1]; break;
                case "--threads": threads = int.Parse(args[i + 1]); break;
                case "--warmup": warmup = int.Parse(args[i + 1]); break;
                case "--iters": iters = int.Parse(args[i + 1]); break;
                case "--out": outDir = args[i + 1]; break;
                case "--onednn": oneDnn = args[i + 1] != "off"; break;
                case "--batch": batch = int.Parse(args[i + 1]); break;
                case "--width": width = int.Parse(args[i + 1]); break;
                case "--steps": steps = int.Parse(args[i + 1]); break;
                case "--course-defaults": courseDefaults = args[i + 1] != "off"; break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }
        return new Options(workload, dev, threads, warmup, iters, outDir, oneDnn, width, steps, courseDefaults, batch);
    }
}

// CPU time of the whole process (every thread) over wall time while the units ran: 1 is one core busy.
partial class Program { internal static double CoresBusy; }
