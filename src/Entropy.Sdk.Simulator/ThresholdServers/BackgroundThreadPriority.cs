using System.Runtime.InteropServices;

namespace Entropy.Simulator.ThresholdServers;

/// <summary>
/// Lowers the calling thread's CPU priority: the devnet's safe-prime pool (lowest) yields to the registrations' own key generations
/// (<see cref="ComputeThreads"/>), and those to request handling and block production. <see cref="Thread.Priority"/> does this on
/// Windows; .NET does not apply thread priorities on Linux, where the nice value is per thread and <c>setpriority(PRIO_PROCESS, 0, n)</c>
/// sets the calling thread's.
/// </summary>
internal static partial class BackgroundThreadPriority
{
    /// <summary>The lowest priority (highest nice value) on Linux.</summary>
    public const int LowestNice = 19;

    /// <summary>Makes the calling thread the least favoured for the CPU; does nothing where that is not available.</summary>
    public static void LowerCurrentThread() => LowerCurrentThread(LowestNice, ThreadPriority.Lowest);

    /// <summary>Lowers the calling thread's priority: to <paramref name="nice"/> on Linux, to <paramref name="priority"/> elsewhere.</summary>
    /// <param name="nice">The nice value on Linux (0 normal … 19 lowest).</param>
    /// <param name="priority">The thread priority elsewhere.</param>
    public static void LowerCurrentThread(int nice, ThreadPriority priority)
    {
        Thread.CurrentThread.Priority = priority;
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            // Raising one's own nice value needs no privilege; a failure leaves the thread at its priority (nothing to report).
            _ = Posix.SetPriority(0, 0, nice);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // No libc with setpriority: keep the default priority.
        }
    }

    private static partial class Posix
    {
        /// <summary><c>setpriority(which, who, prio)</c>; <c>which</c> 0 = PRIO_PROCESS, <c>who</c> 0 = the calling thread on Linux.</summary>
        [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
        public static partial int SetPriority(int which, int who, int prio);
    }
}
