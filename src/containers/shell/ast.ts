// The parser's node types that just-bash does not export by name, derived from the ones it does.
import type { SimpleCommandNode, WordNode } from 'just-bash';

export type { CommandNode, PipelineNode, ScriptNode, SimpleCommandNode, StatementNode, WordNode } from 'just-bash';
export type WordPart = WordNode['parts'][number];
export type ParameterExpansionPart = Extract<WordPart, { type: 'ParameterExpansion' }>;
export type ArithExpr = Extract<WordPart, { type: 'ArithmeticExpansion' }>['expression']['expression'];
export type RedirectionNode = SimpleCommandNode['redirections'][number];
