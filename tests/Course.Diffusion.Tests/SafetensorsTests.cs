using System.Text;
using System.Text.Json;

using Course.Diffusion.Checkpoints;
using Course.Diffusion.Models;
using System.Runtime.InteropServices;

namespace Course.Diffusion.Tests;

public sealed class SafetensorsTests : IDisposable
{
    readonly string _folder = Path.Combine(Path.GetTempPath(), "ct-safetensors-" + Guid.NewGuid().ToString("N"));

    public SafetensorsTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        foreach (var f in Directory.EnumerateFileSystemEntries(_folder))
        {
            if (Directory.Exists(f)) { new DirectoryInfo(f).Attributes = FileAttributes.Normal; Directory.Delete(f, true); }
            else File.Delete(f);
        }
        Directory.Delete(_folder);
    }

    string PathOf(string name) => Path.Combine(_folder, name);

    /// <summary>One tensor of every dtype the format maps, plus a scalar, an empty and a non-contiguous tensor.</summary>
    static Dictionary<string, Tensor> Sample()
    {
        manual_seed(7);
        using var base32 = randn(3, 4);
        using var big = base32 * 40;
        return new Dictionary<string, Tensor>
        {
            ["f32"] = base32.clone(),
            ["f64"] = base32.to(float64) / 3,
            ["f16"] = base32.to(float16),
            ["bf16"] = base32.to(bfloat16),
            ["i64"] = big.to(int64),
            ["i32"] = big.to(int32),
            ["i16"] = big.to(int16),
            ["i8"] = big.clamp(-128, 127).to(int8),
            ["u8"] = big.abs().clamp(0, 255).to(uint8),
            ["bool"] = base32.gt(0),
            ["scalar"] = tensor(3.25, float64),
            ["empty"] = zeros(new long[] { 0, 5 }),
            ["transposed"] = base32.t(),   // not contiguous: saved in row-major order of its own shape
            ["blocks.0.norm+γ <scale>"] = ones(2),   // names are any UTF-8 string
        };
    }

    static void AssertSameTensor(string name, Tensor expected, Tensor actual)
    {
        Assert.True(expected.dtype == actual.dtype, $"'{name}': dtype {actual.dtype} instead of {expected.dtype}");
        Assert.True(expected.shape.SequenceEqual(actual.shape), $"'{name}': shape [{string.Join(", ", actual.shape)}] instead of [{string.Join(", ", expected.shape)}]");
        using var e = expected.to(float64);
        using var a = actual.to(float64);
        Assert.Equal(Values(e), Values(a));
    }

    /// <summary>The elements of a float64 tensor (TorchSharp's data&lt;T&gt;().ToArray() throws on an empty tensor).</summary>
    static double[] Values(Tensor t) => t.numel() == 0 ? Array.Empty<double>() : t.data<double>().ToArray();

    static void DisposeAll(Dictionary<string, Tensor> d) { foreach (var t in d.Values) t.Dispose(); }

    [Fact]
    public void RoundTripKeepsEveryDtypeShapeValueAndMetadata()
    {
        var tensors = Sample();
        var path = PathOf("all.safetensors");
        Safetensors.Save(tensors, path, new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode ✓" });
        var loaded = Safetensors.Load(path);
        Assert.Equal(tensors.Keys.Order(), loaded.Keys.Order());
        foreach (var (name, t) in tensors) AssertSameTensor(name, t, loaded[name]);
        Assert.Equal("ünïcode ✓", Safetensors.ReadMetadata(path)["note"]);
        // The layout the format prescribes: header length is a multiple of 8, data follow at once.
        var bytes = File.ReadAllBytes(path);
        var headerLength = (long)BitConverter.ToUInt64(bytes, 0);
        Assert.Equal(0, headerLength % 8);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        Assert.Equal("BF16", header.RootElement.GetProperty("bf16").GetProperty("dtype").GetString());
        Assert.Equal(bytes.Length - 8 - headerLength, header.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__")
            .Sum(p => p.Value.GetProperty("data_offsets")[1].GetInt64() - p.Value.GetProperty("data_offsets")[0].GetInt64()));
        DisposeAll(tensors);
        DisposeAll(loaded);
    }

    [Fact]
    public void PythonReadsOurFileWithAHandWrittenParser()
    {
        var tensors = Sample();
        var path = PathOf("for-python.safetensors");
        Safetensors.Save(tensors, path, new Dictionary<string, string> { ["writer"] = "Course.Torch" });
        var json = Python.Run("""
            import json, struct, sys, torch
            DT = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64,
                  "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool}
            raw = open(sys.argv[1], "rb").read()
            (n,) = struct.unpack("<Q", raw[:8])
            header = json.loads(raw[8:8 + n].decode("utf-8"))
            data = raw[8 + n:]
            out = {"__metadata__": header.pop("__metadata__", {})}
            for name, e in header.items():
                b, end = e["data_offsets"]
                dt = DT[e["dtype"]]
                if end > b:
                    t = torch.frombuffer(bytearray(data[b:end]), dtype=dt).reshape(e["shape"])
                else:
                    t = torch.empty(e["shape"], dtype=dt)
                out[name] = {"dtype": str(dt), "shape": list(t.shape), "values": t.double().flatten().tolist()}
            print(json.dumps(out))
            """, path);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal("Course.Torch", root.GetProperty("__metadata__").GetProperty("writer").GetString());
        foreach (var (name, t) in tensors)
        {
            var e = root.GetProperty(name);
            Assert.Equal("torch." + (t.dtype == ScalarType.Bool ? "bool" : t.dtype.ToString() switch
            {
                "Float32" => "float32", "Float64" => "float64", "Float16" => "float16", "BFloat16" => "bfloat16", "Int64" => "int64",
                "Int32" => "int32", "Int16" => "int16", "Int8" => "int8", "Byte" => "uint8", var other => other,
            }), e.GetProperty("dtype").GetString());
            Assert.Equal(t.shape, e.GetProperty("shape").EnumerateArray().Select(v => v.GetInt64()));
            using var d = t.to(float64);
            Assert.Equal(Values(d), e.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()));
        }
        DisposeAll(tensors);
    }

    [Fact]
    public void WeReadAFileWrittenByPythonByHand()
    {
        var path = PathOf("from-python.safetensors");
        var expected = Python.Run("""
            import json, struct, sys, torch
            torch.manual_seed(3)
            ts = {
                "weight": torch.randn(3, 4),
                "table": torch.randn(2, 3, dtype=torch.float64),
                "half": torch.randn(5).half(),
                "brain": torch.randn(2, 2).bfloat16(),
                "ids": torch.arange(-3, 3, dtype=torch.int64),
                "count": torch.tensor([7, -8], dtype=torch.int32),
                "pixels": torch.tensor([[0, 128, 255]], dtype=torch.uint8),
                "mask": torch.tensor([True, False, True]),
                "scalar": torch.tensor(2.5),
            }
            CODE = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64",
                    torch.int32: "I32", torch.uint8: "U8", torch.bool: "BOOL"}
            header, blobs, offset = {"__metadata__": {"source": "python"}}, [], 0
            for name, t in ts.items():
                raw = (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).contiguous().numpy().tobytes()
                header[name] = {"dtype": CODE[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
                blobs.append(raw)
                offset += len(raw)
            h = json.dumps(header).encode("utf-8")
            h += b" " * (-len(h) % 8)
            with open(sys.argv[1], "wb") as f:
                f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
            print(json.dumps({n: {"dtype": CODE[t.dtype], "shape": list(t.shape), "values": t.double().flatten().tolist()} for n, t in ts.items()}))
            """, path);
        using var doc = JsonDocument.Parse(expected);
        var loaded = Safetensors.Load(path);
        Assert.Equal("python", Safetensors.ReadMetadata(path)["source"]);
        var codes = new Dictionary<string, ScalarType>
        {
            ["F32"] = float32, ["F64"] = float64, ["F16"] = float16, ["BF16"] = bfloat16, ["I64"] = int64, ["I32"] = int32, ["U8"] = uint8, ["BOOL"] = @bool,
        };
        Assert.Equal(doc.RootElement.EnumerateObject().Count(), loaded.Count);
        foreach (var e in doc.RootElement.EnumerateObject())
        {
            var t = loaded[e.Name];
            Assert.Equal(codes[e.Value.GetProperty("dtype").GetString()!], t.dtype);
            Assert.Equal(e.Value.GetProperty("shape").EnumerateArray().Select(v => v.GetInt64()), t.shape);
            Assert.Equal(DeviceType.CPU, t.device.type);   // TorchSharp's Device compares by reference
            using var d = t.to(float64);
            Assert.Equal(e.Value.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()), Values(d));
        }
        DisposeAll(loaded);
    }

    // ---------------------------------------------------------------- corrupt files

    /// <summary>Writes a file from a header string and data bytes; the length field can be overridden.</summary>
    string RawFile(string name, string header, byte[] data, ulong? lengthField = null)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var path = PathOf(name);
        using var f = File.Create(path);
        f.Write(BitConverter.GetBytes(lengthField ?? (ulong)h.Length));
        f.Write(h);
        f.Write(data);
        return path;
    }

    static CorruptFileException AssertCorrupt(string path, params string[] words)
    {
        var ex = Assert.Throws<CorruptFileException>(() => Safetensors.Load(path));
        Assert.Equal(path, ex.FilePath);
        Assert.Contains(path, ex.Message);
        foreach (var w in words) Assert.Contains(w, ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.IsAssignableFrom<IOException>(ex);
        return ex;
    }

    const string GoodHeader = """{"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}""";

    [Fact]
    public void CorruptFilesRaiseCorruptFileExceptionNamingFileAndProblem()
    {
        var sixteen = new byte[16];
        // Sanity: the hand-made good file loads.
        var good = RawFile("good.safetensors", GoodHeader, sixteen);
        var ok = Safetensors.Load(good);
        Assert.Equal(new long[] { 2, 2 }, ok["a"].shape);
        DisposeAll(ok);

        var tooShort = PathOf("short.safetensors");
        File.WriteAllBytes(tooShort, new byte[] { 1, 2, 3 });
        AssertCorrupt(tooShort, "too short");

        AssertCorrupt(RawFile("length.safetensors", GoodHeader, sixteen, lengthField: 1_000_000), "header length", "1000000");
        AssertCorrupt(RawFile("json.safetensors", "{\"a\": {\"dtype\": \"F32\", [[[", sixteen), "not valid JSON");
        AssertCorrupt(RawFile("array.safetensors", "[1, 2, 3]", sixteen), "should be a JSON object");
        AssertCorrupt(RawFile("dtype.safetensors", """{"a":{"dtype":"F128","shape":[2,2],"data_offsets":[0,16]}}""", sixteen), "F128", "dtype");
        AssertCorrupt(RawFile("mismatch.safetensors", """{"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}}""", new byte[12]), "'a'", "needs 16 bytes", "span 12");
        AssertCorrupt(RawFile("overlap.safetensors",
            """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", new byte[12]), "overlaps");
        AssertCorrupt(RawFile("gap.safetensors", """{"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", new byte[12]), "gap");
        AssertCorrupt(RawFile("shape.safetensors", """{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", new byte[8]), "shape");
        AssertCorrupt(RawFile("trailing.safetensors", GoodHeader, new byte[20]), "20 bytes of data", "16");

        // A valid file cut short loses the end of its last tensor.
        var tensors = new Dictionary<string, Tensor> { ["x"] = ones(10), ["y"] = ones(3, 3) };
        var cut = PathOf("cut.safetensors");
        Safetensors.Save(tensors, cut);
        var full = File.ReadAllBytes(cut);
        File.WriteAllBytes(cut, full[..^4]);
        AssertCorrupt(cut, "truncated", "'y'");
        DisposeAll(tensors);

        Assert.Throws<FileNotFoundException>(() => Safetensors.Load(PathOf("missing.safetensors")));
    }

    // ---------------------------------------------------------------- atomic writes

    /// <summary>A tensor on PyTorch's "meta" device (c10::DeviceType::Meta = 14) has a dtype and a shape
    /// but no data: the header can be written, but copying its elements fails. Saved after a real
    /// tensor, it makes the write fail midway, after bytes have gone to disk.</summary>
    static Tensor DataLessTensor() => empty(new long[] { 1000 }, float32, new Device((DeviceType)14));

    [Fact]
    public void AFailedWriteLeavesThePreviousFileIntact()
    {
        var path = PathOf("model.safetensors");
        var original = new Dictionary<string, Tensor> { ["w"] = arange(6, float32).reshape(2, 3) };
        Safetensors.Save(original, path);
        var before = File.ReadAllBytes(path);

        using var dataless = DataLessTensor();
        var failing = new Dictionary<string, Tensor> { ["first"] = ones(100_000), ["second"] = dataless };
        var midway = Assert.Throws<ExternalException>(() => Safetensors.Save(failing, path));
        Assert.Contains("meta", midway.Message, StringComparison.OrdinalIgnoreCase);
        failing["first"].Dispose();
        Assert.Equal(before, File.ReadAllBytes(path));
        var reloaded = Safetensors.Load(path);
        AssertSameTensor("w", original["w"], reloaded["w"]);
        DisposeAll(reloaded);
        Assert.Equal(new[] { "model.safetensors" }, Directory.GetFiles(_folder).Select(Path.GetFileName));   // no temporary left behind

        // A tensor disposed before the call: refused before anything is written.
        var disposed = ones(3);
        disposed.Dispose();
        // Course.Torch: ObjectDisposedException; TorchSharp: InvalidOperationException ("Tensor invalid -- empty handle").
        Assert.ThrowsAny<InvalidOperationException>(() => Safetensors.Save(new Dictionary<string, Tensor> { ["gone"] = disposed }, path));
        Assert.Equal(before, File.ReadAllBytes(path));

        // The target is a folder: the final rename fails, and the temporary file is removed.
        var folderTarget = PathOf("a-folder");
        Directory.CreateDirectory(folderTarget);
        Assert.ThrowsAny<IOException>(() => Safetensors.Save(original, folderTarget));
        Assert.True(Directory.Exists(folderTarget));
        Assert.Equal(new[] { "model.safetensors" }, Directory.GetFiles(_folder).Select(Path.GetFileName));

        Assert.Throws<DirectoryNotFoundException>(() => Safetensors.Save(original, PathOf("no/such/folder/x.safetensors")));

        // A read-only folder stops the write before it starts (root ignores permissions, so only as a normal user).
        if (!OperatingSystem.IsWindows() && !string.Equals(Environment.UserName, "root", StringComparison.Ordinal))
        {
            var locked = PathOf("locked");
            Directory.CreateDirectory(locked);
            var target = Path.Combine(locked, "m.safetensors");
            Safetensors.Save(original, target);
            var lockedBefore = File.ReadAllBytes(target);
            File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            try { Assert.ThrowsAny<UnauthorizedAccessException>(() => Safetensors.Save(failing, target)); }
            finally { File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute); }
            Assert.Equal(lockedBefore, File.ReadAllBytes(target));
        }
        DisposeAll(original);
    }

    [Fact]
    public void SaveRejectsReservedAndUnsupportedEntries()
    {
        using var t = ones(2);
        Assert.Throws<ArgumentException>(() => Safetensors.Save(new Dictionary<string, Tensor> { ["__metadata__"] = t }, PathOf("m.safetensors")));
        Assert.Throws<ArgumentException>(() => Safetensors.Save(new Dictionary<string, Tensor> { [""] = t }, PathOf("m.safetensors")));
        Assert.Empty(Directory.GetFiles(_folder));
    }

    // ---------------------------------------------------------------- modules

    sealed class TinyNet : nn.Module<Tensor, Tensor>
    {
        readonly Parameter weight, bias;

        public TinyNet(long seed) : base(nameof(TinyNet))
        {
            manual_seed(seed);
            using var w = randn(4, 3);
            using var b = randn(4);
            weight = new Parameter(w);
            bias = new Parameter(b);
            register_buffer("running_mean", full(new long[] { 4 }, seed, float64));
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var y = input.matmul(weight.t());
            return y + bias;
        }
    }

    [Fact]
    public void ModuleSaveAndLoadRoundTripParametersAndBuffers()
    {
        var path = PathOf("tiny.safetensors");
        using var a = new TinyNet(1);
        using var b = new TinyNet(2);
        a.save_safetensors(path);
        b.load_safetensors(path);
        var sa = a.state_dict();
        var sb = b.state_dict();
        Assert.Equal(new[] { "bias", "running_mean", "weight" }, sb.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, t) in sa) AssertSameTensor(name, t, sb[name]);
        using var x = randn(2, 3);
        using var ya = a.call(x);
        using var yb = b.call(x);
        Assert.Equal(ya.data<float>().ToArray(), yb.data<float>().ToArray());
        // Parameters keep their identity (the optimizer still holds them) and still require grad.
        Assert.True(b.parameters().All(p => p.requires_grad));
        // state_dict gives the modules' own tensors (as TorchSharp does): they are not disposed here.

        // A file of another shape is refused by load_state_dict with the offending name.
        Safetensors.Save(new Dictionary<string, Tensor> { ["weight"] = zeros(3, 3), ["bias"] = zeros(4), ["running_mean"] = zeros(new long[] { 4 }, float64) }, path);
        Assert.Contains("weight", Assert.Throws<ArgumentException>(() => b.load_safetensors(path)).Message);
    }

    [Fact]
    public void LoadedTensorsJoinTheCurrentDisposeScope()
    {
        var path = PathOf("scoped.safetensors");
        using (var t = ones(3)) Safetensors.Save(new Dictionary<string, Tensor> { ["t"] = t }, path);
        Tensor kept;
        using (NewDisposeScope())
        {
            var loaded = Safetensors.Load(path);
            kept = loaded["t"];
            Assert.False(kept.IsInvalid);
        }
        Assert.True(kept.IsInvalid);
    }
}
