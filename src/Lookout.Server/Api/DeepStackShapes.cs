using System.Text.Json.Serialization;

namespace Lookout.Server.Api;

// (contract) DeepStack / CodeProject.AI shapes; field names are what Blue Iris, Home Assistant and Node-RED read.
// Every success answer carries DeepStack's "duration" (milliseconds here; Node-RED passes it on as msg.duration)
// and CodeProject.AI's inferenceMs/processMs where there is inference. Clients ignore fields they do not know.

public sealed record DeepStackPrediction(
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("confidence")] float Confidence,
    [property: JsonPropertyName("x_min")] int XMin,
    [property: JsonPropertyName("y_min")] int YMin,
    [property: JsonPropertyName("x_max")] int XMax,
    [property: JsonPropertyName("y_max")] int YMax);

public sealed record DeepStackPredictions(
    [property: JsonPropertyName("success")] bool Success,
    [property: JsonPropertyName("predictions")] IReadOnlyList<DeepStackPrediction> Predictions,
    [property: JsonPropertyName("inferenceMs")] long InferenceMs,
    [property: JsonPropertyName("processMs")] long ProcessMs,
    [property: JsonPropertyName("duration")] double Duration);

public sealed record DeepStackScene(
    [property: JsonPropertyName("success")] bool Success,
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("confidence")] float Confidence,
    [property: JsonPropertyName("inferenceMs")] long InferenceMs,
    [property: JsonPropertyName("processMs")] long ProcessMs,
    [property: JsonPropertyName("duration")] double Duration);

/// <summary>CodeProject.AI's <c>/v1/vision/custom/list</c>: the served model names.</summary>
public sealed record DeepStackModelList(
    [property: JsonPropertyName("success")] bool Success,
    [property: JsonPropertyName("models")] IReadOnlyList<string> Models,
    [property: JsonPropertyName("duration")] double Duration);

/// <summary>One entry of DeepStack's <c>/v1/vision/listmodels</c>: size in MB (10^6 bytes), as DeepStack reports it.</summary>
public sealed record DeepStackModelInfo(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("dateupdated")] DateTimeOffset DateUpdated,
    [property: JsonPropertyName("size")] float Size);

public sealed record DeepStackModelInfos(
    [property: JsonPropertyName("success")] bool Success,
    [property: JsonPropertyName("models")] IReadOnlyList<DeepStackModelInfo> Models,
    [property: JsonPropertyName("duration")] double Duration);

/// <summary>A recognised face: <c>userid</c> is an enrolled name or "unknown" (then confidence 0, as DeepStack).</summary>
public sealed record DeepStackFacePrediction(
    [property: JsonPropertyName("userid")] string UserId,
    [property: JsonPropertyName("confidence")] float Confidence,
    [property: JsonPropertyName("x_min")] int XMin,
    [property: JsonPropertyName("y_min")] int YMin,
    [property: JsonPropertyName("x_max")] int XMax,
    [property: JsonPropertyName("y_max")] int YMax);

public sealed record DeepStackFacePredictions(
    [property: JsonPropertyName("success")] bool Success,
    [property: JsonPropertyName("predictions")] IReadOnlyList<DeepStackFacePrediction> Predictions,
    [property: JsonPropertyName("inferenceMs")] long InferenceMs,
    [property: JsonPropertyName("processMs")] long ProcessMs,
    [property: JsonPropertyName("duration")] double Duration);

/// <summary>Face register: "face added" for a new name, "face updated" when the name was already enrolled (DeepStack's words).</summary>
public sealed record DeepStackMessage(
    [property: JsonPropertyName("success")] bool Success,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("duration")] double Duration);

public sealed record DeepStackFaceList(
    [property: JsonPropertyName("success")] bool Success,
    [property: JsonPropertyName("faces")] IReadOnlyList<string> Faces,
    [property: JsonPropertyName("duration")] double Duration);

public sealed record DeepStackSuccess(
    [property: JsonPropertyName("success")] bool Success,
    [property: JsonPropertyName("duration")] double Duration);

public sealed record DeepStackError(
    [property: JsonPropertyName("success")] bool Success,
    [property: JsonPropertyName("error")] string Error);
