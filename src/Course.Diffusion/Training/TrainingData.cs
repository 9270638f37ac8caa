using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Training;

/// <summary>One batch of clean data x_0 [B, ...], with class labels [B] (int64) for conditional training.</summary>
public readonly record struct TrainingBatch(Tensor Data, Tensor? Labels);

/// <summary>
/// Where training batches come from. Every draw uses the generator the trainer passes in, so a run
/// is reproducible from its seed and resumes exactly from a checkpoint (which stores that generator).
/// </summary>
public abstract class TrainingData
{
    /// <summary>Draws <paramref name="batchSize"/> examples with <paramref name="generator"/>.</summary>
    public abstract TrainingBatch Sample(int batchSize, Generator generator);

    /// <summary>Fresh samples from a distribution each step (the 2-D toy data):
    /// <c>TrainingData.FromSampler((n, g) =&gt; ToyDatasets.EightGaussians(n, g))</c>.</summary>
    public static TrainingData FromSampler(Func<long, Generator, Tensor> sampler) => new SamplerData(sampler);

    /// <summary>Fresh labelled samples each step: the sampler returns (points, labels).</summary>
    public static TrainingData FromSampler(Func<long, Generator, (Tensor data, Tensor labels)> sampler) => new LabelledSamplerData(sampler);

    /// <summary>A fixed data set [N, ...] (and labels [N]), sampled uniformly with replacement each
    /// step. The tensors stay owned by the caller.</summary>
    public static TrainingData FromTensor(Tensor data, Tensor? labels = null) => new TensorData(data, labels);

    sealed class SamplerData : TrainingData
    {
        readonly Func<long, Generator, Tensor> _sampler;
        public SamplerData(Func<long, Generator, Tensor> sampler) => _sampler = sampler ?? throw new ArgumentNullException(nameof(sampler));
        public override TrainingBatch Sample(int batchSize, Generator generator) => new(_sampler(batchSize, generator), null);
    }

    sealed class LabelledSamplerData : TrainingData
    {
        readonly Func<long, Generator, (Tensor data, Tensor labels)> _sampler;
        public LabelledSamplerData(Func<long, Generator, (Tensor data, Tensor labels)> sampler) => _sampler = sampler ?? throw new ArgumentNullException(nameof(sampler));
        public override TrainingBatch Sample(int batchSize, Generator generator)
        {
            var (data, labels) = _sampler(batchSize, generator);
            return new(data, labels);
        }
    }

    sealed class TensorData : TrainingData
    {
        readonly Tensor _data;
        readonly Tensor? _labels;

        public TensorData(Tensor data, Tensor? labels)
        {
            ArgumentNullException.ThrowIfNull(data);
            if (data.dim() < 1 || data.shape[0] < 1) throw new ArgumentException($"the data set needs at least one example, but has shape [{string.Join(", ", data.shape)}]", nameof(data));
            if (labels is not null && (labels.dim() != 1 || labels.shape[0] != data.shape[0]))
                throw new ArgumentException($"labels must have shape [{data.shape[0]}] (one per example), but have [{string.Join(", ", labels.shape)}]", nameof(labels));
            _data = data;
            _labels = labels;
        }

        public override TrainingBatch Sample(int batchSize, Generator generator)
        {
            using var indices = randint(0, _data.shape[0], new long[] { batchSize }, generator: generator);
            using var onDevice = indices.to(_data.device);
            var x = _data.index_select(0, onDevice);
            if (_labels is null) return new(x, null);
            using var labelIndices = indices.to(_labels.device);
            return new(x, _labels.index_select(0, labelIndices));
        }
    }
}
