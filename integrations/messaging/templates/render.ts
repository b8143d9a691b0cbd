import Handlebars from 'handlebars';
import { isNoticeVariable, type NoticeVariable } from './notice-fields';

/**
 * Handlebars, kept to what notices need: variables and `{{#if variable}}`. An isolated instance so
 * nobody else's helpers or partials can change what a notice says.
 */
const handlebars = Handlebars.create();
const TEXT_OPTIONS = { noEscape: true, knownHelpersOnly: true, knownHelpers: { if: true } } as const;
const HTML_OPTIONS = { knownHelpersOnly: true, knownHelpers: { if: true } } as const;

export interface TemplateVariables {
  /** Needed for the text to make sense: missing is an error. */
  required: Set<NoticeVariable>;
  /** Used only inside `{{#if}}`: left out when absent. */
  optional: Set<NoticeVariable>;
  /** Every variable in order of first appearance (the SMS parameter order). */
  order: NoticeVariable[];
  conditional: boolean;
}

type Node = hbs.AST.Node;

function pathName(node: hbs.AST.Expression | undefined, source: string): string {
  if (node?.type !== 'PathExpression') throw new Error(`template text ${JSON.stringify(source)}: only plain variables are allowed`);
  return (node as hbs.AST.PathExpression).original;
}

/** The variables a template text names; anything but known variables and `#if` is refused. */
export function variablesOf(source: string): TemplateVariables {
  const found: TemplateVariables = { required: new Set(), optional: new Set(), order: [], conditional: false };
  const note = (name: string, guarded: boolean) => {
    if (!isNoticeVariable(name)) throw new Error(`template text ${JSON.stringify(source)}: unknown variable ${name}`);
    if (!found.order.includes(name)) found.order.push(name);
    if (guarded) found.optional.add(name);
    else found.required.add(name);
  };
  const walk = (nodes: readonly Node[], guarded: boolean) => {
    for (const node of nodes) {
      if (node.type === 'MustacheStatement') {
        const m = node as hbs.AST.MustacheStatement;
        if (m.params.length > 0 || m.hash) throw new Error(`template text ${JSON.stringify(source)}: only plain variables are allowed`);
        note(pathName(m.path, source), guarded);
      } else if (node.type === 'BlockStatement') {
        const b = node as hbs.AST.BlockStatement;
        if (pathName(b.path, source) !== 'if' || b.params.length !== 1) throw new Error(`template text ${JSON.stringify(source)}: only {{#if variable}} blocks are allowed`);
        found.conditional = true;
        note(pathName(b.params[0], source), true);
        walk(b.program.body, true);
        if (b.inverse) walk(b.inverse.body, true);
      } else if (node.type !== 'ContentStatement' && node.type !== 'CommentStatement') {
        throw new Error(`template text ${JSON.stringify(source)}: ${node.type} is not allowed`);
      }
    }
  };
  walk(handlebars.parse(source).body, false);
  // A variable used both bare and inside #if is required.
  for (const name of found.required) found.optional.delete(name);
  return found;
}

const textCache = new Map<string, HandlebarsTemplateDelegate>();
const htmlCache = new Map<string, HandlebarsTemplateDelegate>();

function compiled(cache: Map<string, HandlebarsTemplateDelegate>, source: string, options: CompileOptions): HandlebarsTemplateDelegate {
  let template = cache.get(source);
  if (!template) {
    template = handlebars.compile(source, options);
    cache.set(source, template);
  }
  return template;
}

/** Plain text (SMS, WeChat values, email text part, letters): nothing escaped. */
export function renderText(source: string, values: Partial<Record<NoticeVariable, string>>): string {
  return compiled(textCache, source, TEXT_OPTIONS)(values);
}

const EMAIL_LAYOUT = [
  '<!doctype html>',
  '<html lang="zh-CN">',
  '<head><meta charset="utf-8"><title>{{subject}}</title></head>',
  '<body style="font-family: sans-serif; line-height: 1.6;">',
  '{{#each zh}}<p>{{this}}</p>\n{{/each}}',
  '<hr>',
  '<div lang="en">',
  '{{#each en}}<p>{{this}}</p>\n{{/each}}',
  '</div>',
  '<p style="color: #666; font-size: 12px;">{{footer}}</p>',
  '</body>',
  '</html>',
  '',
].join('\n');

/**
 * The HTML part: the already-rendered paragraphs placed in a fixed layout by handlebars with its
 * escaping on, so nothing in a value can become markup. No images, links, styles from elsewhere or
 * tracking of any kind.
 */
export function renderEmailHtml(parts: { subject: string; zh: readonly string[]; en: readonly string[]; footer: string }): string {
  return compiled(htmlCache, EMAIL_LAYOUT, { ...HTML_OPTIONS, knownHelpers: { if: true, each: true } })(parts);
}
