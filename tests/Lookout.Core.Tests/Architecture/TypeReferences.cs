using System.Reflection;
using System.Reflection.Emit;

namespace Lookout.Core.Tests.Architecture;

/// <summary>
/// Every type a compiled type really uses: its signatures (base type, interfaces, fields, properties, method
/// parameters and returns, generic arguments) and the types, methods and fields its method bodies refer to (read from
/// the IL). Compiler-generated closures and state machines are nested types, so they count for their outer type.
/// Unlike a scan of <c>using</c> lines this sees fully qualified names, <c>var</c> and extension methods too.
/// </summary>
internal static class TypeReferences
{
    private const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    public static IEnumerable<Type> Of(Type type)
    {
        var found = new HashSet<Type>();
        void Add(Type? t)
        {
            if (t is null || t.IsGenericParameter) return;
            if (t.HasElementType) { Add(t.GetElementType()); return; }
            if (!found.Add(t.IsGenericType ? t.GetGenericTypeDefinition() : t)) return;
            if (t.IsGenericType) foreach (var a in t.GetGenericArguments()) Add(a);
        }

        Add(type.BaseType);
        foreach (var i in type.GetInterfaces()) Add(i);
        foreach (var f in type.GetFields(All)) Add(f.FieldType);
        foreach (var p in type.GetProperties(All)) Add(p.PropertyType);
        foreach (var m in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
        {
            if (m is MethodInfo mi) Add(mi.ReturnType);
            foreach (var p in m.GetParameters()) Add(p.ParameterType);
            foreach (var member in BodyReferences(m))
                switch (member)
                {
                    case Type t: Add(t); break;
                    case MethodBase callee:
                        Add(callee.DeclaringType);
                        if (callee is MethodInfo ci) Add(ci.ReturnType);
                        foreach (var p in callee.GetParameters()) Add(p.ParameterType);
                        if (callee.IsGenericMethod) foreach (var a in callee.GetGenericArguments()) Add(a);
                        break;
                    case FieldInfo field: Add(field.DeclaringType); Add(field.FieldType); break;
                }
        }
        return found;
    }

    private static IEnumerable<MemberInfo> BodyReferences(MethodBase method)
    {
        byte[]? il;
        try { il = method.GetMethodBody()?.GetILAsByteArray(); }
        catch (Exception e) when (e is InvalidOperationException or BadImageFormatException) { yield break; }
        if (il is null) yield break;
        var typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArgs = method is MethodInfo { IsGenericMethod: true } ? method.GetGenericArguments() : null;
        for (int pos = 0; pos < il.Length;)
        {
            short value = il[pos++];
            if (value == 0xFE) value = (short)(0xFE00 | il[pos++]);
            var op = OpCodesByValue[value];
            if (op.OperandType is OperandType.InlineType or OperandType.InlineTok or OperandType.InlineMethod or OperandType.InlineField)
            {
                MemberInfo? member = null;
                try { member = method.Module.ResolveMember(BitConverter.ToInt32(il, pos), typeArgs, methodArgs); }
                catch (Exception e) when (e is ArgumentException or BadImageFormatException or TypeLoadException or MissingMemberException) { }
                if (member is not null) yield return member;
            }
            pos += OperandSize(op.OperandType, il, pos);
        }
    }

    private static int OperandSize(OperandType type, byte[] il, int pos) => type switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, pos),
        _ => 4,
    };
}
