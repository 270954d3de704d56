using System.Net;
using System.Net.Sockets;
using System.Text;
using VppLedger.Feed;

namespace VppLedger.IntegrationTests.Insights;

/// <summary>
/// A webhook receiver on 127.0.0.1 at a port the system picks (port 0), minimal HTTP/1.1 over a socket. Each
/// request is answered by <paramref name="answer"/> (given the request's number, from 1): <see cref="Answer.Fail"/>
/// drops it with a 500, <see cref="Answer.AcceptThenFail"/> keeps it and answers 503 (so the sender sends it again:
/// a duplicate), <see cref="Answer.Accept"/> keeps it and answers 200.
/// </summary>
internal sealed class LoopbackReceiver : IAsyncDisposable
{
    public enum Answer
    {
        Accept,
        Fail,
        AcceptThenFail,
    }

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly byte[] _secret;
    private readonly Func<int, Answer> _answer;
    private int _requests;

    public LoopbackReceiver(byte[] secret, Func<int, Answer> answer)
    {
        _secret = secret;
        _answer = answer;
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public Uri Endpoint => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/vpp-events");

    /// <summary>The bodies kept, in arrival order.</summary>
    public List<string> Kept { get; } = [];

    public int BadSignatures { get; private set; }

    public int Requests => _requests;

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            using (client)
            {
                await HandleAsync(client.GetStream());
            }
        }
    }

    private async Task HandleAsync(NetworkStream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (!(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await stream.ReadAsync(one) == 0)
            {
                return;
            }

            head.Add(one[0]);
        }

        var headers = Encoding.ASCII.GetString([.. head]).Split("\r\n").Skip(1)
            .Where(l => l.Contains(':', StringComparison.Ordinal))
            .ToDictionary(l => l[..l.IndexOf(':', StringComparison.Ordinal)].Trim(), l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim(), StringComparer.OrdinalIgnoreCase);
        var body = new byte[int.Parse(headers["Content-Length"], System.Globalization.CultureInfo.InvariantCulture)];
        await stream.ReadExactlyAsync(body);

        var answer = _answer(Interlocked.Increment(ref _requests));
        lock (Kept)
        {
            if (!WebhookSignature.IsValid(_secret, body, headers.GetValueOrDefault(WebhookChangeSink.SignatureHeader)))
            {
                BadSignatures++;
            }
            else if (answer != Answer.Fail)
            {
                Kept.Add(Encoding.UTF8.GetString(body));
            }
        }

        var status = answer switch { Answer.Accept => "200 OK", Answer.Fail => "500 Internal Server Error", _ => "503 Service Unavailable" };
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}
