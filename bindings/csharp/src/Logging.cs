// TraceSource.TraceEvent is [Conditional("TRACE")]: without this the calls compile to nothing.
#define TRACE

using System;
using System.Diagnostics;
using System.Threading;

namespace HPSocket
{
    /// <summary>
    /// The library's logging hook (<c>HPX_SetLogHandler</c>, docs/abi.md section 10) routed into a
    /// <see cref="TraceSource"/> named <c>"HPSocket"</c>: connections accepted, connecting and
    /// closed with the reason (Information), TLS handshake failures, refusals at
    /// MaxConnectionCount and sends refused by MaxSendQueueBytes (Warning).
    /// </summary>
    /// <remarks>
    /// <para><c>Source.Switch.Level</c> decides everything: the library is told the matching level
    /// the moment the level changes (<see cref="Enable"/>, <see cref="Disable"/>, or
    /// <c>Logging.Source.Switch.Level = ...</c>), so at <c>Off</c> (the default) the hook is not
    /// installed and the library formats nothing. A level set in the application's
    /// configuration file (<c>&lt;source name="HPSocket" switchValue="Information"&gt;</c>) takes
    /// effect when <see cref="Logging"/> is first used.</para>
    /// <para>Levels: the library's ERROR, WARN, INFO and DEBUG records become
    /// <see cref="TraceEventType.Error"/>, <see cref="TraceEventType.Warning"/>,
    /// <see cref="TraceEventType.Information"/> and <see cref="TraceEventType.Verbose"/>; the
    /// message is the component and the text, <c>"TcpServer#3: connection 5 accepted from
    /// 127.0.0.1:40112"</c>, the event id 0.</para>
    /// <para>Listeners run on the thread that logs, usually one of the component's workers in
    /// the middle of its work: keep them quick, thread-safe, and never wait there for the
    /// component (do not Stop or Dispose it from a listener). An exception a listener throws is
    /// caught and counted in <see cref="ListenerFailureCount"/>; it never reaches the library.</para>
    /// </remarks>
    public static class Logging
    {
        /// <summary>The name of <see cref="Source"/>.</summary>
        public const string SourceName = "HPSocket";

        private static readonly object s_lock = new object();
        // Held for the life of the process: the library may call the hook until it is replaced,
        // and even then a record already on its way may still arrive.
        private static readonly NativeMethods.HPX_FN_Log s_hook = OnLog;
        private static readonly TraceSource s_source;
        private static int s_native; // the HPX_LOG_* installed now
        private static bool s_exitHooked;
        private static long s_failures;

        static Logging()
        {
            var source = new TraceSource(SourceName, SourceLevels.Off);
            // Reading the level first applies the configuration file's switchValue, if any.
            source.Switch = new FollowingSwitch(source.Switch.Level);
            s_source = source;
            Apply(source.Switch.Level);
        }

        /// <summary>The <see cref="TraceSource"/> the records go to: add listeners to
        /// <c>Source.Listeners</c>; its <c>Switch.Level</c> is the level the library logs at.</summary>
        /// <remarks>Replacing <c>Source.Switch</c> by another switch object stops the library from
        /// following it; call <see cref="Refresh"/> after each change of that switch.</remarks>
        public static TraceSource Source { get { return s_source; } }

        /// <summary>Logs at <paramref name="level"/> (default Information: connections opened and
        /// closed, and the warnings): sets <c>Source.Switch.Level</c>.</summary>
        public static void Enable(SourceLevels level = SourceLevels.Information)
        {
            s_source.Switch.Level = level;
            Refresh();
        }

        /// <summary>Stops logging: <c>Source.Switch.Level</c> becomes Off and the hook is removed.
        /// A record already being delivered on another thread may still arrive.</summary>
        public static void Disable() { Enable(SourceLevels.Off); }

        /// <summary>Tells the library the level of <c>Source.Switch</c> again (needed only when
        /// <c>Source.Switch</c> was replaced by another switch object).</summary>
        public static void Refresh() { Apply(s_source.Switch.Level); }

        /// <summary>The level installed in the library (<c>NativeMethods.HPX_LOG_*</c>: 0 off, 1
        /// ERROR, 2 WARN, 3 INFO, 4 DEBUG).</summary>
        public static int NativeLevel { get { return Volatile.Read(ref s_native); } }

        /// <summary>How many records a listener threw on (each one caught).</summary>
        public static long ListenerFailureCount { get { return Interlocked.Read(ref s_failures); } }

        /// <summary>The library level that lets through every record <paramref name="level"/>
        /// traces: Verbose (or All) 4, Information 3, Warning 2, Error 1, Critical and Off 0 (the
        /// library has no critical records).</summary>
        public static int NativeLevelFor(SourceLevels level)
        {
            // The bits ShouldTrace tests, so the library sends exactly what the switch keeps.
            if ((level & (SourceLevels)TraceEventType.Verbose) != 0) return NativeMethods.HPX_LOG_DEBUG;
            if ((level & (SourceLevels)TraceEventType.Information) != 0) return NativeMethods.HPX_LOG_INFO;
            if ((level & (SourceLevels)TraceEventType.Warning) != 0) return NativeMethods.HPX_LOG_WARN;
            if ((level & (SourceLevels)TraceEventType.Error) != 0) return NativeMethods.HPX_LOG_ERROR;
            return NativeMethods.HPX_LOG_OFF;
        }

        private static void Apply(SourceLevels level)
        {
            int native = NativeLevelFor(level);
            lock (s_lock)
            {
                if (native == s_native) return;
                if (NativeMethods.HPX_SetLogHandler(native, native == NativeMethods.HPX_LOG_OFF ? null : s_hook, IntPtr.Zero) == 0)
                    throw HPSocketException.FromThread("HPX_SetLogHandler");
                Volatile.Write(ref s_native, native);
                if (native != NativeMethods.HPX_LOG_OFF && !s_exitHooked)
                {
                    // Worker threads of components never disposed may still log while the
                    // runtime shuts down: no managed call from then on.
                    AppDomain.CurrentDomain.ProcessExit += (sender, e) =>
                    {
                        try
                        {
                            lock (s_lock)
                            {
                                NativeMethods.HPX_SetLogHandler(NativeMethods.HPX_LOG_OFF, null, IntPtr.Zero);
                                Volatile.Write(ref s_native, NativeMethods.HPX_LOG_OFF);
                            }
                        }
                        catch (Exception)
                        {
                            // the library is gone already: nothing to turn off
                        }
                    };
                    s_exitHooked = true;
                }
            }
        }

        private static TraceEventType TypeOf(int level)
        {
            switch (level)
            {
                case NativeMethods.HPX_LOG_ERROR: return TraceEventType.Error;
                case NativeMethods.HPX_LOG_WARN: return TraceEventType.Warning;
                case NativeMethods.HPX_LOG_INFO: return TraceEventType.Information;
                default: return TraceEventType.Verbose;
            }
        }

        private static void OnLog(int level, IntPtr source, IntPtr message, IntPtr context)
        {
            // The hook may run inside a library call on the application's thread; what the
            // listeners do must not change the errno that call is about to report.
            int errno = SysError.GetErrno();
            try
            {
                TraceEventType type = TypeOf(level);
                TraceSource ts = s_source;
                if (!ts.Switch.ShouldTrace(type)) return;
                ts.TraceEvent(type, 0, Utf8.Decode(source) + ": " + Utf8.Decode(message));
            }
            catch (Exception)
            {
                Interlocked.Increment(ref s_failures);
            }
            finally
            {
                SysError.SetErrno(errno);
            }
        }

        /// <summary>A SourceSwitch that tells the library each new level.</summary>
        private sealed class FollowingSwitch : SourceSwitch
        {
            public FollowingSwitch(SourceLevels level) : base(SourceName, level.ToString()) { }

            protected override void OnSwitchSettingChanged()
            {
                base.OnSwitchSettingChanged();
                // Not yet installed while the static constructor builds it; Apply runs there.
                if (s_source != null) Apply(Level);
            }
        }
    }
}
