/**
 * A small TextMate grammar for PromQL, registered with Expressive Code in `astro.config.mjs`. Shiki ships no
 * PromQL grammar, so without this every rule expression on the alert pages renders as plain text and each build
 * logs a warning per block. It covers what the handbook's expressions use: comments, strings, range and subquery
 * selectors, numbers, aggregation and set/match keywords, function calls, label matchers and operators.
 */
export const promqlGrammar = {
  name: 'promql',
  scopeName: 'source.promql',
  patterns: [
    { include: '#comment' },
    { include: '#string' },
    { include: '#range' },
    { include: '#labels' },
    { include: '#keyword' },
    { include: '#aggregation' },
    { include: '#function' },
    { include: '#number' },
    { include: '#operator' },
  ],
  repository: {
    comment: { match: '#.*$', name: 'comment.line.number-sign.promql' },
    string: {
      patterns: [
        {
          begin: '"',
          end: '"',
          name: 'string.quoted.double.promql',
          patterns: [{ match: '\\\\.', name: 'constant.character.escape.promql' }],
        },
        { begin: "'", end: "'", name: 'string.quoted.single.promql' },
        { begin: '`', end: '`', name: 'string.quoted.other.promql' },
      ],
    },
    // `[5m]`, `[120s]`, and subqueries such as `[15m:1m]`.
    range: { match: '\\[[0-9a-zA-Z:]+\\]', name: 'constant.other.range.promql' },
    labels: {
      begin: '\\{',
      end: '\\}',
      patterns: [
        { include: '#string' },
        { match: '=~|!~|!=|=', name: 'keyword.operator.match.promql' },
        { match: '[a-zA-Z_][a-zA-Z0-9_]*', name: 'variable.parameter.label.promql' },
      ],
    },
    keyword: {
      match: '\\b(?:by|without|on|ignoring|group_left|group_right|bool|and|or|unless|offset)\\b',
      name: 'keyword.operator.word.promql',
    },
    aggregation: {
      match: '\\b(?:sum|min|max|avg|group|stddev|stdvar|count|count_values|bottomk|topk|quantile)\\b',
      name: 'support.function.aggregation.promql',
    },
    function: {
      match: '\\b([a-zA-Z_][a-zA-Z0-9_]*)(?=\\s*\\()',
      captures: { '1': { name: 'entity.name.function.promql' } },
    },
    number: { match: '\\b[0-9]+(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?\\b', name: 'constant.numeric.promql' },
    operator: { match: '==|!=|>=|<=|>|<|\\+|-|\\*|/|%|\\^', name: 'keyword.operator.promql' },
  },
};
