using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Generative;

/// <summary>The fully connected network both families use on the 2-D data: Linear → activation, repeated, → Linear.</summary>
public static class GenerativeNetworks
{
    /// <summary>
    /// <paramref name="layers"/> hidden layers of <paramref name="width"/> units. SiLU for the VAE and the generator;
    /// LeakyReLU with slope 0.2 for the discriminator (Radford et al. 2016), whose gradient must not vanish for
    /// negative pre-activations since the generator learns only through it.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Mlp(long inputs, long outputs, int width, int layers, bool leaky = false)
    {
        if (inputs < 1 || outputs < 1) throw new ArgumentException($"an MLP needs at least one input and one output, got {inputs} → {outputs}");
        if (width < 1 || layers < 1) throw new ArgumentException($"an MLP needs at least one hidden layer of one unit, got {layers} × {width}");
        nn.Module<Tensor, Tensor> Activation() => leaky ? nn.LeakyReLU(0.2) : nn.SiLU();
        var modules = new List<nn.Module<Tensor, Tensor>> { nn.Linear(inputs, width), Activation() };
        for (int i = 1; i < layers; i++)
        {
            modules.Add(nn.Linear(width, width));
            modules.Add(Activation());
        }
        modules.Add(nn.Linear(width, outputs));
        return nn.Sequential(modules.ToArray());
    }

    /// <summary>The network from data to a vector of <paramref name="outputs"/> (VAE encoder, GAN discriminator).</summary>
    internal static nn.Module<Tensor, Tensor> DataToVector(GenerativeConfig config, long outputs, bool leaky) => config.Kind switch
    {
        NetworkKind.Mlp => Mlp(config.DataSize, outputs, config.Width, config.Layers, leaky),
        _ => new ImageEncoder((int)config.DataShape[0], (int)config.DataShape[1], config.Width, outputs),
    };

    /// <summary>The network from a latent code to data (VAE decoder, GAN generator).</summary>
    internal static nn.Module<Tensor, Tensor> LatentToData(GenerativeConfig config) => config.Kind switch
    {
        NetworkKind.Mlp => Mlp(config.LatentDimension, config.DataSize, config.Width, config.Layers),
        _ => new ImageDecoder(config.LatentDimension, (int)config.DataShape[0], (int)config.DataShape[1], config.Width),
    };
}
