using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

// Usage: Lookout.MlNetPeer <train-dir> <test-dir>   (one sub-folder per label in each)
// Prints one JSON line: {"trainer":..,"correct":..,"count":..,"accuracy":..,"seconds":..}
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Lookout.MlNetPeer <train-dir> <test-dir>");
    return 2;
}
var clock = Stopwatch.StartNew();
var ml = new MLContext(seed: 1);
var train = ml.Data.LoadFromEnumerable(ImageRow.Folder(args[0]));
var test = ml.Data.LoadFromEnumerable(ImageRow.Folder(args[1]));
var pipeline = ml.Transforms.Conversion.MapValueToKey("LabelKey", nameof(ImageRow.Label))
    .Append(ml.Transforms.LoadImages("Image", imageFolder: "", inputColumnName: nameof(ImageRow.Path)))
    .Append(ml.Transforms.ResizeImages("Image", 224, 224, "Image"))
    .Append(ml.Transforms.ExtractPixels("Pixels", "Image"))
    .Append(ml.Transforms.DnnFeaturizeImage("Features", m => m.ModelSelector.ResNet18(ml, m.OutputColumn, m.InputColumn), "Pixels"))
    // As ML.NET's docs advise before a trainer that makes several passes (SDCA): without the cache every pass
    // featurizes every image again through ResNet-18 (a run took > 30 min instead of minutes).
    .AppendCacheCheckpoint(ml)
    .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("LabelKey", "Features"))
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedText", "PredictedLabel"));
var model = pipeline.Fit(train);
var predictions = ml.Data.CreateEnumerable<Prediction>(model.Transform(test), reuseRowObject: false).ToList();
int correct = predictions.Count(p => p.PredictedText == p.Label);
Console.WriteLine(JsonSerializer.Serialize(new
{
    trainer = "DnnFeaturizeImage(ResNet18) + SdcaMaximumEntropy (ML.NET 6.0.0)",
    correct,
    count = predictions.Count,
    accuracy = predictions.Count == 0 ? 0 : (double)correct / predictions.Count,
    seconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
}));
return 0;

internal sealed class ImageRow
{
    public string Path { get; set; } = "";
    public string Label { get; set; } = "";

    public static IEnumerable<ImageRow> Folder(string dir) =>
        Directory.EnumerateDirectories(dir).OrderBy(d => d, StringComparer.Ordinal).SelectMany(label =>
            Directory.EnumerateFiles(label).Where(f => f.EndsWith(".png", true, CultureInfo.InvariantCulture) || f.EndsWith(".jpg", true, CultureInfo.InvariantCulture))
                .OrderBy(f => f, StringComparer.Ordinal)
                .Select(f => new ImageRow { Path = System.IO.Path.GetFullPath(f), Label = System.IO.Path.GetFileName(label) }));
}

internal sealed class Prediction
{
    public string Label { get; set; } = "";
    public string PredictedText { get; set; } = "";
}
