// A small console test runner for Mono (no NuGet here, so no NUnit/xUnit): every public static
// method marked [Test] in this assembly runs on its own thread with a time limit; the runner
// prints one line per test and then "N passed, N failed", and exits 1 on any failure.
//
//   mono HPSocket.Tests.exe [substring...]    run the tests whose name contains a substring
//   mono HPSocket.Tests.exe --child NAME      a scenario a test runs in a fresh process
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Reflection;
using System.Threading;

namespace HPSocket.Tests
{
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class TestAttribute : Attribute
    {
        /// <summary>Seconds the test may take.</summary>
        public int Timeout = 120;
    }

    public sealed class AssertionException : Exception
    {
        public AssertionException(string message) : base(message) { }
    }

    public static class Assert
    {
        public static void True(bool condition, string what)
        {
            if (!condition) throw new AssertionException("expected true: " + what);
        }

        public static void False(bool condition, string what)
        {
            if (condition) throw new AssertionException("expected false: " + what);
        }

        public static void Equal<T>(T expected, T actual, string what)
        {
            if (!EqualityComparer<T>.Default.Equals(expected, actual))
                throw new AssertionException(string.Format("{0}: expected {1}, got {2}", what, expected, actual));
        }

        public static void Wait(WaitHandle h, string what, int seconds = 30)
        {
            if (!h.WaitOne(TimeSpan.FromSeconds(seconds)))
                throw new AssertionException("timed out after " + seconds + " s waiting for " + what);
        }

        public static void Wait(CountdownEvent h, string what, int seconds = 30)
        {
            if (!h.Wait(TimeSpan.FromSeconds(seconds)))
                throw new AssertionException("timed out after " + seconds + " s waiting for " + what + " (" + h.CurrentCount + " left)");
        }

        public static void Wait(ManualResetEventSlim h, string what, int seconds = 30)
        {
            if (!h.Wait(TimeSpan.FromSeconds(seconds)))
                throw new AssertionException("timed out after " + seconds + " s waiting for " + what);
        }

        /// <summary>Polls <paramref name="condition"/> every 5 ms until it holds.</summary>
        public static void Until(Func<bool> condition, string what, int seconds = 30)
        {
            var deadline = DateTime.UtcNow.AddSeconds(seconds);
            while (!condition())
            {
                if (DateTime.UtcNow > deadline)
                    throw new AssertionException("timed out after " + seconds + " s waiting for " + what);
                Thread.Sleep(5);
            }
        }

        public static T Throws<T>(Action a, string what) where T : Exception
        {
            try { a(); }
            catch (T e) { return e; }
            catch (Exception e) { throw new AssertionException(what + ": expected " + typeof(T).Name + ", got " + e.GetType().Name + ": " + e.Message); }
            throw new AssertionException(what + ": expected " + typeof(T).Name + ", nothing thrown");
        }
    }

    public static class Runner
    {
        public static int Main(string[] args)
        {
            // A test that needs a fresh process runs this program again with "--child NAME".
            if (args.Length == 2 && args[0] == "--child") return CloseReasonTests.Child(args[1]);
            MethodInfo[] tests = typeof(Runner).Assembly.GetTypes()
                .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
                .Where(m => m.GetCustomAttributes(typeof(TestAttribute), false).Length > 0)
                .Where(m => args.Length == 0 || args.Any(a => (m.DeclaringType.Name + "." + m.Name).Contains(a)))
                .OrderBy(m => m.DeclaringType.Name).ThenBy(m => m.MetadataToken)
                .ToArray();
            Console.WriteLine("HPSocket C# tests: {0} tests, library {1}", tests.Length, HP.VersionString);
            int passed = 0, failed = 0;
            foreach (MethodInfo m in tests)
            {
                string name = m.DeclaringType.Name + "." + m.Name;
                int limit = ((TestAttribute)m.GetCustomAttributes(typeof(TestAttribute), false)[0]).Timeout;
                Exception error = null;
                Stopwatch sw = Stopwatch.StartNew();
                Thread t = new Thread(() =>
                {
                    try { m.Invoke(null, null); }
                    catch (TargetInvocationException e) { error = e.InnerException; }
                    catch (Exception e) { error = e; }
                });
                t.IsBackground = true;
                t.Start();
                bool done = t.Join(TimeSpan.FromSeconds(limit));
                if (!done) error = new TimeoutException("did not finish within " + limit + " s");
                if (error == null)
                {
                    passed++;
                    Console.WriteLine("ok     {0} ({1} ms)", name, sw.ElapsedMilliseconds);
                }
                else
                {
                    failed++;
                    Console.WriteLine("FAILED {0} ({1} ms): {2}", name, sw.ElapsedMilliseconds,
                        error is AssertionException ? error.Message : error.ToString());
                }
                Console.Out.Flush();
                if (!done) break; // a hung test may hold sockets and threads: stop here
            }
            int skipped = tests.Length - passed - failed;
            Console.WriteLine(skipped > 0 ? "{0} passed, {1} failed, {2} skipped" : "{0} passed, {1} failed", passed, failed, skipped);
            Console.Out.Flush();
            // Exit at once: a timed-out test's thread must not keep the process alive.
            Environment.Exit(failed == 0 && passed > 0 ? 0 : 1);
            return 1;
        }
    }
}
