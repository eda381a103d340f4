import nunjucks from 'nunjucks';
const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: false });
const state = { inc: false };
env.addGlobal('is_incremental', () => state.inc);
const target = { name: 'default', get schema() { return state.inc ? 'S1' : 'S0'; } };
env.addGlobal('target', target);
const mac = new nunjucks.Template("{% macro f() %}{% if is_incremental() %}INC{% else %}FULL{% endif %} {{ target.schema }}{% endmacro %}", env, 'macros/m.sql');
(mac as any).getExported({}, null, (err: unknown, exp: Record<string, unknown>) => { for (const [k,v] of Object.entries(exp)) env.addGlobal(k, v); });
const t = new nunjucks.Template("{{ f() }} {{ target.schema }}", env, 'models/x.sql', true);
console.log(t.render({})); state.inc = true; console.log(t.render({}));
try { new nunjucks.Template("{{ nope() }}", env, 'x').render({}); } catch (e) { console.log((e as Error).message); }
try { new nunjucks.Template("{{ 1 + }}", env, 'x').render({}); } catch (e) { console.log((e as Error).message); }
