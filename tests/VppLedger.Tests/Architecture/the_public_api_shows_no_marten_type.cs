using System.Reflection;

namespace VppLedger.Tests.Architecture;

/// <summary>Hosts see VppLedger's own types only; the one Marten type is the <c>StoreOptions.AddVppLedger()</c> entry point, the one Npgsql type a host's <c>NpgsqlDataSource</c>.</summary>
public sealed class the_public_api_shows_no_marten_type
{
    private static readonly string[] StorageAssemblies = ["Marten", "JasperFx", "JasperFx.Events", "Weasel.Core", "Weasel.Postgresql", "Weasel.Storage", "Npgsql"];

    [Fact]
    [Trait("Category", "Architecture")]
    public void no_public_member_of_the_package_names_a_storage_type_except_the_entry_point()
    {
        var offences = new List<string>();
        foreach (var type in typeof(ILicenseLedger).Assembly.GetExportedTypes().Concat(typeof(ILedgerCommand).Assembly.GetExportedTypes()))
        {
            offences.AddRange(Check(type.BaseType).Select(t => $"{type.Name} derives from {t}"));
            offences.AddRange(type.GetInterfaces().SelectMany(Check).Select(t => $"{type.Name} implements {t}"));
            foreach (var member in type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                if (type == typeof(VppLedgerStoreOptionsExtensions) && member.Name == nameof(VppLedgerStoreOptionsExtensions.AddVppLedger))
                {
                    continue;
                }

                var used = member switch
                {
                    MethodInfo m => [m.ReturnType, .. m.GetParameters().Select(p => p.ParameterType)],
                    PropertyInfo p => [p.PropertyType],
                    FieldInfo f => [f.FieldType],
                    ConstructorInfo c => c.GetParameters().Select(p => p.ParameterType).ToArray(),
                    EventInfo e => [e.EventHandlerType!],
                    _ => Array.Empty<Type>(),
                };
                offences.AddRange(used.SelectMany(Check).Select(t => $"{type.Name}.{member.Name} uses {t}"));
            }
        }

        Assert.True(offences.Count == 0, "Storage types in the public API:\n" + string.Join('\n', offences.Distinct()));
    }

    [Fact]
    [Trait("Category", "Architecture")]
    public void the_entry_point_is_there_and_is_the_only_exception()
    {
        var method = typeof(VppLedgerStoreOptionsExtensions).GetMethod(nameof(VppLedgerStoreOptionsExtensions.AddVppLedger))!;
        Assert.Equal("Marten.StoreOptions", method.GetParameters()[0].ParameterType.FullName);
    }

    private static IEnumerable<Type> Check(Type? type)
    {
        if (type is null)
        {
            yield break;
        }

        if (type.HasElementType)
        {
            foreach (var t in Check(type.GetElementType()))
            {
                yield return t;
            }

            yield break;
        }

        // A host may hand the ledger its own NpgsqlDataSource (its pooling and credentials): the one Npgsql type allowed.
        if (StorageAssemblies.Contains(type.Assembly.GetName().Name) && type != typeof(Npgsql.NpgsqlDataSource))
        {
            yield return type;
        }

        if (type.IsGenericType)
        {
            foreach (var t in type.GetGenericArguments().SelectMany(Check))
            {
                yield return t;
            }
        }
    }
}
