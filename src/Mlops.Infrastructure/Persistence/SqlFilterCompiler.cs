using System.Globalization;
using System.Text;
using Mlops.Domain.Search;

namespace Mlops.Infrastructure.Persistence;

/// <summary>
/// Turns a parsed filter into a parameterised SQL predicate. Values are always bound as parameters; only
/// column names chosen from fixed maps reach the SQL text. Dialects differ only in LIKE handling.
/// </summary>
public sealed class SqlFilterCompiler(ISqlDialect dialect, SqlEntityMap map)
{
    private readonly StringBuilder _sql = new();

    public List<KeyValuePair<string, object>> Parameters { get; } = [];

    public string Compile(FilterExpression? filter)
    {
        _sql.Clear();
        if (filter is null)
        {
            return "1 = 1";
        }

        Append(filter);
        return _sql.ToString();
    }

    /// <summary>Binds a value and returns its parameter name; shared with the order-by builder.</summary>
    public string Bind(object value)
    {
        var name = dialect.ParameterPrefix + "p" + Parameters.Count.ToString(CultureInfo.InvariantCulture);
        Parameters.Add(new(name, value));
        return name;
    }

    private void Append(FilterExpression expression)
    {
        switch (expression)
        {
            case AndExpression and:
                AppendJoined(and.Operands, " AND ");
                break;
            case OrExpression or:
                AppendJoined(or.Operands, " OR ");
                break;
            case Comparison comparison:
                AppendComparison(comparison);
                break;
        }
    }

    private void AppendJoined(IReadOnlyList<FilterExpression> operands, string separator)
    {
        _sql.Append('(');
        for (var i = 0; i < operands.Count; i++)
        {
            if (i > 0)
            {
                _sql.Append(separator);
            }

            Append(operands[i]);
        }

        _sql.Append(')');
    }

    private void AppendComparison(Comparison c)
    {
        if (c.Entity == EntityKind.Attribute)
        {
            var column = map.AttributeColumn(c.Key);
            _sql.Append('(').Append(Predicate(column, c, map.IsIntegerAttribute(c.Key))).Append(')');
            return;
        }

        if (c.Entity == EntityKind.Dataset)
        {
            var (fromClause, column) = SqlEntityMap.DatasetSource(c.Key);
            var predicate = c.Operator == ComparisonOperator.IsNull ? "1 = 1" : Predicate(column, c, false);
            var exists = c.Operator == ComparisonOperator.IsNull ? "NOT EXISTS" : "EXISTS";
            _sql.Append(exists).Append(" (SELECT 1 ").Append(fromClause).Append(" AND ").Append(predicate).Append(')');
            return;
        }

        var (table, keyColumn, valueColumn, extra) = map.KeyValueSource(c.Entity);
        var keyParam = Bind(c.Key);
        var head = $"SELECT 1 FROM {table} x WHERE x.{map.OwnerColumn} = {map.OwnerAlias}.{map.OwnerColumn} AND x.{keyColumn} = {keyParam}";
        switch (c.Operator)
        {
            case ComparisonOperator.IsNull:
                _sql.Append("NOT EXISTS (").Append(head).Append(')');
                return;
            case ComparisonOperator.IsNotNull:
                _sql.Append("EXISTS (").Append(head).Append(')');
                return;
        }

        _sql.Append("EXISTS (").Append(head);
        if (extra is not null)
        {
            _sql.Append(" AND ").Append(extra);
        }

        _sql.Append(" AND ").Append(Predicate("x." + valueColumn, c, false)).Append(')');
    }

    private static bool HasNonIntegerText(Comparison c) => c.Value switch
    {
        StringValue s => !IsInteger(s.Value),
        ListValue l => l.Values.Any(v => !IsInteger(v)),
        _ => false,
    };

    private static bool IsInteger(string text) => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _);

    private static object IntegerOrText(string value, bool integerColumn) =>
        integerColumn && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : value;

    private string Predicate(string column, Comparison c, bool integerColumn)
    {
        if (integerColumn && HasNonIntegerText(c))
        {
            // SQLite compares an integer column with any text, PostgreSQL refuses; comparing the text form answers
            // the same way on both for equality and lists (nothing numeric equals a non-number).
            column = $"CAST({column} AS TEXT)";
            integerColumn = false;
        }


        switch (c.Operator)
        {
            case ComparisonOperator.IsNull:
                return $"{column} IS NULL";
            case ComparisonOperator.IsNotNull:
                return $"{column} IS NOT NULL";
            case ComparisonOperator.In:
            case ComparisonOperator.NotIn:
                var values = ((ListValue)c.Value!).Values;
                var names = values.Select(v => Bind(IntegerOrText(v, integerColumn))).ToList();
                var list = names.Count == 0 ? "NULL" : string.Join(", ", names);
                return c.Operator == ComparisonOperator.In ? $"{column} IN ({list})" : $"{column} NOT IN ({list})";
            case ComparisonOperator.Like:
                return dialect.Like(column, Bind(((StringValue)c.Value!).Value), caseSensitive: true, this);
            case ComparisonOperator.NotLike:
                return "NOT (" + dialect.Like(column, Bind(((StringValue)c.Value!).Value), caseSensitive: true, this) + ")";
            case ComparisonOperator.ILike:
                return dialect.Like(column, Bind(((StringValue)c.Value!).Value), caseSensitive: false, this);
            case ComparisonOperator.NotILike:
                return "NOT (" + dialect.Like(column, Bind(((StringValue)c.Value!).Value), caseSensitive: false, this) + ")";
        }

        object value = c.Value switch
        {
            NumberValue n when integerColumn => (long)Math.Round(n.Value),
            NumberValue n => n.Value,
            StringValue s when integerColumn && long.TryParse(s.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) => id,
            StringValue s => s.Value,
            _ => throw new InvalidOperationException("Unexpected filter value."),
        };
        var op = c.Operator switch
        {
            ComparisonOperator.Equal => "=",
            ComparisonOperator.NotEqual => "<>",
            ComparisonOperator.Less => "<",
            ComparisonOperator.LessOrEqual => "<=",
            ComparisonOperator.Greater => ">",
            _ => ">=",
        };
        return $"{column} {op} {Bind(value)}";
    }
}
