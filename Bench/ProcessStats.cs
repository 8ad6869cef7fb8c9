namespace RealtimeAspire.Bench;

/// <summary>CPU time and resident memory of other processes, read from /proc (Linux).</summary>
internal static class ProcessStats
{
    private const double ClockTicksPerSecond = 100; // getconf CLK_TCK on Linux x86-64

    /// <summary>utime + stime of the whole process in seconds; NaN when it is gone.</summary>
    public static double CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (double.Parse(fields[11]) + double.Parse(fields[12])) / ClockTicksPerSecond;
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }

    /// <summary>VmRSS in KiB; NaN when the process is gone.</summary>
    public static double RssKiB(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? double.NaN : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }

    public static double TotalCpuSeconds(IEnumerable<int> pids) => pids.Sum(CpuSeconds);
}
