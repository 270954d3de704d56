using System.Reflection;
using System.Reflection.Emit;

namespace VppLedger.Tests.Architecture;

/// <summary>The members a method body names in its IL (method, field, type and token operands), for the architecture tests.</summary>
internal static class IlMembers
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>Every member the body of <paramref name="method"/> references; tokens of generic contexts that cannot be rebuilt are skipped.</summary>
    public static IEnumerable<MemberInfo> Referenced(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        var typeArgs = method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var i = 0;
        while (i < il.Length)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var opCode = OpCodesByValue[value];
            if (opCode.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok)
            {
                MemberInfo? member = null;
                try
                {
                    member = method.Module.ResolveMember(BitConverter.ToInt32(il, i), typeArgs, methodArgs);
                }
                catch (ArgumentException)
                {
                    // A generic context the scanner cannot rebuild; the callers' signature checks still cover it.
                }

                if (member is not null)
                {
                    yield return member;
                }
            }

            i += opCode.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, i)),
                _ => 4,
            };
        }
    }
}
