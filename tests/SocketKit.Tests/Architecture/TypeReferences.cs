using Mono.Cecil;
using Mono.Cecil.Cil;

namespace SocketKit.Tests.Architecture;

/// <summary>One use of a type by another: who uses it, the type used, and where (member and how).</summary>
public sealed record TypeUse(TypeDefinition User, TypeReference Used, string Where);

/// <summary>
/// Every type a compiled type uses: its base and interfaces, attributes, fields, properties, events, method signatures
/// and, in method bodies, locals, caught exceptions and every type, method and field an instruction names. Nested and
/// compiler-generated types (lambdas' closures, async state machines) are walked too, so code cannot hide a use.
/// </summary>
public static class TypeReferences
{
    public static IEnumerable<TypeUse> Of(ModuleDefinition module) => module.GetTypes().SelectMany(Of);

    public static IEnumerable<TypeUse> Of(TypeDefinition type)
    {
        var found = new List<TypeUse>();
        void Add(TypeReference? used, string where)
        {
            foreach (TypeReference t in Expand(used))
            {
                found.Add(new TypeUse(type, t, where));
            }
        }
        void Attributes(ICustomAttributeProvider provider, string where)
        {
            foreach (CustomAttribute attribute in provider.CustomAttributes)
            {
                Add(attribute.AttributeType, $"{where} [attribute]");
            }
        }
        Add(type.BaseType, "base type");
        foreach (InterfaceImplementation i in type.Interfaces)
        {
            Add(i.InterfaceType, "interface");
        }
        Attributes(type, "type");
        foreach (GenericParameter parameter in type.GenericParameters)
        {
            foreach (GenericParameterConstraint constraint in parameter.Constraints)
            {
                Add(constraint.ConstraintType, "generic constraint");
            }
        }
        foreach (FieldDefinition field in type.Fields)
        {
            Add(field.FieldType, $"field {field.Name}");
            Attributes(field, $"field {field.Name}");
        }
        foreach (PropertyDefinition property in type.Properties)
        {
            Add(property.PropertyType, $"property {property.Name}");
            Attributes(property, $"property {property.Name}");
        }
        foreach (EventDefinition e in type.Events)
        {
            Add(e.EventType, $"event {e.Name}");
        }
        foreach (MethodDefinition method in type.Methods)
        {
            string where = $"method {method.Name}";
            Add(method.ReturnType, where);
            foreach (ParameterDefinition parameter in method.Parameters)
            {
                Add(parameter.ParameterType, where);
            }
            Attributes(method, where);
            foreach (MethodReference overridden in method.Overrides)
            {
                Add(overridden.DeclaringType, $"{where} (override)");
            }
            if (!method.HasBody)
            {
                continue;
            }
            foreach (VariableDefinition variable in method.Body.Variables)
            {
                Add(variable.VariableType, $"{where} (local)");
            }
            foreach (ExceptionHandler handler in method.Body.ExceptionHandlers)
            {
                Add(handler.CatchType, $"{where} (catch)");
            }
            foreach (Instruction instruction in method.Body.Instructions)
            {
                string at = $"{where} (body: {instruction.OpCode.Name})";
                switch (instruction.Operand)
                {
                    case TypeReference t:
                        Add(t, at);
                        break;
                    case MethodReference m:
                        Add(m.DeclaringType, at);
                        Add(m.ReturnType, at);
                        foreach (ParameterDefinition p in m.Parameters)
                        {
                            Add(p.ParameterType, at);
                        }
                        if (m is GenericInstanceMethod generic)
                        {
                            foreach (TypeReference argument in generic.GenericArguments)
                            {
                                Add(argument, at);
                            }
                        }
                        break;
                    case FieldReference f:
                        Add(f.DeclaringType, at);
                        Add(f.FieldType, at);
                        break;
                }
            }
        }
        return found;
    }

    /// <summary>The namespace a type is declared in (a nested type's is its outermost declaring type's).</summary>
    public static string NamespaceOf(TypeReference type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }
        return type.Namespace;
    }

    /// <summary>The named types inside a reference: List&lt;Foo[]&gt; is List and Foo; a generic parameter is none.</summary>
    private static IEnumerable<TypeReference> Expand(TypeReference? type)
    {
        switch (type)
        {
            case null or GenericParameter:
                yield break;
            case GenericInstanceType generic:
                foreach (TypeReference t in Expand(generic.ElementType))
                {
                    yield return t;
                }
                foreach (TypeReference t in generic.GenericArguments.SelectMany(Expand))
                {
                    yield return t;
                }
                break;
            case FunctionPointerType:
                yield break;
            case TypeSpecification specification:
                foreach (TypeReference t in Expand(specification.ElementType))
                {
                    yield return t;
                }
                break;
            default:
                yield return type;
                break;
        }
    }
}
