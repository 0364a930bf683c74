// L1: echo server on the HPSocket C# binding (as examples/csharp/Echo.cs), one worker thread.
// `mono HpsEcho.exe [port]` prints `listening <addr>`; HPSocket.dll and libhpsocket.so sit
// beside the executable (make bench-l1 takes both from dist/HPSocket.*.nupkg).
using System;
using System.Threading;
using HPSocket;

public static class HpsEcho
{
    public static int Main(string[] args)
    {
        ushort port = args.Length > 0 ? ushort.Parse(args[0]) : (ushort)0;
        var stopped = new ManualResetEventSlim(false);
        var server = new TcpServer();
        server.OnReceive += (s, id, data) => s.Send(id, data) ? HandleResult.Ok : HandleResult.Error;
        server.OnShutdown += s => { stopped.Set(); return HandleResult.Ok; };
        server.WorkerThreadCount = 1;
        // TCP_NODELAY, as SocketsEcho and every L1/T2 server: the core then writes a send made
        // in OnReceive at once instead of queueing it and flushing after the callback.
        server.NoDelay = true;
        server.SocketListenQueue = 4096;
        if (!server.Start("127.0.0.1", port))
        {
            Console.Error.WriteLine("HpsEcho: start failed: " + server.ErrorMessage);
            return 1;
        }
        string address;
        ushort bound;
        server.GetListenAddress(out address, out bound);
        Console.WriteLine("listening {0}:{1}", address, bound);
        Console.Out.Flush();
        // run.py ends the server with SIGTERM/SIGKILL; nothing here needs a clean stop.
        stopped.Wait();
        return 0;
    }
}
