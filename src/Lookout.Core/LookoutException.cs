namespace Lookout.Core;

/// <summary>A failure whose message is meant for the user as is (bad input, missing run, unknown label...).</summary>
public class LookoutException(string message, Exception? inner = null) : Exception(message, inner);
