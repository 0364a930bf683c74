// Echo with the HPSocket C# binding.
//
//   mono Echo.exe                      self test: a server and a client in this process
//   mono Echo.exe server [port]        an echo server on 0.0.0.0 (default port 5555) until Enter
//   mono Echo.exe client HOST PORT [N] sends N lines (default 10) and prints the echoes
//
// Build: mcs -r:HPSocket.dll Echo.cs; libhpsocket.so must sit beside HPSocket.dll (or on
// LD_LIBRARY_PATH).
using System;
using System.Text;
using System.Threading;
using HPSocket;

public static class Echo
{
    public static int Main(string[] args)
    {
        string mode = args.Length > 0 ? args[0] : "self";
        try
        {
            switch (mode)
            {
                case "server": return Server(args.Length > 1 ? ushort.Parse(args[1]) : (ushort)5555);
                case "client":
                    if (args.Length < 3) return Usage();
                    return Client(args[1], ushort.Parse(args[2]), args.Length > 3 ? int.Parse(args[3]) : 10);
                case "self": return SelfTest();
                default: return Usage();
            }
        }
        catch (Exception e)
        {
            Console.Error.WriteLine("echo: " + e.Message);
            return 1;
        }
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: Echo.exe [server [PORT] | client HOST PORT [N]]");
        return 2;
    }

    /// <summary>A server that sends every byte back.</summary>
    private static TcpServer NewEchoServer()
    {
        var server = new TcpServer();
        server.OnAccept += (s, id, client) =>
        {
            string address;
            ushort port;
            s.GetRemoteAddress(id, out address, out port);
            Console.WriteLine("[server] #{0} connected from {1}:{2}", id, address, port);
            return HandleResult.Ok;
        };
        server.OnReceive += (s, id, data) => s.Send(id, data) ? HandleResult.Ok : HandleResult.Error;
        server.OnClose += (s, id, op, error) =>
        {
            Console.WriteLine("[server] #{0} closed ({1}, {2})", id, op, error);
            return HandleResult.Ok;
        };
        return server;
    }

    private static int Server(ushort port)
    {
        using (TcpServer server = NewEchoServer())
        {
            if (!server.Start("0.0.0.0", port))
            {
                Console.Error.WriteLine("start failed: {0} ({1})", server.ErrorMessage, server.ErrorCode);
                return 1;
            }
            Console.WriteLine("echo server on port {0}; press Enter to stop", port);
            Console.ReadLine();
        }
        return 0;
    }

    private static int Client(string host, ushort port, int count)
    {
        using (var client = new TcpClient())
        {
            var got = new SemaphoreSlim(0);
            client.OnReceive += (c, id, data) =>
            {
                Console.WriteLine("[client] echo: {0}", Encoding.UTF8.GetString(data));
                got.Release();
                return HandleResult.Ok;
            };
            if (!client.Start(host, port, false))
            {
                Console.Error.WriteLine("connect failed: {0}", client.ErrorMessage);
                return 1;
            }
            for (int i = 0; i < count; i++)
            {
                client.Send(Encoding.UTF8.GetBytes("hello #" + i + " — héllo, 你好"));
                if (!got.Wait(10000)) return 1;
            }
        }
        return 0;
    }

    private static int SelfTest()
    {
        const int Messages = 100;
        using (TcpServer server = NewEchoServer())
        using (var client = new TcpClient())
        {
            if (!server.Start("127.0.0.1", 0)) throw new Exception("server: " + server.ErrorMessage);
            string address;
            ushort port;
            server.GetListenAddress(out address, out port);

            var received = new System.IO.MemoryStream();
            var done = new ManualResetEventSlim(false);
            long expected = 0;
            client.OnReceive += (c, id, data) =>
            {
                lock (received)
                {
                    received.Write(data, 0, data.Length);
                    if (received.Length == Interlocked.Read(ref expected)) done.Set();
                }
                return HandleResult.Ok;
            };
            if (!client.Start(address, port, false)) throw new Exception("client: " + client.ErrorMessage);

            var sent = new System.IO.MemoryStream();
            for (int i = 0; i < Messages; i++)
            {
                byte[] msg = Encoding.UTF8.GetBytes(new string((char)('a' + i % 26), 1 + i * 37 % 1000) + "|ü|");
                sent.Write(msg, 0, msg.Length);
            }
            Interlocked.Exchange(ref expected, sent.Length);
            byte[] all = sent.ToArray();
            for (int off = 0, i = 0; off < all.Length; i++)
            {
                int n = Math.Min(all.Length - off, 1 + i * 101 % 2000);
                if (!client.Send(all, off, n)) throw new Exception("send: " + client.ErrorMessage);
                off += n;
            }
            if (!done.Wait(30000)) throw new Exception("timed out waiting for the echo");
            bool same = Convert.ToBase64String(all) == Convert.ToBase64String(received.ToArray());
            Console.WriteLine("echo self test: {0} bytes through 127.0.0.1:{1}, {2} (HPSocket {3})",
                all.Length, port, same ? "all echoed intact" : "MISMATCH", HP.VersionString);
            return same ? 0 : 1;
        }
    }
}
