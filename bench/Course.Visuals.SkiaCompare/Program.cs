using System.Collections.Immutable;
using System.Diagnostics;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Course.Visuals.Rendering;

// Usage: Course.Visuals.SkiaCompare [compare [DIR] [RUNS]]      every gallery figure, own rasterizer vs SkiaSharp
//        Course.Visuals.SkiaCompare refcheck PATH/TorchSharp.dll  does TorchSharp's use of SkiaSharp resolve against the SkiaSharp loaded here?
if (args.Length >= 2 && args[0] == "refcheck") return RefCheck.Run(args[1]);

var dir = args.Length > 1 ? args[1] : "/tmp/skia-compare";
int runs = args.Length > 2 ? int.Parse(args[2]) : 5;
Directory.CreateDirectory(Path.Combine(dir, "own"));
Directory.CreateDirectory(Path.Combine(dir, "skia"));
Console.WriteLine($"SkiaSharp {typeof(SkiaSharp.SKBitmap).Assembly.GetName().Version}, typeface '{SkiaSceneRenderer.Typeface.FamilyName}', "
    + $"{Environment.ProcessorCount} cores, .NET {Environment.Version}; median of {runs} after one warm-up, scale 1");
Console.WriteLine($"{"figure",-13} {"size",9} | {"own raster",10} {"own +png",9} {"KiB",6} | {"skia raster",11} {"skia +png",9} {"KiB",6}");
double[] sums = new double[4];
foreach (var (name, source) in Gallery.All())
{
    Scene scene = source switch
    {
        FigureSource f => f.F.ToScene(),
        VisualSource { V: Course.Visuals.TrainingProgress p } => p.ToScene(),
        VisualSource { V: Course.Visuals.TensorSummary s } => s.ToScene(),
        AnimationSource a => a.A.FrameScene(a.A.StillFrame ?? a.A.Frames.Count - 1),
        _ => throw new InvalidOperationException(name),
    };
    var ownPng = SceneRasterizer.Render(scene).ToPng();
    var skiaPng = SkiaSceneRenderer.ToPng(scene);
    File.WriteAllBytes(Path.Combine(dir, "own", name + ".png"), ownPng);
    File.WriteAllBytes(Path.Combine(dir, "skia", name + ".png"), skiaPng);
    double[] t =
    {
        Median(() => SceneRasterizer.Render(scene)),
        Median(() => SceneRasterizer.Render(scene).ToPng()),
        Median(() => SkiaSceneRenderer.Render(scene).Dispose()),
        Median(() => SkiaSceneRenderer.ToPng(scene)),
    };
    for (int i = 0; i < 4; i++) sums[i] += t[i];
    Console.WriteLine($"{name,-13} {scene.Width + "x" + scene.Height,9} | {t[0],10:0.0} {t[1],9:0.0} {ownPng.Length / 1024.0,6:0.0} | {t[2],11:0.0} {t[3],9:0.0} {skiaPng.Length / 1024.0,6:0.0}");
}
Console.WriteLine($"{"total",-13} {"",9} | {sums[0],10:0.0} {sums[1],9:0.0} {"",6} | {sums[2],11:0.0} {sums[3],9:0.0}");
// two pictures outside the gallery: a scale the font atlas has no faces for (it bakes 9-36 px),
// and characters it does not bake (accented Latin, double-struck, ℓ, €)
var gallery = Gallery.All();
var extras = new (string Name, Scene Scene, double Scale)[]
{
    ("schedule@3x", ((FigureSource)gallery["schedule"]).F.ToScene(), 3),
    ("unicode", new Course.Visuals.Figure(560, 300).Title("Schätzfehler 𝔼‖ε − ε̂‖² in ℓ₂, Kosten in €")
        .Line(new[] { 0.0, 1, 2, 3 }, new[] { 1.0, 0.5, 0.3, 0.2 }, name: "é, ü, ñ, ĉ, Ж, ∮").XLabel("Schritt n → ∞").YLabel("Fehler ½‖·‖").ToScene(), 1),
};
foreach (var (name, scene, scale) in extras)
{
    File.WriteAllBytes(Path.Combine(dir, "own", name + ".png"), SceneRasterizer.Render(scene, scale).ToPng());
    File.WriteAllBytes(Path.Combine(dir, "skia", name + ".png"), SkiaSceneRenderer.ToPng(scene, scale));
    Console.WriteLine($"{name,-13} {scene.Width + "x" + scene.Height,9} at scale {scale}: pictures only");
}
Console.WriteLine($"pictures in {dir}/own and {dir}/skia");
return 0;

double Median(Action make)
{
    make();
    var times = new List<double>();
    for (int i = 0; i < runs; i++)
    {
        var sw = Stopwatch.StartNew();
        make();
        times.Add(sw.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    return times[times.Count / 2];
}

/// <summary>Lists the SkiaSharp members an assembly (TorchSharp.dll) calls and checks each against the
/// SkiaSharp assembly this program runs with: a member it lacks is a MissingMethodException at run time.</summary>
internal static class RefCheck
{
    public static int Run(string path)
    {
        var skia = typeof(SkiaSharp.SKBitmap).Assembly;
        using var pe = new PEReader(File.OpenRead(path));
        var md = pe.GetMetadataReader();
        foreach (var h in md.AssemblyReferences)
        {
            var a = md.GetAssemblyReference(h);
            if (md.GetString(a.Name).StartsWith("SkiaSharp")) Console.WriteLine($"{Path.GetFileName(path)} references {md.GetString(a.Name)} {a.Version}; running with {skia.GetName().Version}");
        }
        var provider = new Names();
        int missing = 0, total = 0;
        foreach (var h in md.MemberReferences)
        {
            var mr = md.GetMemberReference(h);
            if (mr.Parent.Kind != HandleKind.TypeReference) continue;
            var tr = md.GetTypeReference((TypeReferenceHandle)mr.Parent);
            if (!IsSkia(md, tr)) continue;
            string typeName = Names.Full(md, tr), member = md.GetString(mr.Name);
            var type = skia.GetType(typeName);
            bool ok;
            string sig;
            if (mr.GetKind() == MemberReferenceKind.Method)
            {
                var ms = mr.DecodeMethodSignature(provider, null);
                sig = $"{ms.ReturnType} {typeName}.{member}({string.Join(", ", ms.ParameterTypes)})";
                var flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;
                IEnumerable<MethodBase> cands = member == ".ctor" ? type?.GetConstructors(flags) ?? [] : type?.GetMethods(flags).Where(m => m.Name == member) ?? [];
                ok = cands.Any(c => c.GetParameters().Select(p => p.ParameterType.ToString()).SequenceEqual(ms.ParameterTypes));
            }
            else
            {
                sig = $"{typeName}.{member} (field)";
                ok = type?.GetField(member) is not null;
            }
            total++;
            if (!ok) missing++;
            Console.WriteLine($"  {(ok ? "ok     " : "MISSING")} {sig}");
        }
        Console.WriteLine($"{total} SkiaSharp member references, {missing} missing in SkiaSharp {skia.GetName().Version}");
        return missing == 0 ? 0 : 1;
    }

    private static bool IsSkia(MetadataReader md, TypeReference tr) => tr.ResolutionScope.Kind switch
    {
        HandleKind.AssemblyReference => md.GetString(md.GetAssemblyReference((AssemblyReferenceHandle)tr.ResolutionScope).Name).StartsWith("SkiaSharp"),
        HandleKind.TypeReference => IsSkia(md, md.GetTypeReference((TypeReferenceHandle)tr.ResolutionScope)),
        _ => false,
    };

    /// <summary>Type names as System.Type.ToString writes them, so signatures compare as strings.</summary>
    private sealed class Names : ISignatureTypeProvider<string, object?>
    {
        public static string Full(MetadataReader md, TypeReference tr) => tr.ResolutionScope.Kind == HandleKind.TypeReference
            ? Full(md, md.GetTypeReference((TypeReferenceHandle)tr.ResolutionScope)) + "+" + md.GetString(tr.Name)
            : (tr.Namespace.IsNil ? "" : md.GetString(tr.Namespace) + ".") + md.GetString(tr.Name);
        public string GetPrimitiveType(PrimitiveTypeCode c) => c switch
        {
            PrimitiveTypeCode.Void => "System.Void", PrimitiveTypeCode.Boolean => "System.Boolean", PrimitiveTypeCode.Char => "System.Char",
            PrimitiveTypeCode.SByte => "System.SByte", PrimitiveTypeCode.Byte => "System.Byte", PrimitiveTypeCode.Int16 => "System.Int16",
            PrimitiveTypeCode.UInt16 => "System.UInt16", PrimitiveTypeCode.Int32 => "System.Int32", PrimitiveTypeCode.UInt32 => "System.UInt32",
            PrimitiveTypeCode.Int64 => "System.Int64", PrimitiveTypeCode.UInt64 => "System.UInt64", PrimitiveTypeCode.Single => "System.Single",
            PrimitiveTypeCode.Double => "System.Double", PrimitiveTypeCode.String => "System.String", PrimitiveTypeCode.IntPtr => "System.IntPtr",
            PrimitiveTypeCode.UIntPtr => "System.UIntPtr", PrimitiveTypeCode.Object => "System.Object", _ => c.ToString(),
        };
        public string GetTypeFromReference(MetadataReader md, TypeReferenceHandle h, byte kind) => Full(md, md.GetTypeReference(h));
        public string GetTypeFromDefinition(MetadataReader md, TypeDefinitionHandle h, byte kind)
        {
            var td = md.GetTypeDefinition(h);
            return (td.Namespace.IsNil ? "" : md.GetString(td.Namespace) + ".") + md.GetString(td.Name);
        }
        public string GetTypeFromSpecification(MetadataReader md, object? ctx, TypeSpecificationHandle h, byte kind) => md.GetTypeSpecification(h).DecodeSignature(this, ctx);
        public string GetSZArrayType(string e) => e + "[]";
        public string GetArrayType(string e, ArrayShape s) => e + "[" + new string(',', s.Rank - 1) + "]";
        public string GetByReferenceType(string e) => e + "&";
        public string GetPointerType(string e) => e + "*";
        public string GetGenericInstantiation(string g, ImmutableArray<string> a) => g + "[" + string.Join(",", a) + "]";
        public string GetGenericTypeParameter(object? ctx, int i) => "T" + i;
        public string GetGenericMethodParameter(object? ctx, int i) => "M" + i;
        public string GetFunctionPointerType(MethodSignature<string> s) => "fnptr";
        public string GetModifiedType(string m, string u, bool req) => u;
        public string GetPinnedType(string e) => e;
    }
}
