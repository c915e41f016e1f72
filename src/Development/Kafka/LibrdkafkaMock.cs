using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace Streaming.Development.Kafka;

/// <summary>
/// P/Invoke into librdkafka's mock cluster API (rdkafka_mock.h), which the .NET client does not wrap.
/// </summary>
/// <remarks>
/// The calls must reach the very librdkafka file that Confluent.Kafka loaded: on machines without
/// libsasl2 it falls back from librdkafka.so to another build, and a second copy of the library would
/// hold its own, separate state.
/// </remarks>
internal static partial class LibrdkafkaMock
{
    private const string Library = "librdkafka";
    private const int ProducerType = 0;

    static LibrdkafkaMock() =>
        NativeLibrary.SetDllImportResolver(typeof(LibrdkafkaMock).Assembly, Resolve);

    [LibraryImport(Library)]
    internal static partial IntPtr rd_kafka_conf_new();

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_conf_set(IntPtr conf, string name, string value, IntPtr errstr, UIntPtr errstrSize);

    [LibraryImport(Library)]
    internal static partial IntPtr rd_kafka_new(int type, IntPtr conf, IntPtr errstr, UIntPtr errstrSize);

    [LibraryImport(Library)]
    internal static partial void rd_kafka_destroy(IntPtr rk);

    [LibraryImport(Library)]
    internal static partial IntPtr rd_kafka_mock_cluster_new(IntPtr rk, int brokerCount);

    [LibraryImport(Library)]
    internal static partial void rd_kafka_mock_cluster_destroy(IntPtr cluster);

    [LibraryImport(Library)]
    internal static partial IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr cluster);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_mock_topic_create(IntPtr cluster, string topic, int partitions, int replicationFactor);

    [LibraryImport(Library)]
    internal static partial int rd_kafka_mock_broker_set_down(IntPtr cluster, int brokerId);

    [LibraryImport(Library)]
    internal static partial int rd_kafka_mock_broker_set_up(IntPtr cluster, int brokerId);

    [LibraryImport(Library)]
    internal static partial int rd_kafka_mock_broker_set_rtt(IntPtr cluster, int brokerId, int rttMs);

    [LibraryImport(Library)]
    internal static partial void rd_kafka_mock_group_initial_rebalance_delay_ms(IntPtr cluster, int delayMs);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_mock_partition_set_leader(IntPtr cluster, string topic, int partition, int brokerId);

    /// <param name="keyType"><c>group</c> or <c>transaction</c>.</param>
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_mock_coordinator_set(IntPtr cluster, string keyType, string key, int brokerId);

    /// <summary>The next <paramref name="count"/> requests of <paramref name="apiKey"/>, to any broker, fail with these codes in turn.</summary>
    [LibraryImport(Library)]
    internal static partial void rd_kafka_mock_push_request_errors_array(IntPtr cluster, short apiKey, UIntPtr count, [In] int[] errors);

    [LibraryImport(Library)]
    internal static partial void rd_kafka_mock_clear_request_errors(IntPtr cluster, short apiKey);

    /// <summary>A client handle to own a mock cluster; it never connects anywhere.</summary>
    internal static IntPtr NewOwnerHandle()
    {
        var errorBuffer = Marshal.AllocHGlobal(512);
        try
        {
            var conf = rd_kafka_conf_new();
            // The owner handle never connects; without a bootstrap list it would warn that it cannot.
            _ = rd_kafka_conf_set(conf, "log_level", "3", errorBuffer, 512);
            var handle = rd_kafka_new(ProducerType, conf, errorBuffer, 512);
            if (handle == IntPtr.Zero)
            {
                throw new InvalidOperationException($"rd_kafka_new failed: {Marshal.PtrToStringUTF8(errorBuffer)}");
            }

            return handle;
        }
        finally
        {
            Marshal.FreeHGlobal(errorBuffer);
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != Library)
        {
            return IntPtr.Zero;
        }

        // Touching the version makes Confluent.Kafka load its native library first, by its own rules.
        _ = Confluent.Kafka.Library.VersionString;
        var loaded = Process.GetCurrentProcess().Modules.Cast<ProcessModule>()
            .Select(m => m.FileName)
            .FirstOrDefault(f => Path.GetFileName(f).Contains("rdkafka", StringComparison.OrdinalIgnoreCase));
        return loaded is not null
            ? NativeLibrary.Load(loaded)
            : throw new DllNotFoundException(new StringBuilder()
                .Append("Confluent.Kafka reports librdkafka ").Append(Confluent.Kafka.Library.VersionString)
                .Append(" loaded, but no librdkafka module is mapped into this process.").ToString());
    }
}
