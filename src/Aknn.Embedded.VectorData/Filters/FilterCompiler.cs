using System.Linq.Expressions;
using System.Reflection;
using Aknn.Embedded.VectorData.Model;
using Aknn.Embedded.VectorData.Payload;
using Microsoft.Extensions.VectorData.ProviderServices;
using Microsoft.Extensions.VectorData.ProviderServices.Filter;

namespace Aknn.Embedded.VectorData.Filters;

/// <summary>
/// Compiles a filter expression (<c>r =&gt; r.Year &gt; 2000 &amp;&amp; r.Tags.Contains("x")</c>) once per call
/// into a predicate over an array of property values ("slots"), which <see cref="CompiledFilter"/>
/// fills from a row's id and payload. Only the properties the filter names are decoded.
/// </summary>
/// <remarks>
/// The abstractions' preprocessing inlines captured variables as constants and recognises the
/// forms of <c>Contains</c> (Enumerable, List, and the span overloads C# 14 binds to).
/// </remarks>
internal sealed class FilterCompiler : FilterTranslatorBase
{
    private const string SupportedNodes =
        "==, !=, <, <=, >, >=, &&, ||, !, Contains on arrays and lists (in either direction), null checks, and captured variables";

    private static readonly MethodInfo ContainsMethod = typeof(Enumerable).GetMethods()
        .Single(m => m.Name == nameof(Enumerable.Contains) && m.GetParameters().Length == 2);

    private static readonly MethodInfo ObjectEquals = typeof(object).GetMethod(nameof(object.Equals), BindingFlags.Public | BindingFlags.Static, [typeof(object), typeof(object)])!;

    private readonly ParameterExpression _slots = Expression.Parameter(typeof(object?[]), "slots");
    private readonly Dictionary<PropertyModel, int> _bound = [];

    /// <summary>Compiles <paramref name="filter"/> for a collection.</summary>
    /// <exception cref="NotSupportedException">The filter uses an expression the connector cannot evaluate; the message names it.</exception>
    /// <exception cref="InvalidOperationException">The filter names a property the record does not have.</exception>
    public static CompiledFilter Compile(LambdaExpression filter, CollectionModel model, KeyCodec keys, PayloadCodec payloads)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var compiler = new FilterCompiler();
        Expression body = compiler.PreprocessFilter(filter, model, new FilterPreprocessingOptions());
        Expression translated = compiler.Translate(body);
        if (translated.Type != typeof(bool))
            throw new NotSupportedException($"The filter must be a condition (bool), not a {translated.Type.Name}.");
        var predicate = Expression.Lambda<Func<object?[], bool>>(translated, compiler._slots).Compile();
        return new CompiledFilter(predicate, compiler._bound, model, keys, payloads);
    }

    private Expression Translate(Expression node)
    {
        if (TryBindProperty(node, out PropertyModel? property))
        {
            if (property is VectorPropertyModel)
                throw new NotSupportedException($"The filter reads the vector property '{property.ModelName}'; filters can compare the key and data properties only.");
            if (!_bound.TryGetValue(property, out int slot)) _bound[property] = slot = _bound.Count;
            Expression value = Expression.ArrayIndex(_slots, Expression.Constant(slot));
            return node.Type == typeof(object) ? value : Expression.Convert(value, node.Type);
        }

        switch (node)
        {
            case ConstantExpression:
                return node;

            case BinaryExpression { NodeType: ExpressionType.AndAlso or ExpressionType.OrElse } b:
                return Expression.MakeBinary(b.NodeType, Translate(b.Left), Translate(b.Right));

            case BinaryExpression { NodeType: ExpressionType.Equal or ExpressionType.NotEqual or ExpressionType.LessThan or ExpressionType.LessThanOrEqual or ExpressionType.GreaterThan or ExpressionType.GreaterThanOrEqual } b:
            {
                Expression left = Translate(b.Left), right = Translate(b.Right);
                // Dynamic records compare object-typed values (r["Year"] == (object)2000): compare by value, not by reference.
                if (b.NodeType is ExpressionType.Equal or ExpressionType.NotEqual && left.Type == typeof(object) && right.Type == typeof(object))
                {
                    Expression equals = Expression.Call(ObjectEquals, left, right);
                    return b.NodeType == ExpressionType.Equal ? equals : Expression.Not(equals);
                }
                return Expression.MakeBinary(b.NodeType, left, right, b.IsLiftedToNull, b.Method);
            }

            case UnaryExpression { NodeType: ExpressionType.Not } u:
                return Expression.MakeUnary(ExpressionType.Not, Translate(u.Operand), u.Type, u.Method);

            case UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked } u:
                return Expression.Convert(Translate(u.Operand), u.Type, u.Method);

            case MethodCallExpression call when TryMatchContains(call, out Expression? source, out Expression? item):
                return Contains(Translate(source), Translate(item));

            case MethodCallExpression call when !References(call, RecordParameter):
                return Evaluate(call);

            case MethodCallExpression call:
                throw new NotSupportedException($"The filter calls '{call.Method.DeclaringType?.Name}.{call.Method.Name}' ({call}), which the Aknn.Embedded connector cannot evaluate; supported: {SupportedNodes}.");

            case MemberExpression member when !References(member, RecordParameter):
                return Evaluate(member);

            case NewArrayExpression or ListInitExpression or NewExpression when !References(node, RecordParameter):
                return Evaluate(node);

            default:
                throw new NotSupportedException($"The filter expression node '{node.NodeType}' ({node}) is not supported by the Aknn.Embedded connector; supported: {SupportedNodes}.");
        }
    }

    /// <summary><c>source.Contains(item)</c>, false when the source is null.</summary>
    private static Expression Contains(Expression source, Expression item)
    {
        Type element = ElementType(source.Type)
            ?? throw new NotSupportedException($"Contains needs an array or a list; the filter passes a {source.Type.Name}.");
        Expression typedItem = item.Type == element ? item : Expression.Convert(item, element);
        Expression enumerable = Expression.Convert(source, typeof(IEnumerable<>).MakeGenericType(element));
        Expression call = Expression.Call(ContainsMethod.MakeGenericMethod(element), enumerable, typedItem);
        return source.Type.IsValueType
            ? call
            : Expression.AndAlso(Expression.NotEqual(source, Expression.Constant(null, source.Type)), call);
    }

    private static Type? ElementType(Type type)
    {
        if (type.IsArray) return type.GetElementType();
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>)) return type.GetGenericArguments()[0];
        return type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
    }

    /// <summary>Evaluates a sub-expression that does not depend on the record (a captured value, a literal array) once.</summary>
    private static ConstantExpression Evaluate(Expression node) =>
        Expression.Constant(Expression.Lambda(node).Compile().DynamicInvoke(), node.Type);

    private static bool References(Expression node, ParameterExpression parameter)
    {
        var finder = new ParameterFinder(parameter);
        finder.Visit(node);
        return finder.Found;
    }

    private sealed class ParameterFinder(ParameterExpression parameter) : ExpressionVisitor
    {
        public bool Found { get; private set; }

        protected override Expression VisitParameter(ParameterExpression node)
        {
            if (node == parameter) Found = true;
            return node;
        }
    }
}
