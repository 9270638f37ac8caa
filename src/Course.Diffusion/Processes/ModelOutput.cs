namespace Course.Diffusion.Processes;

/// <summary>What a denoising network predicts from (x_t, t).</summary>
public enum ModelOutput
{
    /// <summary>The noise eps in x_t = sqrt(alpha-bar) x_0 + sqrt(1 - alpha-bar) eps (Ho et al. 2020).</summary>
    Epsilon,
    /// <summary>The clean sample x_0 itself.</summary>
    X0,
    /// <summary>The velocity v = sqrt(alpha-bar) eps - sqrt(1 - alpha-bar) x_0 (Salimans &amp; Ho 2022, eq. 12 area).</summary>
    V,
}

/// <summary>The variance of p_theta(x_{t-1} | x_t) (Ho et al. 2020, section 3.2: both gave similar samples).</summary>
public enum ReverseVariance
{
    /// <summary>sigma_t^2 = beta-tilde_t, the posterior variance: optimal when x_0 is a single point ("fixed small").</summary>
    FixedSmall,
    /// <summary>sigma_t^2 = beta_t: optimal for x_0 ~ N(0, I) ("fixed large"); at t = 1 beta-tilde_2 is used, as in improved-diffusion.</summary>
    FixedLarge,
}
