namespace TorchSharp;

public static partial class torch
{
    public static partial class optim
    {
        /// <summary>
        /// Learning-rate schedules. A scheduler sets its optimizer's <see cref="Optimizer.LearningRate"/>
        /// to <c>lr_at(k)</c>, the rate the k-th optimizer step (counting from 0) should use: at
        /// construction it sets <c>lr_at(0)</c>, and each <see cref="LRScheduler.step"/> (called after
        /// <c>optimizer.step()</c>, as in PyTorch) moves on to the next. The same formulas are pure
        /// static functions (<see cref="linear_warmup_lr"/>, <see cref="cosine_annealing_lr"/>,
        /// <see cref="warmup_cosine_lr"/>) so a notebook can plot a schedule without an optimizer.
        /// </summary>
        public static class lr_scheduler
        {
            /// <summary>Linear warm-up: <c>base_lr * min(1, (k + 1) / warmup_steps)</c>. The first step
            /// uses base_lr / warmup_steps and step warmup_steps - 1 reaches base_lr (Goyal et al. 2017, §2.2).</summary>
            public static double linear_warmup_lr(long step, double base_lr, long warmup_steps)
            {
                CheckStep(step);
                if (warmup_steps < 1) throw new ArgumentOutOfRangeException(nameof(warmup_steps), warmup_steps, "warm-up needs at least one step");
                return base_lr * Math.Min(1.0, (step + 1) / (double)warmup_steps);
            }

            /// <summary>Cosine annealing (Loshchilov &amp; Hutter 2017, SGDR eq. 5, one cycle):
            /// <c>eta_min + (base_lr - eta_min) * (1 + cos(pi * min(k, T_max) / T_max)) / 2</c>;
            /// it equals base_lr at k = 0 and stays at eta_min from k = T_max on. This is the closed form
            /// of PyTorch's CosineAnnealingLR for k &lt;= T_max (PyTorch computes it recursively and keeps
            /// oscillating after T_max).</summary>
            public static double cosine_annealing_lr(long step, double base_lr, long T_max, double eta_min = 0)
            {
                CheckStep(step);
                if (T_max < 1) throw new ArgumentOutOfRangeException(nameof(T_max), T_max, "T_max must be at least 1");
                var progress = Math.Min(step, T_max) / (double)T_max;
                return eta_min + (base_lr - eta_min) * (1 + Math.Cos(Math.PI * progress)) / 2;
            }

            /// <summary>Linear warm-up over <paramref name="warmup_steps"/> steps, then cosine annealing
            /// from base_lr to eta_min over the remaining <c>total_steps - warmup_steps</c> steps:
            /// <c>linear_warmup_lr(k)</c> for k &lt; warmup_steps, else
            /// <c>cosine_annealing_lr(k - warmup_steps, T_max: total_steps - warmup_steps)</c>.</summary>
            public static double warmup_cosine_lr(long step, double base_lr, long warmup_steps, long total_steps, double eta_min = 0)
            {
                CheckStep(step);
                if (warmup_steps < 0) throw new ArgumentOutOfRangeException(nameof(warmup_steps), warmup_steps, "warmup_steps must be >= 0");
                if (total_steps <= warmup_steps)
                    throw new ArgumentOutOfRangeException(nameof(total_steps), total_steps, $"total_steps must exceed warmup_steps ({warmup_steps})");
                return step < warmup_steps
                    ? linear_warmup_lr(step, base_lr, warmup_steps)
                    : cosine_annealing_lr(step - warmup_steps, base_lr, total_steps - warmup_steps, eta_min);
            }

            static void CheckStep(long step)
            {
                if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, "the step index must be >= 0");
            }

            /// <summary>Linear warm-up to the optimizer's current learning rate; see <see cref="linear_warmup_lr"/>.</summary>
            public static LRScheduler LinearWarmup(Optimizer optimizer, long warmup_steps) =>
                new FormulaScheduler(optimizer, (k, lr) => linear_warmup_lr(k, lr, warmup_steps), () => linear_warmup_lr(0, 1, warmup_steps));

            /// <summary>Cosine annealing from the optimizer's current learning rate; see <see cref="cosine_annealing_lr"/>.</summary>
            public static LRScheduler CosineAnnealing(Optimizer optimizer, long T_max, double eta_min = 0) =>
                new FormulaScheduler(optimizer, (k, lr) => cosine_annealing_lr(k, lr, T_max, eta_min), () => cosine_annealing_lr(0, 1, T_max, eta_min));

            /// <summary>Linear warm-up then cosine annealing, the usual schedule for training diffusion
            /// models; see <see cref="warmup_cosine_lr"/>.</summary>
            public static LRScheduler WarmupCosine(Optimizer optimizer, long warmup_steps, long total_steps, double eta_min = 0) =>
                new FormulaScheduler(optimizer, (k, lr) => warmup_cosine_lr(k, lr, warmup_steps, total_steps, eta_min),
                    () => warmup_cosine_lr(0, 1, warmup_steps, total_steps, eta_min));

            /// <summary>Drives an optimizer's learning rate through a schedule, one <see cref="step"/> per optimizer step.</summary>
            public abstract class LRScheduler
            {
                protected LRScheduler(Optimizer optimizer)
                {
                    this.optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
                    base_lr = optimizer.LearningRate;
                }

                public Optimizer optimizer { get; }

                /// <summary>The learning rate the schedule starts from (the optimizer's when the scheduler was made).</summary>
                public double base_lr { get; private set; }

                /// <summary>How many times <see cref="step"/> has been called: the index of the optimizer step the current rate is for.</summary>
                public long last_epoch { get; private set; }

                /// <summary>The learning rate for optimizer step k (0-based); a pure function of k.</summary>
                public abstract double lr_at(long step);

                /// <summary>Sets the optimizer's learning rate for step 0; call once from the derived constructor.</summary>
                protected void Start() => optimizer.LearningRate = lr_at(0);

                /// <summary>Advances to the next step's learning rate (call after optimizer.step()).</summary>
                public void step()
                {
                    last_epoch++;
                    optimizer.LearningRate = lr_at(last_epoch);
                }

                /// <summary>The learning rate set by the last step (or at construction).</summary>
                public double get_last_lr() => lr_at(last_epoch);

                /// <summary>The scheduler's position, for checkpoints: <c>last_epoch</c> (int64) and <c>base_lr</c> (float64).
                /// The tensors are outside every dispose scope: dispose them when done.</summary>
                public Dictionary<string, Tensor> state_dict() => new()
                {
                    ["last_epoch"] = tensor(last_epoch).DetachFromDisposeScope(),
                    ["base_lr"] = tensor(base_lr, float64).DetachFromDisposeScope(),
                };

                /// <summary>Restores the position saved by <see cref="state_dict"/> and sets the optimizer's learning rate to match.</summary>
                public void load_state_dict(IReadOnlyDictionary<string, Tensor> state)
                {
                    ArgumentNullException.ThrowIfNull(state);
                    if (!state.TryGetValue("last_epoch", out var epoch) || !state.TryGetValue("base_lr", out var lr))
                        throw new ArgumentException("a scheduler state needs 'last_epoch' and 'base_lr'", nameof(state));
                    var e = epoch.item<long>();
                    if (e < 0) throw new ArgumentException($"last_epoch must be >= 0, got {e}", nameof(state));
                    base_lr = lr.item<double>();
                    last_epoch = e;
                    optimizer.LearningRate = lr_at(last_epoch);
                }
            }

            sealed class FormulaScheduler : LRScheduler
            {
                readonly Func<long, double, double> _formula;

                public FormulaScheduler(Optimizer optimizer, Func<long, double, double> formula, Func<double> validate) : base(optimizer)
                {
                    validate();   // argument errors surface here, not at the first step
                    _formula = formula;
                    Start();
                }

                public override double lr_at(long step) => _formula(step, base_lr);
            }
        }
    }
}
