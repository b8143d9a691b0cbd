/**
 * Paired measurements for the benchmarks (BENCHMARKS.md): the two sides of a pair run interleaved
 * A/B/A/B for a number of rounds in one process, so a change in the machine's load falls on both;
 * each side is reported as its median with its spread, and the ratio A/B as the median of the
 * rounds' own ratios. The machine's 1-minute load is sampled all along.
 */
import { loadavg } from 'node:os';
import { log } from './monthly-run-stack';

export interface Spread {
  median: number;
  min: number;
  max: number;
  /** (max − min) ÷ median: how far apart the rounds were. */
  relativeSpread: number;
  values: number[];
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new Error('spread of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  const min = sorted[0]!;
  const max = sorted.at(-1)!;
  return { median: round3(median), min: round3(min), max: round3(max), relativeSpread: round3(median === 0 ? 0 : (max - min) / median), values: values.map(round3) };
}

export interface PairResult<T> {
  a: Spread;
  b: Spread;
  /** Each round's a ÷ b, and their median. */
  ratio: Spread;
  /** What each side's runs returned besides the figure, in order. */
  details: { a: T[]; b: T[] };
}

/**
 * Runs `a` and `b` alternately for `rounds` rounds (a, b, a, b, …; the first side swaps every round
 * when `alternateFirst`, so neither always runs on a warmer machine). Each run returns its figure
 * (a rate: higher is better) and details kept for the results file.
 */
export async function interleaved<T>(
  rounds: number,
  a: { name: string; run: (round: number) => Promise<{ figure: number; detail: T }> },
  b: { name: string; run: (round: number) => Promise<{ figure: number; detail: T }> },
  options: { alternateFirst?: boolean } = {},
): Promise<PairResult<T>> {
  const figures = { a: [] as number[], b: [] as number[] };
  const details = { a: [] as T[], b: [] as T[] };
  for (let round = 1; round <= rounds; round += 1) {
    const order = options.alternateFirst && round % 2 === 0 ? (['b', 'a'] as const) : (['a', 'b'] as const);
    for (const side of order) {
      const which = side === 'a' ? a : b;
      const { figure, detail } = await which.run(round);
      figures[side].push(figure);
      details[side].push(detail);
      log(`round ${round}/${rounds} ${which.name}: ${figure.toFixed(2)} (load ${loadavg()[0]!.toFixed(2)})`);
    }
  }
  return { a: spread(figures.a), b: spread(figures.b), ratio: spread(figures.a.map((x, i) => x / figures.b[i]!)), details };
}

/** The 1-minute load average sampled every `everyMs` until stopped: min, median, max. */
export function sampleLoad(everyMs = 5_000): { stop(): { min: number; median: number; max: number; samples: number } } {
  const samples: number[] = [loadavg()[0]!];
  const timer = setInterval(() => samples.push(loadavg()[0]!), everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      samples.push(loadavg()[0]!);
      const s = spread(samples);
      return { min: Math.round(s.min * 100) / 100, median: Math.round(s.median * 100) / 100, max: Math.round(s.max * 100) / 100, samples: samples.length };
    },
  };
}

/** `--name value` from the command line, or `fallback`. */
export function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index < 0 ? fallback : (process.argv[index + 1] ?? fallback);
}

/** `--name N` as a whole number ≥ 1. */
export function countOption(name: string, fallback: number): number {
  const value = Number(option(name, String(fallback)));
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} must be a whole number ≥ 1`);
  return value;
}
