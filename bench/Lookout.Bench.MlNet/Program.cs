using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

// The ML.NET peer of `lookout classify`: the standard image pipeline on Lookout's exported model (uint8 NHWC input,
// preprocessing in the graph), one image per row, as the ML.NET samples write it.
// Usage: Lookout.Bench.MlNet <model.onnx> <image folder> [size=224]
// Prints one line: "<images> <seconds> <sum of top scores>" (the sum proves every row was computed).
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Lookout.Bench.MlNet <model.onnx> <image folder> [size]");
    return 2;
}
string model = args[0], folder = args[1];
int size = args.Length > 2 ? int.Parse(args[2]) : 224;
var files = Directory.GetFiles(folder, "*.jpg").Order(StringComparer.Ordinal).Select(f => new ImageRow { Path = f }).ToList();

var clock = Stopwatch.StartNew();
var ml = new MLContext(seed: 1);
var data = ml.Data.LoadFromEnumerable(files);
var pipeline = ml.Transforms.LoadImages("img", imageFolder: folder, inputColumnName: nameof(ImageRow.Path))
    .Append(ml.Transforms.ResizeImages("img", size, size, resizing: ImageResizingEstimator.ResizingKind.IsoCrop))
    .Append(ml.Transforms.ExtractPixels("image", "img", interleavePixelColors: true, outputAsFloatArray: false))
    .Append(ml.Transforms.ApplyOnnxModel(outputColumnNames: ["probs"], inputColumnNames: ["image"], modelFile: model,
        shapeDictionary: new Dictionary<string, int[]> { ["image"] = [1, size, size, 3] }, gpuDeviceId: null, fallbackToCpu: false));
var transformed = pipeline.Fit(data).Transform(data);
int n = 0;
double sum = 0;
foreach (var row in ml.Data.CreateEnumerable<Scored>(transformed, reuseRowObject: true))
{
    sum += row.Probs.Max();
    n++;
}
Console.WriteLine(FormattableString.Invariant($"{n} {clock.Elapsed.TotalSeconds:0.000} {sum:0.0000}"));
return n == files.Count ? 0 : 1;

public sealed class ImageRow
{
    public string Path { get; set; } = "";
}

public sealed class Scored
{
    [ColumnName("probs")]
    public float[] Probs { get; set; } = [];
}
