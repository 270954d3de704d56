using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using VppLedger.Apple;

// The DI entry point lives in the namespace hosts already import for AddHttpClient and friends.
// ReSharper disable once CheckNamespace
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="AppleAppsAndBooksClient"/> and <see cref="AppleOutboxWorker"/> (docs/apple-client.md).</summary>
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

    /// <summary>
    /// Adds <see cref="AppleOutboxWorker"/> as a hosted service (a pass every <see cref="AppleWorkerOptions.PassInterval"/>)
    /// and as a singleton, so that the host's notification endpoint can call
    /// <see cref="AppleOutboxWorker.AcceptNotificationAsync"/> and a host can run <see cref="AppleOutboxWorker.RunOnceAsync"/>.
    /// Adds the Apple client too (<see cref="AddVppLedgerAppleClient"/>, unless added before). The ledger
    /// (<c>AddVppLedger</c>) must be registered: the worker reads <see cref="VppLedger.ILicenseLedger"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">The tokens served (<see cref="AppleWorkerOptions.Tokens"/>) and the pacing.</param>
    public static IServiceCollection AddVppLedgerAppleWorker(this IServiceCollection services, Action<AppleWorkerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<AppleWorkerOptions>().Configure(configure);
        if (!services.Any(d => d.ServiceType == typeof(AppleAppsAndBooksClient)))
        {
            services.AddVppLedgerAppleClient();
        }

        services.TryAddSingleton(sp => new AppleOutboxWorker(
            sp.GetRequiredService<VppLedger.ILicenseLedger>(),
            sp.GetRequiredService<AppleAppsAndBooksClient>(),
            sp.GetRequiredService<IOptions<AppleWorkerOptions>>(),
            sp.GetRequiredService<IAppleClock>(),
            sp.GetService<Microsoft.Extensions.Logging.ILogger<AppleOutboxWorker>>()));
        services.AddHostedService(sp => sp.GetRequiredService<AppleOutboxWorker>());
        return services;
    }
}
