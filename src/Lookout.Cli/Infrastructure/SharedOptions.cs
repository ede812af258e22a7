using System.CommandLine;
using Lookout.Core.Models.Backbones;

namespace Lookout.Cli.Infrastructure;

/// <summary>Options several verbs take, defined once so their name, help and default never drift apart.</summary>
public static class SharedOptions
{
    /// <summary>A new <c>--backbone/-b</c> option (System.CommandLine options belong to one command each).</summary>
    public static Option<string> Backbone(string purpose = "Feature extractor") => new("--backbone", "-b")
    {
        Description = $"{purpose}: {string.Join(", ", BackboneResolver.Names)}, or a backbone .onnx path.",
        DefaultValueFactory = _ => BackboneResolver.DefaultName,
    };
}
