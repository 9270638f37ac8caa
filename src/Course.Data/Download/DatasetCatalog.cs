namespace Course.Data;

/// <summary>One file of a data set as published: its name, size, SHA-256 and the URLs it is served from (tried in order).</summary>
public sealed record RemoteFile(string FileName, long Size, string Sha256, IReadOnlyList<Uri> Urls);

/// <summary>A downloadable data set: a folder name under the cache root and its files.</summary>
public sealed record RemoteDataset(string Name, string Title, IReadOnlyList<RemoteFile> Files);

/// <summary>
/// Where MNIST, Fashion-MNIST and CIFAR-10 are published, with the SHA-256 of each file.
///
/// Provenance of the checksums: the dataset authors publish MD5s (Fashion-MNIST's README; the MD5s
/// torchvision checks are quoted in the comments), not SHA-256s. The SHA-256s and sizes below are the
/// ones TensorFlow Datasets records for these same URLs (tensorflow/datasets,
/// tensorflow_datasets/url_checksums/{mnist,fashion_mnist,cifar10}.txt). They are UNVERIFIED here:
/// this project's machines have no internet access. They could not be derived from Debian's
/// dataset-fashion-mnist either, because Debian recompressed the .gz files (each is 24 bytes
/// shorter than upstream's, so its hashes differ although the IDX content is the same data set).
/// </summary>
public static class DatasetCatalog
{
    static Uri[] Mirrors(string fileName, params string[] bases) => bases.Select(b => new Uri(b + fileName)).ToArray();

    const string MnistOssci = "https://ossci-datasets.s3.amazonaws.com/mnist/";
    const string MnistCvdf = "https://storage.googleapis.com/cvdf-datasets/mnist/";

    /// <summary>MNIST (LeCun, Cortes and Burges); the original yann.lecun.com host now asks for a login,
    /// so the mirrors torchvision and TensorFlow use are listed.</summary>
    public static RemoteDataset Mnist { get; } = new("mnist", "MNIST", new[]
    {
        // torchvision MD5 f68b3c2dcbeaaa9fbdd348bbdeb94873
        new RemoteFile("train-images-idx3-ubyte.gz", 9912422, "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", Mirrors("train-images-idx3-ubyte.gz", MnistOssci, MnistCvdf)),
        // torchvision MD5 d53e105ee54ea40749a09fcbcd1e9432
        new RemoteFile("train-labels-idx1-ubyte.gz", 28881, "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", Mirrors("train-labels-idx1-ubyte.gz", MnistOssci, MnistCvdf)),
        // torchvision MD5 9fb629c4189551a2d022fa330f9573f3
        new RemoteFile("t10k-images-idx3-ubyte.gz", 1648877, "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", Mirrors("t10k-images-idx3-ubyte.gz", MnistOssci, MnistCvdf)),
        // torchvision MD5 ec29112dd5afa0611ce80d1b7f02629c
        new RemoteFile("t10k-labels-idx1-ubyte.gz", 4542, "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", Mirrors("t10k-labels-idx1-ubyte.gz", MnistOssci, MnistCvdf)),
    });

    const string FashionGitHub = "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/";
    const string FashionS3 = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";

    /// <summary>Fashion-MNIST (Zalando Research, MIT licence), from its GitHub repository and its S3 bucket.</summary>
    public static RemoteDataset FashionMnist { get; } = new("fashion-mnist", "Fashion-MNIST", new[]
    {
        // upstream MD5 8d4fb7e6c68d591d4c3dfef9ec88bf0d
        new RemoteFile("train-images-idx3-ubyte.gz", 26421880, "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84", Mirrors("train-images-idx3-ubyte.gz", FashionGitHub, FashionS3)),
        // upstream MD5 25c81989df183df01b3e8a0aad5dffbe
        new RemoteFile("train-labels-idx1-ubyte.gz", 29515, "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845", Mirrors("train-labels-idx1-ubyte.gz", FashionGitHub, FashionS3)),
        // upstream MD5 bef4ecab320f06d8554ea6380940ec79
        new RemoteFile("t10k-images-idx3-ubyte.gz", 4422102, "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073", Mirrors("t10k-images-idx3-ubyte.gz", FashionGitHub, FashionS3)),
        // upstream MD5 bb300cfdad3c16e7a12a480ee83cd310
        new RemoteFile("t10k-labels-idx1-ubyte.gz", 5148, "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5", Mirrors("t10k-labels-idx1-ubyte.gz", FashionGitHub, FashionS3)),
    });

    /// <summary>CIFAR-10, binary version (Krizhevsky 2009), from its home page.
    /// Its MD5 on that page: c32a1d4ab5d03f1284b67883e8d87530.</summary>
    public static RemoteDataset Cifar10 { get; } = new("cifar-10", "CIFAR-10", new[]
    {
        new RemoteFile("cifar-10-binary.tar.gz", 170052171, "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd", Mirrors("cifar-10-binary.tar.gz", "https://www.cs.toronto.edu/~kriz/")),
    });

    public static IReadOnlyList<RemoteDataset> All { get; } = new[] { Mnist, FashionMnist, Cifar10 };

    /// <summary>A data set by name ("mnist", "fashion-mnist", "cifar-10"; case-insensitive).</summary>
    public static RemoteDataset Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var key = name.Trim().ToLowerInvariant().Replace('_', '-');
        if (key is "fashionmnist") key = "fashion-mnist";
        if (key is "cifar10") key = "cifar-10";
        return All.FirstOrDefault(d => d.Name == key)
            ?? throw new ArgumentException($"unknown data set '{name}'; known: {string.Join(", ", All.Select(d => d.Name))}", nameof(name));
    }
}
