using System.Globalization;
using System.Text;
using Mlops.Domain.Common;

namespace Mlops.Domain.Search;

/// <summary>
/// Parses MLflow's search filter grammar (<c>metrics.acc &gt; 0.9 and params.lr = '0.01'</c>) and extends it
/// with OR and parentheses. AND binds tighter than OR. Errors name the 1-based column where parsing failed.
/// </summary>
public sealed class SearchFilterParser
{
    private readonly string _text;
    private readonly SearchTarget _target;
    private int _pos;

    private SearchFilterParser(string text, SearchTarget target)
    {
        _text = text;
        _target = target;
    }

    /// <summary>Returns null for an empty or blank filter (everything matches).</summary>
    public static FilterExpression? Parse(string? filter, SearchTarget target)
    {
        if (string.IsNullOrWhiteSpace(filter))
        {
            return null;
        }

        var parser = new SearchFilterParser(filter, target);
        var expression = parser.ParseOr();
        parser.SkipSpace();
        if (parser._pos < filter.Length)
        {
            throw parser.Error(parser._pos, $"expected AND, OR or the end of the filter, found '{parser.Snippet(parser._pos)}'");
        }

        return expression;
    }

    private FilterExpression ParseOr()
    {
        var operands = new List<FilterExpression> { ParseAnd() };
        while (TryKeyword("OR"))
        {
            operands.Add(ParseAnd());
        }

        return operands.Count == 1 ? operands[0] : new OrExpression(operands);
    }

    private FilterExpression ParseAnd()
    {
        var operands = new List<FilterExpression> { ParsePrimary() };
        while (TryKeyword("AND"))
        {
            operands.Add(ParsePrimary());
        }

        return operands.Count == 1 ? operands[0] : new AndExpression(operands);
    }

    private FilterExpression ParsePrimary()
    {
        SkipSpace();
        if (_pos >= _text.Length)
        {
            throw Error(_pos, "expected a comparison such as metrics.acc > 0.9, found the end of the filter");
        }

        if (_text[_pos] == '(')
        {
            var open = _pos;
            _pos++;
            var inner = ParseOr();
            SkipSpace();
            if (_pos >= _text.Length || _text[_pos] != ')')
            {
                throw Error(_pos < _text.Length ? _pos : open, _pos < _text.Length ? $"expected ')', found '{Snippet(_pos)}'" : "missing ')' for the '(' opened here");
            }

            _pos++;
            return inner;
        }

        return ParseComparison();
    }

    private Comparison ParseComparison()
    {
        var start = _pos;
        var (entity, key) = ParseIdentifier();
        var attributeType = AttributeType.String;
        if (entity == EntityKind.Attribute)
        {
            if (!_target.TryGetAttribute(key, out var canonical, out attributeType))
            {
                throw Error(start, $"invalid attribute key '{key}' for a {_target.EntityName}; valid attributes are {string.Join(", ", _target.AttributeNames)}");
            }

            key = canonical;
        }
        else if (entity == EntityKind.Dataset)
        {
            if (!SearchTarget.DatasetFields.TryGetAttribute(key, out var canonical, out _))
            {
                throw Error(start, $"invalid dataset key '{key}'; valid keys are name, digest and context");
            }

            key = canonical;
        }

        SkipSpace();
        var opPosition = _pos;
        var op = ParseOperator();
        var numeric = entity == EntityKind.Metric || (entity == EntityKind.Attribute && attributeType == AttributeType.Number);
        CheckOperatorAllowed(entity, key, op, numeric, opPosition);
        if (op is ComparisonOperator.IsNull or ComparisonOperator.IsNotNull)
        {
            return new Comparison(entity, key, op, null, start);
        }

        SkipSpace();
        var valuePosition = _pos;
        FilterValue value = op is ComparisonOperator.In or ComparisonOperator.NotIn ? ParseList() : ParseScalar(numeric, valuePosition, entity, key);
        return new Comparison(entity, key, op, value, start);
    }

    private (EntityKind Entity, string Key) ParseIdentifier()
    {
        var start = _pos;
        var word = ReadWord();
        if (word.Length == 0)
        {
            throw Error(start, $"expected an identifier such as metrics.acc, params.lr, tags.team or attributes.status, found '{Snippet(start)}'");
        }

        if (_pos < _text.Length && _text[_pos] == '.')
        {
            _pos++;
            var entity = word.ToLowerInvariant() switch
            {
                "metric" or "metrics" => EntityKind.Metric,
                "param" or "params" or "parameter" or "parameters" => EntityKind.Param,
                "tag" or "tags" => EntityKind.Tag,
                "attribute" or "attributes" or "attr" or "run" => EntityKind.Attribute,
                "dataset" or "datasets" => EntityKind.Dataset,
                _ => throw Error(start, $"invalid entity type '{word}'; expected one of metrics, params, tags, attributes or datasets"),
            };
            if (!_target.Kinds.Contains(entity))
            {
                throw Error(start, $"a {_target.EntityName} search cannot filter on '{word}'");
            }

            var key = ReadKey();
            if (key.Length == 0)
            {
                throw Error(_pos, $"expected a key after '{word}.'");
            }

            return (entity, key);
        }

        if (IsKeyword(word))
        {
            throw Error(start, $"expected an identifier, found the keyword '{word}'");
        }

        // A bare name is an attribute (MLflow insists on the prefix; accepting it is friendlier and unambiguous).
        return (EntityKind.Attribute, word);
    }

    private string ReadKey()
    {
        if (_pos < _text.Length && (_text[_pos] == '`' || _text[_pos] == '"'))
        {
            return ReadQuoted(_text[_pos]);
        }

        var start = _pos;
        while (_pos < _text.Length && IsBareKeyChar(_text[_pos]))
        {
            _pos++;
        }

        return _text[start.._pos];
    }

    private ComparisonOperator ParseOperator()
    {
        if (_pos >= _text.Length)
        {
            throw Error(_pos, "expected a comparison operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN, IS NULL), found the end of the filter");
        }

        var c = _text[_pos];
        var next = _pos + 1 < _text.Length ? _text[_pos + 1] : '\0';
        switch (c)
        {
            case '=':
                _pos += next == '=' ? 2 : 1;
                return ComparisonOperator.Equal;
            case '!' when next == '=':
                _pos += 2;
                return ComparisonOperator.NotEqual;
            case '<' when next == '>':
                _pos += 2;
                return ComparisonOperator.NotEqual;
            case '<':
                _pos += next == '=' ? 2 : 1;
                return next == '=' ? ComparisonOperator.LessOrEqual : ComparisonOperator.Less;
            case '>':
                _pos += next == '=' ? 2 : 1;
                return next == '=' ? ComparisonOperator.GreaterOrEqual : ComparisonOperator.Greater;
        }

        var start = _pos;
        var word = ReadWord().ToUpperInvariant();
        switch (word)
        {
            case "LIKE":
                return ComparisonOperator.Like;
            case "ILIKE":
                return ComparisonOperator.ILike;
            case "IN":
                return ComparisonOperator.In;
            case "NOT":
                if (TryKeyword("IN"))
                {
                    return ComparisonOperator.NotIn;
                }

                if (TryKeyword("LIKE"))
                {
                    return ComparisonOperator.NotLike;
                }

                if (TryKeyword("ILIKE"))
                {
                    return ComparisonOperator.NotILike;
                }

                throw Error(_pos, "expected IN, LIKE or ILIKE after NOT");
            case "IS":
                var negated = TryKeyword("NOT");
                if (!TryKeyword("NULL"))
                {
                    throw Error(_pos, "expected NULL after IS");
                }

                return negated ? ComparisonOperator.IsNotNull : ComparisonOperator.IsNull;
        }

        throw Error(start, $"expected a comparison operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN, IS NULL), found '{Snippet(start)}'");
    }

    private void CheckOperatorAllowed(EntityKind entity, string key, ComparisonOperator op, bool numeric, int position)
    {
        var subject = entity == EntityKind.Attribute ? $"attribute '{key}'" : $"{entity.ToString().ToLowerInvariant()} '{key}'";
        if (numeric)
        {
            if (op is ComparisonOperator.Like or ComparisonOperator.ILike or ComparisonOperator.NotLike or ComparisonOperator.NotILike or ComparisonOperator.In or ComparisonOperator.NotIn)
            {
                throw Error(position, $"{subject} is numeric and supports =, !=, <, <=, >, >=; '{OperatorText(op)}' is not allowed");
            }
        }
        else if (op is ComparisonOperator.Less or ComparisonOperator.LessOrEqual or ComparisonOperator.Greater or ComparisonOperator.GreaterOrEqual)
        {
            throw Error(position, $"{subject} is a string and supports =, !=, LIKE, ILIKE, IN, NOT IN; '{OperatorText(op)}' is not allowed");
        }
    }

    private FilterValue ParseScalar(bool numeric, int position, EntityKind entity, string key)
    {
        if (_pos >= _text.Length)
        {
            throw Error(_pos, "expected a value, found the end of the filter");
        }

        var c = _text[_pos];
        if (c is '\'' or '"')
        {
            var text = ReadQuoted(c);
            if (numeric)
            {
                throw Error(position, $"expected a number for {Describe(entity, key)}, found the string '{text}'");
            }

            return new StringValue(text);
        }

        if (c is '-' or '+' or '.' || char.IsAsciiDigit(c))
        {
            var start = _pos;
            _pos++;
            while (_pos < _text.Length && (char.IsAsciiDigit(_text[_pos]) || _text[_pos] is '.' or 'e' or 'E' || ((_text[_pos] is '-' or '+') && _text[_pos - 1] is 'e' or 'E')))
            {
                _pos++;
            }

            var literal = _text[start.._pos];
            if (!double.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                throw Error(start, $"'{literal}' is not a number");
            }

            if (!numeric)
            {
                throw Error(position, $"expected a quoted string for {Describe(entity, key)}, found the number {literal}; write it as '{literal}'");
            }

            return new NumberValue(number);
        }

        throw Error(_pos, $"expected a {(numeric ? "number" : "quoted string")} value, found '{Snippet(_pos)}'");
    }

    private ListValue ParseList()
    {
        if (_pos >= _text.Length || _text[_pos] != '(')
        {
            throw Error(_pos, $"expected a parenthesised list of strings such as ('a', 'b'), found '{Snippet(_pos)}'");
        }

        _pos++;
        var values = new List<string>();
        while (true)
        {
            SkipSpace();
            if (_pos >= _text.Length || _text[_pos] is not ('\'' or '"'))
            {
                throw Error(_pos, $"expected a quoted string in the list, found '{Snippet(_pos)}'");
            }

            values.Add(ReadQuoted(_text[_pos]));
            SkipSpace();
            if (_pos < _text.Length && _text[_pos] == ',')
            {
                _pos++;
                continue;
            }

            if (_pos < _text.Length && _text[_pos] == ')')
            {
                _pos++;
                return new ListValue(values);
            }

            throw Error(_pos, $"expected ',' or ')' in the list, found '{Snippet(_pos)}'");
        }
    }

    private string ReadQuoted(char quote)
    {
        var start = _pos;
        _pos++;
        var builder = new StringBuilder();
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (c == quote)
            {
                if (_pos + 1 < _text.Length && _text[_pos + 1] == quote)
                {
                    builder.Append(quote);
                    _pos += 2;
                    continue;
                }

                _pos++;
                return builder.ToString();
            }

            if (c == '\\' && _pos + 1 < _text.Length && _text[_pos + 1] == quote)
            {
                builder.Append(quote);
                _pos += 2;
                continue;
            }

            builder.Append(c);
            _pos++;
        }

        throw Error(start, $"unterminated quoted text starting with {quote}");
    }

    private bool TryKeyword(string keyword)
    {
        SkipSpace();
        var end = _pos + keyword.Length;
        if (end > _text.Length || string.Compare(_text, _pos, keyword, 0, keyword.Length, StringComparison.OrdinalIgnoreCase) != 0)
        {
            return false;
        }

        if (end < _text.Length && IsWordChar(_text[end]))
        {
            return false;
        }

        _pos = end;
        return true;
    }

    private string ReadWord()
    {
        var start = _pos;
        while (_pos < _text.Length && IsWordChar(_text[_pos]))
        {
            _pos++;
        }

        return _text[start.._pos];
    }

    private void SkipSpace()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos]))
        {
            _pos++;
        }
    }

    private string Snippet(int position)
    {
        if (position >= _text.Length)
        {
            return "";
        }

        var end = position;
        while (end < _text.Length && end - position < 20 && !char.IsWhiteSpace(_text[end]))
        {
            end++;
        }

        return end == position ? _text[position].ToString() : _text[position..end];
    }

    private MlopsException Error(int position, string message) =>
        MlopsException.Invalid($"Invalid filter at column {position + 1}: {message}. Filter: {_text}");

    private static string Describe(EntityKind entity, string key) =>
        entity == EntityKind.Attribute ? $"attribute '{key}'" : $"{entity.ToString().ToLowerInvariant()} '{key}'";

    private static bool IsKeyword(string word) =>
        word.ToUpperInvariant() is "AND" or "OR" or "NOT" or "IN" or "LIKE" or "ILIKE" or "IS" or "NULL";

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';

    private static bool IsBareKeyChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '.' or '-' or '/' or ':';

    internal static string OperatorText(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Equal => "=",
        ComparisonOperator.NotEqual => "!=",
        ComparisonOperator.Less => "<",
        ComparisonOperator.LessOrEqual => "<=",
        ComparisonOperator.Greater => ">",
        ComparisonOperator.GreaterOrEqual => ">=",
        ComparisonOperator.Like => "LIKE",
        ComparisonOperator.ILike => "ILIKE",
        ComparisonOperator.NotLike => "NOT LIKE",
        ComparisonOperator.NotILike => "NOT ILIKE",
        ComparisonOperator.In => "IN",
        ComparisonOperator.NotIn => "NOT IN",
        ComparisonOperator.IsNull => "IS NULL",
        _ => "IS NOT NULL",
    };
}
