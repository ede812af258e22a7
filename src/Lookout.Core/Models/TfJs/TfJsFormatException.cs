namespace Lookout.Core.Models.TfJs;

/// <summary>A TF.js model file is malformed or uses something the importer cannot handle. The message names the file/node.</summary>
public sealed class TfJsFormatException(string message, Exception? inner = null) : LookoutException(message, inner);
