namespace Lookout.Cli.Infrastructure;

/// <summary>
/// Exit codes users and scripts can rely on. A command over many inputs tells "some items failed" (3: every other item
/// was answered and the output lists each failure) apart from "the run failed" (1: nothing usable was produced).
/// </summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int Usage = 2;
    public const int SomeItemsFailed = 3;
    public const int Cancelled = 130;

    /// <summary>0 when every item was answered, 3 when some failed and the others were answered, 1 when none was.</summary>
    public static int ForItems(int answered, int failed) =>
        failed == 0 ? Ok : answered > 0 ? SomeItemsFailed : Failure;
}
