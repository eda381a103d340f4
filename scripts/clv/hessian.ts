/**
 * Standard errors of maximum-likelihood estimates: the square roots of the diagonal of the
 * inverse of the negative log-likelihood's Hessian at the optimum (the observed information).
 */

/**
 * The Hessian of f at x by central differences. Each step is 1e-4 of its coordinate
 * (≈ the fourth root of machine epsilon, where truncation and rounding errors balance for a
 * second difference), so it scales with the parameter and never crosses zero.
 */
export function numericalHessian(f: (x: readonly number[]) => number, x: readonly number[]): number[][] {
  const n = x.length;
  const h = x.map((xi) => 1e-4 * Math.max(Math.abs(xi), 1e-6));
  const shifted = (moves: readonly (readonly [number, number])[]): number => {
    const y = [...x];
    for (const [i, sign] of moves) y[i] = y[i]! + sign * h[i]!;
    return f(y);
  };
  const f0 = f(x);
  const hessian = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    const hi = h[i]!;
    hessian[i]![i] = (shifted([[i, 1]]) - 2 * f0 + shifted([[i, -1]])) / (hi * hi);
    for (let j = 0; j < i; j++) {
      const value =
        (shifted([[i, 1], [j, 1]]) -
          shifted([[i, 1], [j, -1]]) -
          shifted([[i, -1], [j, 1]]) +
          shifted([[i, -1], [j, -1]])) /
        (4 * hi * h[j]!);
      hessian[i]![j] = value;
      hessian[j]![i] = value;
    }
  }
  return hessian;
}

/** The inverse of a small square matrix (Gauss–Jordan, partial pivoting); undefined if singular. */
export function invert(matrix: readonly (readonly number[])[]): number[][] | undefined {
  const n = matrix.length;
  const a = matrix.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    const scale = a[pivot]![col]!;
    if (!Number.isFinite(scale) || Math.abs(scale) < 1e-300) return undefined;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const row = a[col]!.map((v) => v / scale);
    a[col] = row;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const factor = a[r]![col]!;
      a[r] = a[r]!.map((v, k) => v - factor * row[k]!);
    }
  }
  return a.map((row) => row.slice(n));
}

/**
 * Standard errors from the Hessian of a negative log-likelihood at its minimum; NaN for every
 * parameter when the Hessian is singular or not positive on its diagonal after inversion
 * (the optimum is then on a ridge and the estimates are not identified).
 */
export function standardErrors(hessian: readonly (readonly number[])[]): number[] {
  const inverse = invert(hessian);
  const variances = inverse?.map((row, i) => row[i]!) ?? [];
  if (variances.length !== hessian.length || variances.some((v) => !(v > 0))) {
    return hessian.map(() => NaN);
  }
  return variances.map(Math.sqrt);
}
