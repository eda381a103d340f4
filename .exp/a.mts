import nunjucks from 'nunjucks';
const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: false });
env.addGlobal('ref', (...a: unknown[]) => { if (a[0]==='boom') throw new Error('kaboom'); return `<<rel:model.${a[a.length-1]}>>`; });
env.addGlobal('config', (...a: unknown[]) => { console.log('config', JSON.stringify(a)); return ''; });
const mac = new nunjucks.Template("{% macro cents(c) %}({{ c }} / 100)::numeric(16,2){% endmacro %}\n{% macro two(x) %}{{ cents(x) }} + {{ ref('zz') }}{% endmacro %}\n{% macro bad() %}{{ nope() }}{% endmacro %}", env, 'macros/m.sql');
(mac as any).getExported({}, null, (err: unknown, exp: Record<string, unknown>) => { console.log('exp', err, Object.keys(exp)); for (const [k,v] of Object.entries(exp)) env.addGlobal(k, v); });
function r(src: string) { try { console.log(JSON.stringify(new nunjucks.Template(src, env, 'models/x.sql').render({}))); } catch (e) { console.log('ERR', JSON.stringify((e as Error).message), (e as any).lineno, (e as any).colno, (e as any).name); } }
r("{{ config(materialized='table', unique_key=['a','b']) }}\nselect {{ cents('amount') }}, {{ two('y') }} from {{ ref('orders') }}");
r("select\n{% for c in ['a','b'] %}\n  {{ c }},\n{% endfor %}\n  x\nfrom t");
r("select 1\n\nfrom {{ ref('boom') }}");
r("select 1\n\nfrom {{ ref('a' }}");
r("select 1\n{% if %}\nfrom");
r("select 1\n\n\n  {{ nope() }}");
r("select 1\n\n\n  {{ bad() }}");
r("{% set x = {'a': 1} %}{% for k, v in x.items() %}{{k}}={{v}}{% endfor %} {{ 'a' ~ 'b' }} {{ [1,2,3] | join(', ') }}");
