import parsePrometheusTextFormat, { type PromFamily } from 'parse-prometheus-text-format';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * A /metrics answer read by a Prometheus text-format parser (parse-prometheus-text-format, which throws on a line it
 * cannot read). The parser folds a histogram's labelled series into one, so series are looked up per sample line,
 * each line read by the same parser on its own.
 */
export class ScrapedMetrics {
  readonly families: Map<string, PromFamily>;
  private readonly samples: Sample[];

  constructor(text: string) {
    this.families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
    this.samples = text
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'))
      .map((line) => {
        const [family] = parsePrometheusTextFormat(`${line}\n`);
        const sample = family?.metrics[0];
        if (!family || !sample) throw new Error('a sample line the parser did not read');
        return { name: family.name, labels: sample.labels ?? {}, value: Number(sample.value) };
      });
  }

  family(name: string): PromFamily {
    const f = this.families.get(name);
    if (!f) throw new Error(`no metric family ${name} in the scrape`);
    return f;
  }

  /** The sum of the samples named `name` whose labels include `labels` (0 when there is none). */
  value(name: string, labels: Record<string, string> = {}): number {
    return this.samples
      .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      .reduce((n, s) => n + s.value, 0);
  }

  /** A histogram's observation count over the series matching `labels`. */
  count(name: string, labels: Record<string, string> = {}): number {
    return this.value(`${name}_count`, labels);
  }
}
