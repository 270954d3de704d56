using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using VppLedger.Apple;

// The DI entry point lives in the namespace hosts already import for AddHttpClient and friends.
// ReSharper disable once CheckNamespace
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="AppleAppsAndBooksClient"/> (docs/apple-client.md).</summary>
public static class VppLedgerAppleServiceCollectionExtensions
{
    /// <summary>Adds <see cref="AppleAppsAndBooksClient"/> as a typed client of <c>IHttpClientFactory</c>, with one shared
    /// <see cref="AppleTokenRateLimiter"/> and the system <see cref="IAppleClock"/> (unless registered before). Returns the
    /// client's <see cref="IHttpClientBuilder"/> for further handlers (proxy, certificates).</summary>
    public static IHttpClientBuilder AddVppLedgerAppleClient(this IServiceCollection services, Action<AppleClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<AppleClientOptions>();
        if (configure is not null) options.Configure(configure);
        services.TryAddSingleton<IAppleClock>(_ => new SystemAppleClock());
        services.TryAddSingleton(sp => new AppleTokenRateLimiter(
            sp.GetRequiredService<IOptions<AppleClientOptions>>().Value.MaxRequestsPerSecondPerToken,
            sp.GetRequiredService<IAppleClock>()));
        return services.AddHttpClient<AppleAppsAndBooksClient>();
    }
}
