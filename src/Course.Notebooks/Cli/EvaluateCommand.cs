using System.Globalization;
using Course.Notebooks.Kernel;

namespace Course.Notebooks.Cli;

/// <summary>Options of <c>evaluate</c>.</summary>
public sealed class EvaluateOptions
{
    /// <summary>A folder of 28x28 PNGs or a .npy of uint8 [N, 28, 28].</summary>
    public string Samples { get; set; } = "";
    /// <summary>A .npy of integer class indices [N], for conditional samples.</summary>
    public string? Labels { get; set; }
    public bool Json { get; set; }
    /// <summary>An .npz to write the compared features to (arrays samples and reference).</summary>
    public string? FeaturesOut { get; set; }
    public string Classifier { get; set; } = "notebooks/checkpoints/fashion-mnist-classifier.safetensors";
    public long Seed { get; set; }
    public string Lib { get; set; } = "lib";
}

/// <summary>
/// <c>evaluate</c>: FID, KID, precision/recall and (with labels) accuracy by label of anyone's 28x28 samples against the
/// Fashion-MNIST test set, on the features of the course's classifier, each beside its floor (real training images at
/// the same n). In the manner of pytorch-fid: images in, numbers out; <c>--json</c> puts one JSON object on the last
/// line, <c>--features-out</c> writes the features so anyone can recompute. Runs as one notebook cell, loading the
/// Course libraries from <c>lib/</c> as the lessons do.
/// </summary>
public static class EvaluateCommand
{
    public const string Usage = """
        usage: dotnet run --project src/Course.Notebooks -c Release -- evaluate SAMPLES [options]

          SAMPLES              a folder of 28x28 greyscale PNG files (read in name order), or a .npy of uint8 [N, 28, 28]
          --labels FILE.npy    the class each sample was generated for: integers 0-9, shape [N] (enables accuracy by label)
          --json               end with one line of JSON: n, fid, kid, kid_std, precision, recall, accuracy (null without
                               labels), and the same under "floor"
          --features-out F.npz write the compared features (float32 arrays "samples" [N, 128] and "reference" [10000, 128])
          --classifier FILE    the feature network (default notebooks/checkpoints/fashion-mnist-classifier.safetensors)
          --seed S             seed of the floor's draw of real images and of KID's subsets (default 0)
          --lib DIR            folder of the Course libraries (default lib; run `dotnet build -c Release` first)

        The reference is the Fashion-MNIST test set (10,000 images); the floor is the same metrics for N images of the
        training set (disjoint from the reference), and for accuracy, the classifier on N test images with their labels.
        Exit code: 0 when measured, 2 for bad usage or input, 1 when something else failed.
        """;

    public static EvaluateOptions Parse(IReadOnlyList<string> args)
    {
        var o = new EvaluateOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value()
            {
                if (i + 1 >= args.Count) throw new ArgumentException($"{arg} needs a value");
                return args[++i];
            }
            switch (arg)
            {
                case "--labels": o.Labels = Value(); break;
                case "--json": o.Json = true; break;
                case "--features-out": o.FeaturesOut = Value(); break;
                case "--classifier": o.Classifier = Value(); break;
                case "--lib": o.Lib = Value(); break;
                case "--seed":
                    var text = Value();
                    if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed) || seed < 0)
                        throw new ArgumentException($"--seed needs a whole number >= 0, not '{text}'");
                    o.Seed = seed;
                    break;
                default:
                    if (arg.StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unknown option '{arg}'");
                    if (o.Samples.Length > 0) throw new ArgumentException($"one SAMPLES path only, got '{o.Samples}' and '{arg}'");
                    o.Samples = arg;
                    break;
            }
        }
        if (o.Samples.Length == 0) throw new ArgumentException("SAMPLES is missing: a folder of 28x28 PNGs or a .npy of uint8 [N, 28, 28]");
        if (o.FeaturesOut is { } f && !f.EndsWith(".npz", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"--features-out writes an .npz file, not '{f}'");
        return o;
    }

    public static async Task<int> RunAsync(EvaluateOptions o, TextWriter output, TextWriter error)
    {
        var lib = Path.GetFullPath(o.Lib);
        if (CourseScript.LibrariesMissing(lib, error)) return 2;
        var samples = Path.GetFullPath(o.Samples);
        if (!File.Exists(samples) && !Directory.Exists(samples))
        {
            error.WriteLine($"evaluate: {o.Samples}: no such file or folder");
            return 2;
        }
        var classifier = Path.GetFullPath(o.Classifier);
        if (!File.Exists(classifier))
        {
            error.WriteLine($"evaluate: no classifier at {classifier}: train one with `train-classifier`, or pass --classifier");
            return 2;
        }
        using var kernel = new NotebookKernel();
        // the kernel's own stderr (which repeats a failure's exception) is held back: an input problem gets one line
        var kernelErrors = new StringWriter();
        kernel.StreamWritten += (name, text) => (name == "stderr" ? kernelErrors : output).Write(text);
        var result = await kernel.ExecuteCellAsync(Script(o, lib, samples, classifier)).ConfigureAwait(false);
        if (result.Error is null)
        {
            error.Write(kernelErrors.ToString());
            return 0;
        }
        // problems with the input files come back as DataFileException / FileNotFoundException: one sentence, exit 2
        if (result.Failure is { } failure)
            foreach (var kind in new[] { "DataFileException: ", "FileNotFoundException: ", "InvalidDataException: ", "CorruptFileException: " })
                if (failure.StartsWith(kind, StringComparison.Ordinal))
                {
                    error.WriteLine($"evaluate: {failure[kind.Length..]}");
                    return 2;
                }
        error.Write(kernelErrors.ToString());
        error.WriteLine($"evaluate failed: {result.Failure}");
        foreach (var line in result.Error.Traceback) error.WriteLine(line);
        return 1;
    }

    static string Literal(string s) => CourseScript.Literal(s);

    /// <summary>The measuring program, run as one notebook cell so that it sees the libraries exactly as the lessons do.</summary>
    static string Script(EvaluateOptions o, string lib, string samples, string classifier)
    {
        string labels = o.Labels is null
            ? "(Tensor?)null"
            : $"SampleImages.LoadLabels({Literal(Path.GetFullPath(o.Labels))}, n, FashionClassifier.Classes)";
        string writeFeatures = o.FeaturesOut is null ? "" : $$"""
            NpyFile.WriteNpz({{Literal(Path.GetFullPath(o.FeaturesOut))}}, new Dictionary<string, (float[] Data, long[] Shape)>
            {
                ["samples"] = (features.Features.data<float>().ToArray(), features.Features.shape),
                ["reference"] = (evaluator.Reference.Features.data<float>().ToArray(), evaluator.Reference.Features.shape),
            });
            Console.WriteLine("features written to " + {{Literal(o.FeaturesOut)}});
            """;
        return $$"""
            #r {{Literal(Path.Combine(lib, "TorchSharp.dll"))}}
            #r {{Literal(Path.Combine(lib, "Course.Data.dll"))}}
            #r {{Literal(Path.Combine(lib, "Course.Diffusion.dll"))}}
            using System.IO;
            using TorchSharp;
            using static TorchSharp.torch;
            using Course.Data;
            using Course.Diffusion.Evaluation;
            using Course.Diffusion.Metrics;

            var samplesPath = {{Literal(samples)}};
            var (images, names) = SampleImages.Load(samplesPath);
            long n = images.shape[0];
            if (n < 4) throw new DataFileException(samplesPath, $"holds {n} image(s); the metrics need at least 4");
            var labels = {{labels}};
            var classifier = ClassifierFiles.Load({{Literal(classifier)}});
            var test = FashionMnist.Load(DatasetSplit.Test);
            var train = FashionMnist.Load(DatasetSplit.Train);
            Console.WriteLine($"samples: {n:N0} images from {samplesPath}" + (names is null ? "" : $" ({names[0]} ... {names[^1]})") +
                {{(o.Labels is null ? "\"\"" : "\", with the classes asked for\"")}});
            var evaluator = new ImageEvaluator(classifier, test.Images, test.Labels, train.Images, seed: {{o.Seed}});
            var features = evaluator.Features(images);
            var report = evaluator.Evaluate(features, labels);
            Console.WriteLine(report.ToText());
            {{writeFeatures}}
            {{(o.Json ? "Console.WriteLine(report.ToJson());" : "")}}
            features.Dispose();
            evaluator.Dispose();
            classifier.Dispose();
            images.Dispose();
            labels?.Dispose();
            test.Dispose();
            train.Dispose();
            """;
    }
}
