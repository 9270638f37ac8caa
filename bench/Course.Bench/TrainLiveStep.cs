// Lesson 10's training step, as the recipe runs it (bench/train_live_step.py drives both sides): the
// library's DiffusionTrainer.TrainStep on the CompactUNet with LiveTrainingRecipe's settings, on an
// in-memory image set. Reports wall-clock and process CPU time per step (CPU time is what a busy,
// shared machine distorts least), the parameter count, and the loss of the first step.
using System.Diagnostics;
using System.Text.Json;
using Course.Diffusion.Training;
using Course.Diffusion.TrainLive;
using TorchSharp;
using static TorchSharp.torch;

static class TrainLiveStep
{
    public static void Run(int batch, int warmup, int iterations)
    {
        manual_seed(0);
        var recipe = new LiveTrainingRecipe { BatchSize = batch };
        using var model = recipe.CreateModel();
        using var g = new Generator(1);
        // 6,000 images in [-1, 1] with labels: the step only indexes into the set, as it would into Fashion-MNIST.
        var images = (rand(new long[] { 6000, 1, 28, 28 }, generator: g) * 2 - 1).DetachFromDisposeScope();
        var labels = randint(0, 10, new long[] { 6000 }, generator: g).DetachFromDisposeScope();
        using var trainer = new DiffusionTrainer(model, recipe.Schedule(), TrainingData.FromTensor(images, labels), recipe.TrainingOptions(TimeSpan.FromDays(1)));
        double firstLoss = trainer.TrainStep();
        for (int i = 1; i < warmup; i++) trainer.TrainStep();
        var process = Process.GetCurrentProcess();
        var wall = new List<double>();
        var cpu = new List<double>();
        for (int i = 0; i < iterations; i++)
        {
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            trainer.TrainStep();
            wall.Add(clock.Elapsed.TotalMilliseconds);
            process.Refresh();
            cpu.Add((process.TotalProcessorTime - cpu0).TotalMilliseconds);
        }
        static double Median(List<double> v) { var s = v.OrderBy(x => x).ToList(); return s[s.Count / 2]; }
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            side = "csharp",
            engine = Course.Diffusion.CourseEngine.Describe(),
            workload = "live",
            threads = get_num_threads(),
            batch,
            parameters = model.parameters().Sum(p => p.numel()),
            first_loss = firstLoss,
            median_ms = Median(wall),
            min_ms = wall.Min(),
            cpu_median_ms = Median(cpu),
            cpu_min_ms = cpu.Min(),
            times_ms = wall,
            cpu_ms = cpu,
        }));
    }
}
