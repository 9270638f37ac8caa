using TorchSharp;
using static TorchSharp.torch;

namespace Course.Diffusion.Generative;

/// <summary>
/// The losses of the original GAN (Goodfellow et al. 2014), written in the discriminator's logits l, with
/// D(x) = sigmoid(l(x)). The value function of their eq. 1 is
/// <code>V(D, G) = E_x[log D(x)] + E_z[log(1 − D(G(z)))],</code>
/// which D maximises and G minimises. With log sigmoid(l) = −softplus(−l) and log(1 − sigmoid(l)) = −softplus(l):
/// <list type="bullet">
/// <item>discriminator: L_D = −V = E[softplus(−l(x))] + E[softplus(l(G(z)))] (binary cross-entropy, real = 1, fake = 0);</item>
/// <item>generator, minimax: L_G = E[log(1 − D(G(z)))] = −E[softplus(l(G(z)))] — saturates: its gradient vanishes
/// when D rejects the fakes confidently, which is exactly the state early in training;</item>
/// <item>generator, non-saturating (§3 of the paper, used in practice): L_G = −E[log D(G(z))] = E[softplus(−l(G(z)))],
/// the same fixed point with strong gradients where the fakes are rejected.</item>
/// </list>
/// </summary>
public static class GanLosses
{
    /// <summary>softplus(x) = log(1 + eˣ), computed as max(x, 0) + log1p(e^(−|x|)) so it never overflows.</summary>
    public static Tensor Softplus(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = NewDisposeScope();
        return (nn.functional.relu(x) + (-x.abs()).exp().log1p()).MoveToOuterDisposeScope();
    }

    /// <summary>L_D = mean softplus(−l_real) + mean softplus(l_fake): −V(D, G) of eq. 1, the two means taken separately.</summary>
    public static Tensor Discriminator(Tensor realLogits, Tensor fakeLogits)
    {
        ArgumentNullException.ThrowIfNull(realLogits);
        ArgumentNullException.ThrowIfNull(fakeLogits);
        using var scope = NewDisposeScope();
        return (Softplus(-realLogits).mean() + Softplus(fakeLogits).mean()).MoveToOuterDisposeScope();
    }

    /// <summary>The non-saturating generator loss −mean log D(G(z)) = mean softplus(−l_fake) (Goodfellow et al. 2014, §3).</summary>
    public static Tensor GeneratorNonSaturating(Tensor fakeLogits)
    {
        ArgumentNullException.ThrowIfNull(fakeLogits);
        using var scope = NewDisposeScope();
        return Softplus(-fakeLogits).mean().MoveToOuterDisposeScope();
    }

    /// <summary>The minimax generator loss mean log(1 − D(G(z))) = −mean softplus(l_fake) (eq. 1; saturates, for comparison).</summary>
    public static Tensor GeneratorMinimax(Tensor fakeLogits)
    {
        ArgumentNullException.ThrowIfNull(fakeLogits);
        using var scope = NewDisposeScope();
        return (-Softplus(fakeLogits).mean()).MoveToOuterDisposeScope();
    }
}
