using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Models;

/// <summary>
/// The noise predictor for 2-D toy data (lesson 04): the point x and the sinusoidal embedding of t
/// are concatenated and passed through a plain MLP, Linear → SiLU → … → Linear, that outputs ε̂ with
/// the shape of x. With class conditioning, a learned class vector (num_classes + 1 entries, the
/// last being the null class) is added to the time embedding.
/// Layer names follow PyTorch's <c>nn.Sequential</c> ("net.0.weight", …), so the same weights load
/// into the PyTorch twin used by the benchmark.
/// </summary>
public sealed class TimeConditionedMlp : DenoisingModel, IDescribedModule
{
    readonly SinusoidalTimeEmbedding time_embedding;
    readonly nn.Module<Tensor, Tensor>? class_embedding;
    readonly nn.Module<Tensor, Tensor> net;

    /// <param name="dataDimension">Size of one data point (2 for the toy distributions).</param>
    /// <param name="hiddenWidth">Units in each hidden layer.</param>
    /// <param name="hiddenLayers">Number of hidden layers (each Linear followed by SiLU).</param>
    /// <param name="timeEmbeddingDimension">Length of the sinusoidal time embedding (even, ≥ 4).</param>
    /// <param name="numClasses">0 for unconditional; otherwise the number of real classes.</param>
    public TimeConditionedMlp(int dataDimension = 2, int hiddenWidth = 128, int hiddenLayers = 3,
        int timeEmbeddingDimension = 64, int numClasses = 0)
        : base(nameof(TimeConditionedMlp), numClasses)
    {
        if (dataDimension < 1) throw new ArgumentOutOfRangeException(nameof(dataDimension), dataDimension, LearnerMessages.NeedDataDimension);
        if (hiddenWidth < 1) throw new ArgumentOutOfRangeException(nameof(hiddenWidth), hiddenWidth, LearnerMessages.NeedHiddenUnit);
        if (hiddenLayers < 1) throw new ArgumentOutOfRangeException(nameof(hiddenLayers), hiddenLayers, LearnerMessages.NeedHiddenLayer);
        DataDimension = dataDimension;
        HiddenWidth = hiddenWidth;
        HiddenLayers = hiddenLayers;
        TimeEmbeddingDimension = timeEmbeddingDimension;

        time_embedding = new SinusoidalTimeEmbedding(timeEmbeddingDimension);
        if (numClasses > 0) class_embedding = nn.Embedding(numClasses + 1, timeEmbeddingDimension);

        var layers = new List<nn.Module<Tensor, Tensor>>
        {
            nn.Linear(dataDimension + timeEmbeddingDimension, hiddenWidth), nn.SiLU(),
        };
        for (int i = 1; i < hiddenLayers; i++)
        {
            layers.Add(nn.Linear(hiddenWidth, hiddenWidth));
            layers.Add(nn.SiLU());
        }
        layers.Add(nn.Linear(hiddenWidth, dataDimension));
        net = nn.Sequential(layers.ToArray());
        RegisterComponents();
    }

    public int DataDimension { get; }
    public int HiddenWidth { get; }
    public int HiddenLayers { get; }
    public int TimeEmbeddingDimension { get; }

    public override long[] SampleShape => new long[] { DataDimension };

    /// <summary>The Linear/SiLU stack after the concatenation (for the FLOP counter).</summary>
    internal nn.Module<Tensor, Tensor> Network => net;

    public override string ConfigJson => JsonSerializer.Serialize(new
    {
        model = nameof(TimeConditionedMlp),
        dataDimension = DataDimension,
        hiddenWidth = HiddenWidth,
        hiddenLayers = HiddenLayers,
        timeEmbeddingDimension = TimeEmbeddingDimension,
        numClasses = NumClasses,
    });

    /// <summary>x [B, D], t [B] → ε̂ [B, D].</summary>
    public override Tensor forward(Tensor x, Tensor t, Tensor? classLabels)
    {
        long batch = CheckInputs(x, t, classLabels);
        using var timeVector = time_embedding.call(t);
        Tensor conditioning = timeVector;
        using var labels = class_embedding is null ? null : LabelsOrNull(classLabels, batch, x.device);
        using var classVector = labels is null ? null : class_embedding!.call(labels);
        using var combined = classVector is null ? null : timeVector + classVector;
        using var input = cat(new[] { x, combined ?? conditioning }, 1);
        return net.call(input);
    }

    public override string ToString() => ModuleDescription.Describe(this);

    public string ExtraRepr() =>
        $"(data={DataDimension}, hidden={HiddenWidth}x{HiddenLayers}, time_embedding={TimeEmbeddingDimension}" +
        (IsClassConditional ? $", classes={NumClasses}+null" : "") + $", {this.parameter_count().ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} parameters)";
}
