-- The lifetime-value models' per-customer formulas in SQL, ported from scripts/clv (bgnbd.ts,
-- mbgnbd.ts, pareto.ts, special.ts, combinations.ts) with the same arithmetic, so that
-- gold.score_customer gives a customer who is not in gold yet what clv_predictions would have
-- given her (for customers in gold the two agree to 1e-9, tests/integration/gold-operations.test.ts).
-- Formulas: docs/clv.md. These are helpers of score_customer; they read no table.

-- e^u without PostgreSQL's overflow and underflow errors (JavaScript gives Infinity and 0).
create or replace function gold.clv_exp(u double precision)
returns double precision
language sql immutable
set search_path = pg_catalog, pg_temp
as $$
    select case when u > 709 then 'Infinity'::double precision when u < -745 then 0 else exp(u) end
$$;

-- e^u - 1, accurate for small u (the brackets 1 - (...) of the expectations).
create or replace function gold.clv_expm1(u double precision)
returns double precision
language sql immutable
set search_path = pg_catalog, pg_temp
as $$
    select case when abs(u) < 1e-5 then u + u * u / 2 + u * u * u / 6 else gold.clv_exp(u) - 1 end
$$;

-- 2F1(a, b; c; z) by its power series, for 0 <= z < 1; NaN when 100,000 terms do not converge.
-- Terms are summed until they stop growing and fall below 1e-17 of the sum.
create or replace function gold.clv_hyp2f1(a double precision, b double precision, c double precision, z double precision)
returns double precision
language plpgsql immutable
set search_path = pg_catalog, pg_temp
as $$
declare
    term double precision := 1;
    total double precision := 1;
    ratio double precision;
begin
    if z = 0 then return 1; end if;
    for k in 0..100000 loop
        ratio := (a + k) * (b + k) / ((c + k) * (k + 1)) * z;
        term := term * ratio;
        total := total + term;
        if abs(ratio) < 1 and abs(term) <= 1e-17 * abs(total) then return total; end if;
    end loop;
    return 'NaN';
end
$$;

-- ln 2F1(a, b; c; z) for z < 1 where it is positive, else NaN (special.ts logHyp2f1: Pfaff for
-- z < 0, Euler when c - a - b < 0).
create or replace function gold.clv_log_hyp2f1(a double precision, b double precision, c double precision, z double precision)
returns double precision
language plpgsql immutable
set search_path = pg_catalog, pg_temp
as $$
declare
    value double precision;
begin
    if not (z < 1) then return 'NaN'; end if;
    if z = 0 then return 0; end if;
    if z < 0 then return -a * ln(1 - z) + gold.clv_log_hyp2f1(a, c - b, c, z / (z - 1)); end if;
    if c - a - b < 0 then
        value := gold.clv_hyp2f1(c - a, c - b, c, z);
        if value > 0 and value <> 'Infinity' then return (c - a - b) * ln(1 - z) + ln(value); end if;
    else
        value := gold.clv_hyp2f1(a, b, c, z);
        if value > 0 and value <> 'Infinity' then return ln(value); end if;
    end if;
    return 'NaN';
end
$$;

-- 1 - e^log_factor · 2F1(a, b; c; z), the bracket of the BG/NBD and MBG/NBD expectations.
create or replace function gold.clv_one_minus_scaled_hyp2f1(log_factor double precision, a double precision, b double precision, c double precision, z double precision)
returns double precision
language plpgsql immutable
set search_path = pg_catalog, pg_temp
as $$
declare
    log_value double precision := gold.clv_log_hyp2f1(a, b, c, z);
begin
    if log_value <> 'NaN' and log_value not in ('Infinity', '-Infinity') then
        return -gold.clv_expm1(log_factor + log_value);
    end if;
    return 1 - gold.clv_exp(log_factor) * gold.clv_hyp2f1(a, b, c, z);
end
$$;

-- ln 2F1(1, b; c; z), the Pareto/NBD likelihood's form (special.ts logHyp2f1One).
create or replace function gold.clv_log_hyp2f1_one(b double precision, c double precision, z double precision)
returns double precision
language plpgsql immutable
set search_path = pg_catalog, pg_temp
as $$
declare
    tail_factor double precision;
    term double precision := 1;
    total double precision := 1;
begin
    if not (z >= 0 and z < 1 and b > 0 and b <= c) then return gold.clv_log_hyp2f1(1, b, c, z); end if;
    tail_factor := z / (1 - z);
    for k in 0..1999 loop
        term := term * ((b + k) / (c + k) * z);
        total := total + term;
        if term * tail_factor <= 1e-17 * total then return ln(total); end if;
    end loop;
    return gold.clv_log_hyp2f1(1, b, c, z);
end
$$;

-- P(alive | x, t_x, T) of the applied model (bgnbd.ts, mbgnbd.ts, pareto.ts).
create or replace function gold.clv_p_alive(
    model text, r double precision, alpha double precision, a double precision, b double precision,
    s double precision, beta double precision, x double precision, t_x double precision, age double precision
)
returns double precision
language plpgsql immutable
set search_path = pg_catalog, pg_temp
as $$
declare
    log_odds double precision;
    m double precision;
    b2 double precision;
    c double precision;
    gap double precision;
    z_x double precision;
    z_t double precision;
    term_x double precision;
    term_t double precision;
    alive double precision;
    died double precision;
begin
    if model = 'bgnbd' then
        if x = 0 then return 1; end if;
        log_odds := ln(a) - ln(b + x - 1) + (r + x) * ln((alpha + age) / (alpha + t_x));
        return 1 / (1 + gold.clv_exp(log_odds));
    elsif model = 'mbgnbd' then
        log_odds := ln(a) - ln(b + x) + (r + x) * ln((alpha + age) / (alpha + t_x));
        return 1 / (1 + gold.clv_exp(log_odds));
    elsif model = 'pareto' then
        if t_x = age then return 1; end if;
        m := greatest(alpha, beta);
        b2 := case when alpha >= beta then s + 1 else r + x end;
        c := r + s + x + 1;
        gap := abs(alpha - beta);
        z_x := gap / (m + t_x);
        z_t := gap / (m + age);
        term_x := (1 - b2) * ln(1 - z_x) + gold.clv_log_hyp2f1_one(c - b2, c, z_x) - (c - 1) * ln(m + t_x);
        term_t := (1 - b2) * ln(1 - z_t) + gold.clv_log_hyp2f1_one(c - b2, c, z_t) - (c - 1) * ln(m + age);
        alive := -(r + x) * ln(alpha + age) - s * ln(beta + age);
        died := ln(s) - ln(r + s + x) + term_x + ln(1 - gold.clv_exp(term_t - term_x));
        return 1 / (1 + gold.clv_exp(died - alive));
    end if;
    raise exception 'unknown lifetime-value model "%"; expected bgnbd, mbgnbd or pareto', model using errcode = '22023';
end
$$;

-- E[Y(t) | alive, x, T]: expected repeat purchases in (T, T + t] of a customer known to be
-- alive; it does not depend on t_x (combinations.ts). E[Y(t) | x, t_x, T] is this × P(alive).
create or replace function gold.clv_expected_if_alive(
    model text, r double precision, alpha double precision, a double precision, b double precision,
    s double precision, beta double precision, x double precision, age double precision, t double precision
)
returns double precision
language plpgsql immutable
set search_path = pg_catalog, pg_temp
as $$
declare
    log_factor double precision;
    e double precision;
    log_u double precision;
begin
    if t = 0 then return 0; end if;
    log_factor := (r + x) * ln((alpha + age) / (alpha + age + t));
    if model = 'bgnbd' then
        return ((a + b + x - 1) / (a - 1))
            * gold.clv_one_minus_scaled_hyp2f1(log_factor, r + x, b + x, a + b + x - 1, t / (alpha + age + t));
    elsif model = 'mbgnbd' then
        return ((a + b + x) / (a - 1))
            * gold.clv_one_minus_scaled_hyp2f1(log_factor, r + x, b + x + 1, a + b + x, t / (alpha + age + t));
    elsif model = 'pareto' then
        -- (1 - u^e) / e with u = (beta + T) / (beta + T + t), e = s - 1; -ln u at e = 0
        e := s - 1;
        log_u := ln((beta + age) / (beta + age + t));
        return ((r + x) * (beta + age) / (alpha + age))
            * case when abs(e) < 1e-12 then -log_u else -gold.clv_expm1(e * log_u) / e end;
    end if;
    raise exception 'unknown lifetime-value model "%"; expected bgnbd, mbgnbd or pareto', model using errcode = '22023';
end
$$;

-- ln(e^u + e^v) (special.ts logAddExp; PostgreSQL has no log1p, so ln(1 + e^-d), which differs
-- from it by less than 1e-16 of the result).
create or replace function gold.clv_log_add_exp(u double precision, v double precision)
returns double precision
language sql immutable
set search_path = pg_catalog, pg_temp
as $$
    select case when u = '-Infinity' then v when v = '-Infinity' then u
                else greatest(u, v) + ln(1 + gold.clv_exp(-abs(u - v))) end
$$;

-- BG/BB P(alive at opportunity n + 1 | x, t_x, n) (bgbb.ts bgbbPAlive, FHS 2010 eq. 11): every
-- ratio of beta functions has arguments differing by whole numbers, so it is a product of
-- rational factors and needs no log-gamma (PostgreSQL has none before 18):
--   1/P(alive) = (γ+δ+n)/(δ+n) + Σ_{i=0}^{n−t_x−1} B(α+x, β+t_x−x+i)/B(α+x, β+n−x) · B(γ+1, δ+t_x+i)/B(γ, δ+n+1)
-- summed in log space from the last term down. The drop-out enters by its mean μ = γ/(γ+δ)
-- (dropout) and polarisation φ = 1/(γ+δ) (bgbb.ts DropOut): (δ+k)/(γ+δ+k) = (1−μ+kφ)/(1+kφ),
-- finite at φ = 0, where every customer has the same drop-out probability μ (clv_parameters).
create or replace function gold.clv_bgbb_p_alive(
    alpha double precision, beta double precision, dropout double precision, polarisation double precision,
    x double precision, t_x double precision, n double precision
)
returns double precision
language plpgsql immutable
set search_path = pg_catalog, pg_temp
as $$
declare
    first double precision := -ln((1 - dropout + n * polarisation) / (1 + n * polarisation));
    log_term double precision;
    log_sum double precision;
begin
    if n - t_x <= 0 then return gold.clv_exp(-first); end if;
    -- nobody drops out: every term of the sum is 0 (ln 0 is an error in SQL)
    if dropout = 0 then return gold.clv_exp(-first); end if;
    log_term := ln((alpha + beta + n - 1) / (beta + n - x - 1)) + ln(dropout)
              + ln((1 + n * polarisation) / ((1 - dropout + (n - 1) * polarisation) * (1 - dropout + n * polarisation)));
    log_sum := gold.clv_log_add_exp(first, log_term);
    for i in reverse (n - t_x - 2)::integer .. 0 loop
        log_term := log_term + ln((alpha + beta + t_x + i) / (beta + t_x - x + i))
                  - ln((1 - dropout + (t_x + i) * polarisation) / (1 + (t_x + i + 1) * polarisation));
        log_sum := gold.clv_log_add_exp(log_sum, log_term);
    end loop;
    return gold.clv_exp(-log_sum);
end
$$;

-- BG/BB E[X(n, n + t) | alive at n + 1, x, n] (bgbb.ts bgbbExpectedIfAlive): expected transactions
-- in the next t (whole) opportunities of a customer alive at the first of them,
--   (α+x)/(α+β+n) · Σ_{i=1}^{t} B(γ, δ+n+i)/B(γ, δ+n+1),
-- each ratio the previous one times (δ+n+i−1)/(γ+δ+n+i−1) = (1−μ+(n+i−1)φ)/(1+(n+i−1)φ).
-- E[X | x, t_x, n] is this × P(alive).
create or replace function gold.clv_bgbb_expected_if_alive(
    alpha double precision, beta double precision, dropout double precision, polarisation double precision,
    x double precision, n double precision, t integer
)
returns double precision
language plpgsql immutable
set search_path = pg_catalog, pg_temp
as $$
declare
    survive double precision := 1;
    total double precision := 0;
begin
    for i in 1..t loop
        if i > 1 then
            survive := survive * ((1 - dropout + (n + i - 1) * polarisation) / (1 + (n + i - 1) * polarisation));
        end if;
        total := total + survive;
    end loop;
    return ((alpha + x) / (alpha + beta + n)) * total;
end
$$;
