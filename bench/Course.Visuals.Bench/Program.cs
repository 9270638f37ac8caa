using System.Diagnostics;
using Course.Visuals;

// Usage: Course.Visuals.Bench [gallery <dir>] | [runs]
if (args.Length >= 1 && args[0] == "gallery")
{
    var dir = args.Length > 1 ? args[1] : "gallery";
    Directory.CreateDirectory(dir);
    var total = Stopwatch.StartNew();
    foreach (var (name, v) in Gallery.All())
    {
        var one = Stopwatch.StartNew();
        v.Save(Path.Combine(dir, name));
        Console.WriteLine($"wrote {Path.Combine(dir, name)}.*  ({one.Elapsed.TotalMilliseconds:0} ms)");
    }
    Console.WriteLine($"gallery written in {total.Elapsed.TotalSeconds:0.00} s (first run of this process: includes JIT)");
    return;
}

int runs = args.Length >= 1 && int.TryParse(args[0], out var r) ? r : 9;
var rng = new Random(1);
var batch = Gallery.Digits(64, rng);

var z = new double[200, 200];
for (int i = 0; i < 200; i++) for (int j = 0; j < 200; j++) z[i, j] = Math.Sin(i / 13.0) * Math.Cos(j / 17.0);

(double, double) Score(double x, double y) => (-x + 0.5 * y, -y - 0.5 * x);

var cases = new (string Name, Func<byte[]> Make)[]
{
    ("64-image grid (28x28, 8x8) -> PNG", () => Figure.ImageGrid(batch, columns: 8, title: "64 samples").ToPng()),
    ("heatmap 200x200 + colour bar -> PNG", () => new Figure().Title("heatmap").Heatmap(z, colorMap: ColorMap.Viridis).ToPng()),
    ("quiver 25x25 arrows, coloured -> PNG", () => new Figure().Title("quiver").Quiver(Score, (-3, 3), (-3, 3), n: 25, colorMap: ColorMap.Viridis).EqualAspect().ToPng()),
    ("line 1000 points x3 + legend -> PNG", () =>
    {
        var t = Values.Range(1000);
        return new Figure().Line(t, t.Data.Select(Math.Sqrt).ToArray(), name: "a").Line(t, t.Data.Select(v => v / 40).ToArray(), name: "b")
            .Line(t, t.Data.Select(v => 30 * Math.Sin(v / 50)).ToArray(), name: "c").ToPng();
    }),
};

Console.WriteLine($"Course.Visuals render benchmark: median of {runs} runs after one warm-up, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
foreach (var (name, make) in cases)
{
    var bytes = make(); // warm-up (JIT, font atlas)
    var times = new List<double>();
    for (int i = 0; i < runs; i++)
    {
        var sw = Stopwatch.StartNew();
        make();
        times.Add(sw.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    Console.WriteLine($"  {name,-42} median {times[times.Count / 2],7:0.0} ms   min {times[0],7:0.0} ms   ({bytes.Length / 1024.0:0.0} KiB)");
}
