using ScottPlot;

namespace VppLedger.Cli.Infrastructure;

/// <summary>
/// The same chart as <see cref="SvgChart"/> drawn as PNG with ScottPlot (rendered through SkiaSharp, whose native
/// library for Linux, Windows and macOS ships with the tool): used, total and queued as step lines over business
/// time (a count holds until the next event changes it), a date axis, a title and a legend.
/// </summary>
internal static class PngChart
{
    private const int Width = 800;
    private const int Height = 400;

    public static byte[] Render(string title, IReadOnlyList<ChartPoint> points)
    {
        ArgumentOutOfRangeException.ThrowIfZero(points.Count);
        var plot = new Plot();
        var xs = points.Select(p => p.At.ToDateTimeUtc().ToOADate()).ToArray();
        foreach (var (name, color, value) in ChartPoint.Series)
        {
            var line = plot.Add.Scatter(xs, points.Select(p => (double)value(p)).ToArray());
            line.ConnectStyle = ConnectStyle.StepHorizontal;
            line.LegendText = name;
            line.Color = Color.FromHex(color);
            line.LineWidth = 2;
            line.MarkerSize = 0;
        }

        plot.Axes.DateTimeTicksBottom();
        plot.Axes.SetLimitsY(0, Math.Max(1, points.Max(p => Math.Max(p.Total, Math.Max(p.Used, p.Queued)))) * 1.1);
        plot.Title(title);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }
}
