using System.Runtime.CompilerServices;

namespace Lookout.Server.Tests;

/// <summary>
/// The test classes run in parallel, and several block pool threads while they wait (model passes, gates held on
/// purpose, browsers); without a floor the pool adds about one thread a second, so a test's Task.Run could wait
/// seconds for a thread on a 2-core CI box. A floor of 32 keeps waits short; it changes no behaviour under test.
/// </summary>
internal static class ThreadPoolFloor
{
    [ModuleInitializer]
    internal static void Raise()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));
    }
}
