using System;
using System.Diagnostics;
using System.Threading;

namespace HPSocket.Tests
{
    /// <summary>The code OnClose reports when a handler fails (docs/abi.md section 17: the errno
    /// the callback set, else ECANCELED), and <see cref="CloseReason"/>/<see cref="SysError"/>.</summary>
    public static class CloseReasonTests
    {
        private const int ECANCELED = 125, EBADSLT = 57;

        /// <summary>Runs a server whose OnReceive is <paramref name="receive"/>, sends it one byte
        /// and returns the reason of the server's OnClose.</summary>
        private static CloseReason ServerClose(ReceiveEventHandler<TcpServer> receive, CallbackExceptionEventHandler onException)
        {
            using (TcpServer server = new TcpServer())
            using (TcpClient client = new TcpClient())
            {
                server.WorkerThreadCount = 1;
                CloseReason reason = default(CloseReason);
                var closed = new ManualResetEventSlim(false);
                server.OnReceive += receive;
                server.OnClose += (s, id, op, code) => { reason = new CloseReason(op, code); closed.Set(); return HandleResult.Ok; };
                if (onException != null) server.OnCallbackException += onException;
                ushort port = Util.Start(server);
                Assert.True(client.Start("127.0.0.1", port, false), "client Start: " + client.ErrorMessage);
                Assert.True(client.Send(new byte[] { 1 }), "client Send");
                Assert.Wait(closed, "the server's OnClose");
                return reason;
            }
        }

        /// <summary>The reported case, in a fresh process (the console is not set up yet, as in
        /// a program that never wrote to it): OnReceive throws, nobody subscribes to
        /// OnCallbackException, the binding writes the exception to standard error (a pipe).
        /// Before the fix OnClose said (Receive, 25 ENOTTY): the console's set-up left errno.</summary>
        [Test]
        public static void Throwing_handler_without_subscriber_closes_with_ECANCELED_in_a_fresh_process()
        {
            string self = typeof(Runner).Assembly.Location;
            string mono = Process.GetCurrentProcess().MainModule.FileName;
            var psi = new ProcessStartInfo(mono, "--debug \"" + self + "\" --child throwing-receive")
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using (Process p = Process.Start(psi))
            {
                var err = p.StandardError.ReadToEndAsync();
                string output = p.StandardOutput.ReadToEnd().Trim();
                Assert.True(p.WaitForExit(60000), "the child ends");
                string stderr = err.Result;
                Assert.True(stderr.Contains("HPSocket: OnReceive handler threw (connection closed): System.InvalidOperationException: child"),
                    "the exception was written to standard error: " + stderr);
                Assert.Equal("Receive: Operation canceled (125)", output, "the child's OnClose (stderr: " + stderr + ")");
                Assert.Equal(0, p.ExitCode, "child exit code");
            }
        }

        /// <summary>The child of the test above: nothing touches the console before OnClose.</summary>
        public static int Child(string name)
        {
            if (name != "throwing-receive") return 2;
            CloseReason r = ServerClose((s, id, d) => { throw new InvalidOperationException("child"); }, null);
            Console.WriteLine(r);
            return r.Operation == SocketOperation.Receive && r.ErrorCode == ECANCELED ? 0 : 1;
        }

        /// <summary>In this process (console set up): without a subscriber, and with one that
        /// writes to standard error and leaves errno set by a failed library call.</summary>
        [Test]
        public static void Throwing_handler_closes_with_ECANCELED()
        {
            CloseReason r = ServerClose((s, id, d) => { throw new InvalidOperationException("test: OnReceive throws (expected on stderr)"); }, null);
            Assert.Equal(new CloseReason(SocketOperation.Receive, ECANCELED), r, "no subscriber");

            r = ServerClose((s, id, d) => { throw new InvalidOperationException("test: OnReceive throws"); }, (s, cb, e) =>
            {
                Console.Error.WriteLine("test: reported " + cb + ": " + e.Message);
                Assert.False(((TcpServer)s).Send(new IntPtr(987654), new byte[] { 1 }), "a send to an unknown connection fails (errno EBADSLT)");
            });
            Assert.Equal(new CloseReason(SocketOperation.Receive, ECANCELED), r, "subscriber");
        }

        /// <summary>A handler returning Error: ECANCELED, or the errno of the library call that
        /// failed just before (HP-Socket's rule, kept).</summary>
        [Test]
        public static void Handler_returning_Error_closes_with_its_errno_or_ECANCELED()
        {
            CloseReason r = ServerClose((s, id, d) => HandleResult.Error, null);
            Assert.Equal(new CloseReason(SocketOperation.Receive, ECANCELED), r, "plain Error");
            r = ServerClose((s, id, d) => s.Send(new IntPtr(987654), d) ? HandleResult.Ok : HandleResult.Error, null);
            Assert.Equal(new CloseReason(SocketOperation.Receive, EBADSLT), r, "Error after a failed Send");
            Assert.Equal("Receive: Invalid slot (57)", r.ToString(), "text");
        }

        [Test]
        public static void CloseReason_and_SysError_texts()
        {
            var reset = new CloseReason(SocketOperation.Receive, 104);
            Assert.Equal("Receive: Connection reset by peer (104)", reset.ToString(), "ToString");
            Assert.Equal("ECONNRESET", reset.ErrorName, "ErrorName");
            Assert.Equal("Connection reset by peer", reset.ErrorText, "ErrorText");
            Assert.True(reset.IsError, "IsError");
            var clean = new CloseReason(SocketOperation.Close, 0);
            Assert.Equal("Close: no error", clean.ToString(), "clean close");
            Assert.False(clean.IsError, "clean IsError");
            Assert.Equal(null, clean.ErrorName, "no name for 0");
            Assert.True(clean != reset && clean == new CloseReason(SocketOperation.Close, 0), "equality");
            Assert.Equal("ECANCELED", SysError.Name(125), "125");
            Assert.Equal("Operation canceled", SysError.Text(125), "125 text");
            Assert.Equal("EAGAIN", SysError.Name(11), "11: EAGAIN, not EWOULDBLOCK");
            Assert.Equal("EHWPOISON", SysError.Name(133), "last");
            Assert.Equal("Unknown error 134", SysError.Text(134), "past the table");
            Assert.Equal("Unknown error -1", SysError.Text(-1), "negative");
            Assert.Equal(null, SysError.Name(41), "a hole in Linux's numbering");
            Assert.Equal("Connection refused (111)", SysError.Describe(111), "Describe");
            Assert.Equal("no error", SysError.Describe(0), "Describe 0");
        }

        /// <summary>The library's own texts agree with the table (SYS_GetLastErrorStr after a
        /// failed call): EBADSLT after a send to an unknown connection.</summary>
        [Test]
        public static void SysError_agrees_with_the_library()
        {
            using (TcpServer server = new TcpServer())
            {
                Util.Start(server);
                Assert.False(server.Send(new IntPtr(987654), new byte[] { 1 }), "send to an unknown connection");
                int code = HP.SysLastError;
                string text = HP.SysLastErrorStr;
                Assert.Equal(EBADSLT, code, "errno");
                Assert.Equal(text, SysError.Text(code), "text");
            }
        }
    }
}
