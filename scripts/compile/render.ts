import nunjucks from 'nunjucks';
import type { RenderCalls, RenderScope, TemplateEnvironment } from './environment.ts';
import { templateErrorLocation } from './template-error.ts';

export type RenderOutcome =
  | { readonly ok: true; readonly sql: string; readonly calls: RenderCalls }
  | { readonly ok: false; readonly line: number; readonly message: string };

/**
 * Renders one template (a model or a singular test) and returns the text with what it called,
 * or the template error with its line in the file. Never throws for a template's fault.
 */
export function renderTemplate(
  environment: TemplateEnvironment,
  text: string,
  file: string,
  scope: RenderScope,
): RenderOutcome {
  let template: nunjucks.Template;
  try {
    // compiled eagerly so that syntax errors (1-based lines) are told apart from render errors
    template = new nunjucks.Template(text, environment.env, file, true);
  } catch (error) {
    return { ok: false, ...templateErrorLocation(error, text, 'parse') };
  }
  const calls: RenderCalls = { refs: [], sources: [], configs: [], missingVars: [], calledIsIncremental: false };
  environment.current = { scope, calls };
  try {
    return { ok: true, sql: template.render({}), calls };
  } catch (error) {
    return { ok: false, ...templateErrorLocation(error, text, 'render') };
  } finally {
    environment.current = undefined;
  }
}
