import nunjucks from 'nunjucks';
nunjucks.installJinjaCompat();
const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: false });
function c(src: string) { try { const t = new nunjucks.Template(src, env, 'models/x.sql', true); console.log('compiled ok'); console.log(JSON.stringify(t.render({}))); } catch (e) { console.log('ERR', JSON.stringify((e as Error).message)); } }
c("{% set x = {'a': 1} %}{% for k, v in x.items() %}{{k}}={{v}}{% endfor %} {{ 'a' ~ 'b' }} {{ [1,2,3] | join(', ') }} {{ True }} {{ None is none }}");
c("select 1\n\nfrom {{ ref('a' }}");
c("select 1\n{% if %}\nfrom");
c("select 1\n\n{% for x in y %}\nfrom");
c("select 1\n\n{{ x \nfrom");
c("select 1\n\n{% endif %}\nfrom");
c("a\n{# unclosed\n comment");
c("select {{ 'x' | upper }} {{ loopx.bar.baz }}");
c("{% set cols = ['a','b'] %}{% for c in cols %}{{ c }}{% if not loop.last %},{% endif %}{% endfor %}");
