using Course.Diffusion.Models;
using Course.Diffusion.Processes;
using Course.Diffusion.Schedules;
using Course.Diffusion.Training;
using Course.Diffusion.TrainLive;

namespace Course.Diffusion.Tests;

/// <summary>Lesson 10's helpers: samples laid out by class, the preview grid, and the stored measurements.</summary>
public class TrainLiveTests
{
    [Fact]
    public void Labels_are_class_major_and_bytes_round_like_an_8_bit_image()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(new long[] { 0, 0, 1, 1, 2, 2 }, ClassSamples.Labels(3, 2).data<long>().ToArray());
        var images = tensor(new float[] { -1, -0.999f, 0, 0.5f, 1, 1.5f }).reshape(1, 1, 2, 3);
        var bytes = ClassSamples.ToBytes(images, out var shape);
        Assert.Equal(new long[] { 1, 2, 3 }, shape);
        // round((x + 1) · 127.5), clamped to 0…255: 0, round(0.1275) = 0, round(127.5) = 128 (to even), 191.25 → 191, 255, 255
        Assert.Equal(new byte[] { 0, 0, 128, 191, 255, 255 }, bytes);
        Assert.Throws<ArgumentOutOfRangeException>(() => ClassSamples.Labels(0, 3));
        Assert.Throws<ArgumentException>(() => ClassSamples.ToBytes(zeros(2, 3), out _));
    }

    [Fact]
    public void Draw_samples_every_label_in_batches_and_asks_the_model_for_each_batchs_classes()
    {
        using var scope = NewDisposeScope();
        var seen = new List<long>();
        Denoiser recorder = (x, t, labels) =>
        {
            if ((long)t[0].ToInt64() == new LiveTrainingRecipe().Sampler().Schedule.Timesteps[^1]) seen.AddRange(labels!.data<long>().ToArray());
            return zeros_like(x);
        };
        var labels = ClassSamples.Labels(3, 5);                       // 15 samples
        var done = new List<int>();
        var recipe = new LiveTrainingRecipe();
        var images = ClassSamples.Draw(recorder, recipe.Sampler(), labels, new long[] { 1, 4, 4 }, new Generator(1), batchSize: 4, done: done.Add);
        Assert.Equal(new long[] { 15, 1, 4, 4 }, images.shape);
        Assert.Equal(new[] { 4, 8, 12, 15 }, done);
        Assert.Equal(labels.data<long>().ToArray(), seen);            // each batch asked for its own classes, in order
        // v = 0 means x̂_0 = √ᾱ x_t, pulled towards 0 at every step: the samples end inside [-1, 1].
        Assert.True(images.abs().max().ToSingle() <= 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => ClassSamples.Draw(recorder, recipe.Sampler(), labels, new long[] { 1, 4, 4 }, new Generator(1), batchSize: 0));
    }

    [Fact]
    public void The_preview_draws_with_the_ema_weights_from_the_same_noise_and_keeps_the_trained_weights()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(3);
        var images = rand(new long[] { 30, 1, 8, 8 }, generator: g) * 2 - 1;
        var labels = randint(0, 3, new long[] { 30 }, generator: g);
        var recipe = new LiveTrainingRecipe { Model = new CompactUNetConfig { ImageSize = 8, Channels = new[] { 8, 16 }, Groups = 4, NumClasses = 3 }, BatchSize = 8 };
        using var model = recipe.CreateModel();
        using var trainer = new DiffusionTrainer(model, recipe.Schedule(), TrainingData.FromTensor(images, labels), recipe.TrainingOptions(TimeSpan.FromMinutes(1)));
        for (int i = 0; i < 3; i++) trainer.TrainStep();
        var trained = model.parameters().Select(p => p.data<float>().ToArray()).ToList();
        using var preview = new LivePreview(trainer, model, recipe, every: TimeSpan.FromHours(1), perClass: 2);
        Assert.True(preview.Due);
        Assert.True(preview.DrawIfDue());
        Assert.False(preview.Due);                                    // an hour until the next one
        Assert.False(preview.DrawIfDue());
        Assert.Equal(new long[] { 6, 1, 8, 8 }, preview.Latest!.shape);
        Assert.Equal(3, preview.LatestStep);
        var first = preview.Latest.data<float>().ToArray();
        Assert.Equal(trained, model.parameters().Select(p => p.data<float>().ToArray()).ToList());
        Assert.True(model.training);
        Assert.True(preview.Draw());                                  // same weights, same noise: the same grid
        Assert.Equal(first, preview.Latest!.data<float>().ToArray());

        // It is the EMA that is drawn: the same sampler on the EMA's weights gives the same grid.
        using var copy = recipe.CreateModel();
        trainer.Ema.CopyTo(copy);
        copy.eval();
        var noise = randn(new long[] { 6, 1, 8, 8 }, generator: new Generator(1));
        var expected = recipe.Sampler().Sample(recipe.Guided(copy), noise.shape, classLabels: ClassSamples.Labels(3, 2), initialNoise: noise);
        Assert.Equal(expected.data<float>().ToArray(), first);
    }

    [Fact]
    public void Stored_measurements_average_their_seeds_and_judge_each_recipe_at_its_best_guidance()
    {
        var file = TrainingTests.TempFile("live.json");
        try
        {
            File.WriteAllText(file, """
                {"measured": "2026-12-07", "machine": "test", "floor_fid": 2.5, "floor_accuracy": 0.92, "rows": [
                 {"recipe": "reference", "minutes": 1, "seed": 0, "steps": 400, "guidance": 1.5, "n": 2000, "fid": 100, "kid": 9, "precision": 0.8, "recall": 0.2, "accuracy": 0.8, "sample_s": 70, "load": [4, 5]},
                 {"recipe": "reference", "minutes": 1, "seed": 0, "steps": 400, "guidance": 3, "n": 2000, "fid": 80, "kid": 8, "precision": 0.8, "recall": 0.1, "accuracy": 0.9, "sample_s": null, "load": [4, 5]},
                 {"recipe": "reference", "minutes": 1, "seed": 1, "steps": 500, "guidance": 1.5, "n": 2000, "fid": 60, "kid": 7, "precision": 0.8, "recall": 0.2, "accuracy": 0.8, "sample_s": 60, "load": [3, 6]},
                 {"recipe": "reference", "minutes": 1, "seed": 1, "steps": 500, "guidance": 3, "n": 2000, "fid": 90, "kid": 8, "precision": 0.8, "recall": 0.1, "accuracy": 0.9, "sample_s": null, "load": [3, 6]},
                 {"recipe": "course", "minutes": 1, "steps": 800, "guidance": 4, "n": 2000, "fid": 70, "kid": 6, "precision": 0.7, "recall": 0.1, "accuracy": 0.95, "sample_s": 30, "load": [4, 4]}]}
                """);
            var results = LiveTrainingResults.Load(file);
            var best = results.Best();
            Assert.Equal(2, best.Count);
            var course = best.Single(r => r.Recipe == "course");
            Assert.Equal((1, 70.0, -1), (course.Runs, course.Fid, course.Seed));   // an average has no one seed
            // The reference: mean FID 80 at 1.5 ((100 + 60) / 2) against 85 at 3: judged at 1.5.
            var reference = best.Single(r => r.Recipe == "reference");
            Assert.Equal((2, 1.5, 80.0, 450L, 65.0), (reference.Runs, reference.Guidance, reference.Fid, reference.Steps, reference.SampleSeconds!.Value));
            Assert.Equal(new[] { 3.0, 6.0 }, reference.Load);
            var text = results.ToText();
            Assert.Contains("floor (real images, same n): FID 2.50", text);
            Assert.Contains("reference    2     450      1.5    80.00", text);
            Assert.Throws<FileNotFoundException>(() => LiveTrainingResults.Load(file + ".missing"));
        }
        finally { File.Delete(file); }
    }
}
