using System.Globalization;
using System.Security;
using System.Text;
using NodaTime;

namespace VppLedger.Cli.Infrastructure;

/// <summary>One sample of a chart: a pool's (or a token's pools') counts at an instant of business time.</summary>
internal sealed record ChartPoint(Instant At, int Used, int Total, int Queued)
{
    /// <summary>The three series every chart draws, with their colors (the SVG and the PNG agree).</summary>
    public static readonly (string Name, string Color, Func<ChartPoint, int> Value)[] Series =
    [
        ("total", "#1f77b4", p => p.Total),
        ("used", "#2ca02c", p => p.Used),
        ("queued", "#d62728", p => p.Queued),
    ];
}

/// <summary>
/// A small line chart written as SVG by hand (no graphics library, no native asset): used, total and queued over
/// time as step lines (a count holds until the next event changes it), axes with the first and last instant and the
/// maximum, and a legend. Each series is one <c>polyline</c> with <c>data-series</c> and <c>data-values</c>
/// (the sampled counts in time order) so scripts and tests can read the numbers back.
/// </summary>
internal static class SvgChart
{
    private const int Width = 800;
    private const int Height = 400;
    private const int Left = 60;
    private const int Right = 20;
    private const int Top = 40;
    private const int Bottom = 50;

    public static string Render(string title, IReadOnlyList<ChartPoint> points)
    {
        ArgumentOutOfRangeException.ThrowIfZero(points.Count);
        var first = points[0].At;
        var last = points[^1].At;
        var span = Math.Max(1.0, (last - first).TotalSeconds);
        var max = Math.Max(1, points.Max(p => Math.Max(p.Total, Math.Max(p.Used, p.Queued))));
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        double X(Instant at) => Left + ((at - first).TotalSeconds / span * plotWidth);
        double Y(int value) => Top + plotHeight - ((double)value / max * plotHeight);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"  <title>{Escape(title)}</title>\n");
        svg.Append("  <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"  <text x=\"{Left}\" y=\"20\" font-size=\"14\" font-weight=\"bold\">{Escape(title)}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"  <line x1=\"{Left}\" y1=\"{Top + plotHeight}\" x2=\"{Left + plotWidth}\" y2=\"{Top + plotHeight}\" stroke=\"black\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"  <line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Top + plotHeight}\" stroke=\"black\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"  <text x=\"{Left - 8}\" y=\"{Top + 4}\" text-anchor=\"end\">{max}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"  <text x=\"{Left - 8}\" y=\"{Top + plotHeight + 4}\" text-anchor=\"end\">0</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"  <text x=\"{Left}\" y=\"{Height - 25}\">{Escape(Format.When(first))}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"  <text x=\"{Left + plotWidth}\" y=\"{Height - 25}\" text-anchor=\"end\">{Escape(Format.When(last))}</text>\n");
        var legendX = Left + 10;
        foreach (var (name, color, value) in ChartPoint.Series)
        {
            var coordinates = new List<string>();
            for (var i = 0; i < points.Count; i++)
            {
                if (i > 0)
                {
                    coordinates.Add(Coordinate(X(points[i].At), Y(value(points[i - 1]))));
                }

                coordinates.Add(Coordinate(X(points[i].At), Y(value(points[i]))));
            }

            var values = string.Join(' ', points.Select(p => value(p).ToString(CultureInfo.InvariantCulture)));
            svg.Append(CultureInfo.InvariantCulture, $"  <polyline data-series=\"{name}\" data-values=\"{values}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{string.Join(' ', coordinates)}\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"  <rect x=\"{legendX}\" y=\"{Height - 15}\" width=\"12\" height=\"4\" fill=\"{color}\"/><text x=\"{legendX + 16}\" y=\"{Height - 10}\">{name}</text>\n");
            legendX += 90;
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static string Coordinate(double x, double y) => string.Create(CultureInfo.InvariantCulture, $"{x:0.#},{y:0.#}");

    private static string Escape(string text) => SecurityElement.Escape(text);
}
